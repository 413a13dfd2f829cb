"""``selfhelp validate``: exit codes, the text and JSON reports, and never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp import cli
from selfhelp.flow.rules import RULES

BAD = Path(__file__).parent / "bad_flows"
GOOD = BAD / "good.yaml"

#: ``file:line:col: severity rule-id message``
LINE_RE = re.compile(
    r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning) (?P<rule>[a-z0-9-]+) \S"
)


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``selfhelp validate ARGS`` in-process; return (exit status, stdout, stderr)."""
    try:
        code = cli.main(["validate", *args])
    except SystemExit as exc:  # argparse leaves this way on usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_clean_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(capsys, str(GOOD))
    assert code == 0
    assert out.strip() == "1 file checked: 0 error(s), 0 warning(s)"
    assert err == ""


def test_warnings_alone_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, str(BAD / "unreachable-node.yaml"))
    assert code == 0
    assert "warning unreachable-node" in out
    assert out.rstrip().endswith("0 error(s), 1 warning(s)")


def test_errors_exit_1_with_one_line_a_problem_and_the_hint_below(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, str(BAD / "dangling-target.yaml"))
    assert code == 1
    lines = out.splitlines()
    match = LINE_RE.match(lines[0])
    assert match is not None, lines[0]
    assert match["file"].endswith("dangling-target.yaml")
    assert (match["line"], match["col"], match["severity"], match["rule"]) == ("14", "15", "error", "dangling-target")
    assert "'dnoe'" in lines[0]
    assert lines[1] == "    hint: did you mean 'done'?"
    assert lines[-1] == "1 file checked: 1 error(s), 0 warning(s)"


def test_a_folder_reports_every_problem_of_every_file_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(capsys, str(BAD))
    assert code == 1 and "Traceback" not in out + err
    reported = {m["rule"] for m in map(LINE_RE.match, out.splitlines()) if m}
    committed = {p.stem for p in BAD.glob("*.yaml")} - {"good"}
    assert committed <= reported
    assert reported <= set(RULES)
    files = len(list(BAD.glob("*.yaml")))
    assert out.splitlines()[-1].startswith(f"{files} files checked: ")


def test_several_paths_and_problems_come_out_sorted_by_file_then_line(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = validate(
        capsys, str(BAD / "unknown-kind.yaml"), str(BAD / "dead-end.yaml"), str(BAD / "trap-cycle.yaml")
    )
    heads = [(m["file"], int(m["line"])) for m in map(LINE_RE.match, out.splitlines()) if m]
    assert len(heads) == 3 and heads == sorted(heads)


def test_json_report_structure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(
        capsys, "--format", "json", str(GOOD), str(BAD / "unknown-field.yaml"), str(BAD / "unreachable-node.yaml")
    )
    assert code == 1
    report = json.loads(out)
    assert set(report) == {"files_checked", "errors", "warnings", "suppressed", "diagnostics"}
    assert (report["files_checked"], report["errors"], report["warnings"]) == (3, 1, 1)
    first = report["diagnostics"][0]
    assert set(first) == {"file", "line", "column", "severity", "rule", "message", "hint", "suppressed"}
    by_rule = {d["rule"]: d for d in report["diagnostics"]}
    assert by_rule["unknown-field"]["file"].endswith("unknown-field.yaml")
    assert (by_rule["unknown-field"]["line"], by_rule["unknown-field"]["column"]) == (9, 5)
    assert by_rule["unknown-field"]["severity"] == "error"
    assert by_rule["unknown-field"]["hint"] == "did you mean 'title'?"
    assert by_rule["unreachable-node"]["severity"] == "warning"


def test_json_report_of_a_clean_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, "--format=json", str(GOOD))
    assert code == 0
    assert json.loads(out) == {"files_checked": 1, "errors": 0, "warnings": 0, "suppressed": 0, "diagnostics": []}


def test_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = validate(capsys, str(GOOD), str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "nope.yaml" in err and "no such file" in err
    assert out == ""


def test_a_folder_without_flows_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = validate(capsys, str(tmp_path))
    assert code == 2 and "no flow files" in err


@pytest.mark.parametrize("args", [["--format", "xml", str(GOOD)], ["--frobnicate", str(GOOD)], ["--format"]])
def test_a_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = validate(capsys, *args)
    assert code == 2
    assert "usage:" in err and "error:" in err
    assert out == ""


def test_duplicate_flow_ids_across_files_name_both_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, str(GOOD), str(BAD / "duplicate-flow-id.yaml"))
    assert code == 1
    [line] = [line for line in out.splitlines() if "duplicate-flow-id" in line]
    assert "duplicate-flow-id.yaml:2:5: error duplicate-flow-id" in line
    assert "good.yaml" in line


def run_selfhelp(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "selfhelp", *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


def test_in_a_real_process_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "binary.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin1.yaml").write_bytes(b"title: caf\xe9\n")
    (tmp_path / "huge.yaml").write_bytes(b"a: 1\n" * 300_000)
    (tmp_path / "bomb.yaml").write_bytes((BAD / "alias-expansion.yaml").read_bytes())
    (tmp_path / "deep.yaml").write_bytes(b"[" * 50_000)
    (tmp_path / "empty.yaml").write_bytes(b"")
    (tmp_path / "bignum.yaml").write_bytes(b"id: " + b"9" * 10_000 + b"\n")
    result = run_selfhelp("validate", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    rules = {m["file"]: m["rule"] for m in map(LINE_RE.match, result.stdout.splitlines()) if m}
    assert rules["binary.yaml"] == "binary-file"
    assert rules["latin1.yaml"] == "not-utf8"
    assert rules["huge.yaml"] == "file-too-large"
    assert rules["bomb.yaml"] == "alias-expansion"
    assert rules["deep.yaml"] == "too-deep"
    assert rules["empty.yaml"] == "empty-file"
    assert "invalid-value" in result.stdout and "bignum.yaml:1:5:" in result.stdout

    assert run_selfhelp("validate", str(GOOD)).returncode == 0
    usage = run_selfhelp("validate", str(tmp_path / "missing.yaml"))
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    usage = run_selfhelp("validate", "--format", "yaml", str(GOOD))
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
