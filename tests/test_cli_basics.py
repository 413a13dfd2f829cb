"""The command line's common parts: version, list, flow folders, usage errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp import __version__
from selfhelp.cli import main
from selfhelp.flow.catalog import FLOWS_ENV, flow_sources, load_catalog, shipped_flows_dir

MINI = Path(__file__).parent / "engine_flows" / "mini.yaml"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"selfhelp {__version__}"


def test_python_dash_m_works() -> None:
    out = subprocess.run([sys.executable, "-m", "selfhelp", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"selfhelp {__version__}"


def test_list_shows_the_shipped_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    flows = json.loads(capsys.readouterr().out)["flows"]
    cpor = next(f for f in flows if f["id"] == "cpor-customer-association")
    assert cpor["origin"] == "shipped" and cpor["title"]


def test_extra_folders_from_option_and_env(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(MINI, a / "mini.yaml")
    (b / "other.yaml").write_text(MINI.read_text().replace("id: mini", "id: other"))
    monkeypatch.setenv(FLOWS_ENV, str(b))
    assert main(["--flows", str(a), "list", "--json"]) == 0
    rows = {f["id"]: f["origin"] for f in json.loads(capsys.readouterr().out)["flows"]}
    assert rows["mini"] == "option" and rows["other"] == "env" and rows["cpor-customer-association"] == "shipped"


def test_same_flow_id_in_two_folders_is_an_error_naming_both(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(MINI, a / "mini.yaml")
    shutil.copy(MINI, b / "copy.yaml")
    catalog = load_catalog(flow_sources([a, b], include_shipped=False, environ={}))
    [diag] = [d for d in catalog.problems if d.rule == "duplicate-flow-id"]
    assert "a/mini.yaml" in diag.message.replace("\\", "/") and diag.file.endswith("copy.yaml")
    assert diag.line == 1


def test_missing_flow_folder_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--flows", "/no/such/folder", "list"]) == 2
    assert "no such flow folder" in capsys.readouterr().err


def test_unknown_flow_is_a_usage_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELFHELP_CACHE_DIR", str(tmp_path / "cache"))  # 'run' reads the start-up cache: not the user's
    assert main(["run", "cpor-customer-asociation"]) == 2
    assert "did you mean 'cpor-customer-association'" in capsys.readouterr().err


def test_shipped_flows_dir_exists() -> None:
    assert (shipped_flows_dir() / "cpor-customer-association.yaml").is_file()


def test_version_help_and_parsing_do_not_import_pydantic() -> None:
    """The parser comes from the table of commands alone: --version, --help and parsing load no pydantic."""
    code = (
        "import sys, contextlib, io\n"
        "from selfhelp.cli import build_parser, main\n"
        "for argv in (['--version'], ['--help'], ['run', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n            main(argv)\n        except SystemExit:\n            pass\n"
        "build_parser().parse_args(['run', 'some-flow'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml', 'textual', 'rich')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
