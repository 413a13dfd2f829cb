"""Switching rules off per project (.selfhelp.yaml) and per node (lint_off), always with a reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.flow.sources import CONFIG_NAME, find_config
from selfhelp.flow.validate import check_files

FLOW = """\
id: drafts
title: Drafts
version: "1"
start: done
nodes:
  done: {kind: outcome, result: resolved}
  draft:
    kind: cause
    text: Not linked yet.
    next: done
"""

WAIVED_ON_NODE = (
    FLOW
    + """    lint_off:
      unreachable-node: Agents jump here from the flow map.
"""
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_settings_the_warning_stands(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    [report] = check_files([write(tmp_path, "f.yaml", FLOW)])
    [diag] = report.diagnostics
    assert diag.rule == "unreachable-node" and diag.suppressed is None


def test_node_lint_off_switches_the_rule_off_for_that_node(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    [report] = check_files([write(tmp_path, "f.yaml", WAIVED_ON_NODE)])
    [diag] = report.diagnostics
    assert diag.rule == "unreachable-node"
    assert diag.suppressed == "lint_off on node 'draft': Agents jump here from the flow map."
    assert report.ok


def test_project_file_switches_rules_off_below_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, CONFIG_NAME, "lint:\n  disable:\n    unreachable-node: Drafts for the next revision.\n")
    flow = write(tmp_path / "flows" / "deep", "f.yaml", FLOW)
    assert find_config(flow.parent) == tmp_path / CONFIG_NAME
    [report] = check_files([tmp_path])  # the config file itself is not taken for a flow
    [diag] = report.diagnostics
    assert diag.suppressed == ".selfhelp.yaml: Drafts for the next revision."


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path, CONFIG_NAME, "lint:\n  disable:\n    unreachable-node: outside\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_config(repo / "flows") is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("lint:\n  disable:\n    unreachabel-node: typo\n", "unknown rule 'unreachabel-node'"),
        ("lint:\n  disable:\n    yaml-syntax: because\n", "cannot be switched off"),
        ("lint:\n  disable:\n    dead-end: ''\n", "needs a reason"),
        ("lint:\n  disabled: {}\n", "lint.disabled"),
    ],
)
def test_bad_project_settings_are_reported_once_with_a_position(
    tmp_path: Path, config: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, CONFIG_NAME, config)
    write(tmp_path, "a.yaml", FLOW)
    write(tmp_path, "b.yaml", FLOW.replace("id: drafts", "id: drafts-b"))
    reports = check_files([tmp_path])
    # Every flow below a broken project file carries its problem (so a skipped flow says why) ...
    for report in reports:
        assert not report.ok
        assert any(d.rule == "lint-config" and message in d.message for d in report.diagnostics)
    # ... and the validate command reports it once.
    assert main(["validate", "--format", "json", str(tmp_path)]) == 1
    config_diags = [d for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["rule"] == "lint-config"]
    assert len(config_diags) == 1
    assert message in config_diags[0]["message"] and config_diags[0]["file"].endswith(CONFIG_NAME)
    assert config_diags[0]["line"] == 3 or "disabled" in message


def test_unknown_rule_in_lint_off_gets_a_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    text = FLOW + "    lint_off:\n      unreachable-nod: typo\n"
    [report] = check_files([write(tmp_path, "f.yaml", text)])
    rules = {d.rule: d for d in report.diagnostics}
    assert rules["lint-config"].hint == "did you mean 'unreachable-node'?"
    assert rules["unreachable-node"].suppressed is None  # a broken waiver waives nothing


def test_cli_counts_and_shows_suppressed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    path = write(tmp_path, "f.yaml", WAIVED_ON_NODE)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "unreachable-node" not in out and "1 switched off (--show-suppressed lists them)" in out
    assert main(["validate", "--show-suppressed", str(path)]) == 0
    assert "switched off: lint_off on node 'draft'" in capsys.readouterr().out
    assert main(["validate", "--format", "json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["suppressed"] == 1 and report["warnings"] == 0
    assert report["diagnostics"][0]["suppressed"].startswith("lint_off")


def test_project_file_yaml_problems_are_reported_at_their_place(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, CONFIG_NAME, "lint:\n  disable:\n    unreachable-node: one\n    unreachable-node: two\n")
    [report] = check_files([write(tmp_path, "f.yaml", FLOW)])
    found = [(d.rule, d.file, d.line, d.column, d.message) for d in report.diagnostics if d.file.endswith(CONFIG_NAME)]
    assert found == [
        ("duplicate-key", str(tmp_path / CONFIG_NAME), 4, 5, "'unreachable-node' is given twice (first at line 3)")
    ]
    # A broken file switches nothing off.
    assert [d.suppressed for d in report.diagnostics if d.rule == "unreachable-node"] == [None]


def test_unknown_project_setting_gets_a_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, CONFIG_NAME, "lint:\n  disabel:\n    unreachable-node: Drafts.\n")
    [report] = check_files([write(tmp_path, "f.yaml", FLOW)])
    [diag] = [d for d in report.diagnostics if d.rule == "lint-config"]
    assert (diag.line, diag.column, diag.message, diag.hint) == (
        2,
        3,
        "lint.disabel: unknown setting",
        "did you mean 'disable'?",
    )


def test_an_empty_project_file_switches_nothing_off_and_is_no_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, CONFIG_NAME, "# lint:\n#   disable: {}\n")
    [report] = check_files([write(tmp_path, "f.yaml", FLOW)])
    assert [(d.rule, d.suppressed) for d in report.diagnostics] == [("unreachable-node", None)]
    assert report.ok


def test_a_good_waiver_still_applies_beside_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, CONFIG_NAME, "lint:\n  disable:\n    unreachable-node: Drafts.\n    dead-end: ''\n")
    [report] = check_files([write(tmp_path, "f.yaml", FLOW)])
    found = {(d.rule, d.line, d.suppressed) for d in report.diagnostics}
    assert found == {("lint-config", 4, None), ("unreachable-node", 7, ".selfhelp.yaml: Drafts.")}  # draft: is line 7


def test_lint_config_does_not_import_validate() -> None:
    code = "import sys, selfhelp.flow.lint_config\nprint('selfhelp.flow.validate' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
