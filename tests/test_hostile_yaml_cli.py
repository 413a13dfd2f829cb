"""A shallow-looking YAML file whose aliases build a value 1,000+ levels deep: every command reports it.

Each line of the file nests 38 lists, under the limit of 40; each anchor wraps the one before
through an alias, so the value built is over 1,000 levels deep. Before the depth was measured
through aliases, building it raised RecursionError in every command that loads flows.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.flow.sources import CONFIG_NAME, FLOWS_ENV

MINI = Path(__file__).parent / "engine_flows" / "mini.yaml"

#: ``id: chain`` first (so a command could name it), then 30 lines of 38 nested lists, each around the alias before.
CHAIN = (
    "id: chain\na0: &a0 x\n" + "".join(f"a{i}: &a{i} {'[' * 38}*a{i - 1}{']' * 38}\n" for i in range(1, 31))
).encode()
#: Where the chain becomes too deep: line 4 (a2), column 47 (the alias *a1 inside a2's 38 lists).
WHERE = "chain.yaml:4:47: error too-deep through the alias *a1, the value nests more than 40 levels deep"


def test_the_file_is_small_and_every_line_is_within_the_nesting_limit() -> None:
    assert len(CHAIN) < 3000
    assert max(line.count(b"[") for line in CHAIN.splitlines()) == 38


@pytest.fixture
def chain_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "chain.yaml").write_bytes(CHAIN)
    shutil.copy(MINI, folder / "mini.yaml")
    return folder


def test_validate_reports_the_chain_where_it_becomes_too_deep(
    chain_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(chain_dir)]) == 1
    out = capsys.readouterr().out
    assert WHERE in out and "RecursionError" not in out


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["list"], 0),
        (["match", "nothing like any pattern"], 0),
        (["run", "chain"], 2),  # the broken file's flow is not loaded: "no flow 'chain'"
        (["serve", "--flow", "chain"], 2),  # refused before any server starts
    ],
)
def test_commands_that_load_flows_skip_the_chain_and_say_where(
    chain_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int
) -> None:
    assert main(["--flows", str(chain_dir), *argv]) == status
    err = capsys.readouterr().err
    assert WHERE in err, err


def test_the_chain_in_selfhelp_flows_is_skipped_too(
    chain_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FLOWS_ENV, str(chain_dir))
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert WHERE in captured.err and "mini" in captured.out


def test_the_chain_as_the_project_file_is_a_lint_config_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.yaml")
    (folder / CONFIG_NAME).write_bytes(CHAIN)
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"{CONFIG_NAME}:4:47: error too-deep" in out


def test_the_chain_as_an_evaluation_set_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evals = tmp_path / "chain.yaml"
    evals.write_bytes(CHAIN)
    assert main(["match", "--evaluate", str(evals)]) == 2
    assert "chain.yaml:4:47: through the alias *a1" in capsys.readouterr().err


def test_the_chain_as_a_scenario_file_fails_that_file(chain_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (chain_dir / "chain.yaml").unlink()
    (chain_dir / "mini.test.yaml").write_bytes(CHAIN)
    assert main(["test", str(chain_dir)]) == 1
    out = capsys.readouterr().out
    assert "mini.test.yaml:4:47: error too-deep" in out and "1 file(s) could not run" in out


def test_in_a_separate_process_no_traceback(chain_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "selfhelp", "--flows", str(chain_dir), "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert WHERE in done.stderr and "Traceback" not in done.stderr
    assert "mini" in done.stdout
