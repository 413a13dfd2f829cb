"""``selfhelp init``: a flows folder that validates, tests and resolves its schema outside this repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.flow.schema import flow_schema_text

OWN = Path(__file__).resolve().parent / "articles"


def _modeline_target(flow_file: Path) -> Path:
    first = flow_file.read_text(encoding="utf-8").split("\n", 1)[0]
    found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert found, first
    return flow_file.parent / found.group(1)


def test_init_scaffolds_a_working_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "team" / "flows"
    assert main(["init", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        ".selfhelp.yaml",
        "CI.md",
        "flow.schema.json",
        "sample-printer.test.yaml",
        "sample-printer.yaml",
    ]
    assert (folder / "flow.schema.json").read_text(encoding="utf-8") == flow_schema_text()
    assert _modeline_target(folder / "sample-printer.yaml").resolve() == (folder / "flow.schema.json").resolve()
    assert json.loads((folder / "flow.schema.json").read_text(encoding="utf-8"))["title"] == "selfhelp flow"
    assert f"selfhelp test {folder.as_posix()} --min-coverage 100" in (folder / "CI.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 0
    assert main(["test", str(folder), "--min-coverage", "100"]) == 0
    assert "3 passed, 0 failed" in capsys.readouterr().out


def test_drafts_imported_into_the_folder_point_at_its_schema(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "flows")]) == 0
    (tmp_path / "flows" / "drafts").mkdir()
    draft = tmp_path / "flows" / "drafts" / "claims.yaml"
    assert main(["import", str(OWN / "nested-reasons.md"), "-o", str(draft)]) == 0
    assert _modeline_target(draft).resolve() == (tmp_path / "flows" / "flow.schema.json").resolve()


def test_init_never_overwrites_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "sample-printer.yaml").write_text("# mine\n", encoding="utf-8")
    assert main(["init", str(folder)]) == 2
    assert "already has sample-printer.yaml; pass --force" in capsys.readouterr().err
    assert (folder / "sample-printer.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert not (folder / "CI.md").exists()  # nothing written when refused
    assert main(["init", str(folder), "--force"]) == 0
    assert (folder / "sample-printer.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server")
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    assert main(["init", str(a_file)]) == 2
