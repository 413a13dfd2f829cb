"""SELFHELP_FLOWS naming a folder that does not exist: one warning line on stderr, and the command goes on."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.flow.sources import FLOWS_ENV

MINI = Path(__file__).parent / "engine_flows" / "mini.yaml"


def test_a_missing_env_folder_is_named_once_and_the_rest_still_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real, missing = tmp_path / "real", tmp_path / "missing"
    real.mkdir()
    shutil.copy(MINI, real / "mini.yaml")
    monkeypatch.setenv(FLOWS_ENV, os.pathsep.join([str(missing), str(real)]))
    assert main(["list", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"selfhelp: warning: SELFHELP_FLOWS names {missing}, which does not exist; skipping it\n"
    ids = {f["id"] for f in json.loads(captured.out)["flows"]}
    assert {"mini", "cpor-customer-association"} <= ids
    # Read again in the same process (the app reads the folders twice): not warned again.
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_validate_and_test_warn_as_well(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv(FLOWS_ENV, str(first))
    assert main(["validate"]) == 0
    assert (
        capsys.readouterr().err
        == f"selfhelp: warning: SELFHELP_FLOWS names {first}, which does not exist; skipping it\n"
    )
    monkeypatch.setenv(FLOWS_ENV, str(second))
    assert main(["test"]) == 0
    assert f"SELFHELP_FLOWS names {second}, which does not exist" in capsys.readouterr().err


def test_a_missing_flows_option_is_still_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--flows", str(tmp_path / "nowhere"), "list"]) == 2
    assert capsys.readouterr().err == f"selfhelp: error: no such flow folder: {tmp_path / 'nowhere'}\n"
