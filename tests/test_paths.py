"""The user folders: one helper, each kind with its environment override."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from selfhelp.base.paths import user_path
from selfhelp.session.store import data_dir
from selfhelp.tui.config import config_path
from selfhelp.tui.first_paint import cache_path


def test_the_variable_names_the_folder(tmp_path: Path) -> None:
    env = {"SELFHELP_X": str(tmp_path)}
    assert user_path("data", "SELFHELP_X", environ=env) == tmp_path
    assert user_path("cache", "SELFHELP_X", "file.json", environ=env) == tmp_path / "file.json"


def test_the_variable_can_name_the_file_itself(tmp_path: Path) -> None:
    env = {"SELFHELP_X": str(tmp_path / "mine.yaml")}
    assert user_path("config", "SELFHELP_X", "config.yaml", env_names_file=True, environ=env) == tmp_path / "mine.yaml"


def test_a_leading_tilde_is_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_path("data", "SELFHELP_X", environ={"SELFHELP_X": "~/sh"}) == tmp_path / "sh"


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
def test_without_the_variable_the_platform_folder_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("DATA", "CONFIG", "CACHE"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    blank = {"SELFHELP_X": "  "}  # a blank variable counts as unset
    assert user_path("data", "SELFHELP_X", environ=blank) == tmp_path / "data" / "selfhelp"
    assert user_path("config", "SELFHELP_X", "c.yaml", environ=blank) == tmp_path / "config" / "selfhelp" / "c.yaml"
    assert user_path("cache", "SELFHELP_X", "f.json", env_names_file=True, environ={}) == (
        tmp_path / "cache" / "selfhelp" / "f.json"
    )


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
def test_the_three_user_paths_of_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("DATA", "CONFIG", "CACHE"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    assert data_dir({}) == tmp_path / "data" / "selfhelp"
    assert config_path({}) == tmp_path / "config" / "selfhelp" / "config.yaml"
    assert cache_path({}) == tmp_path / "cache" / "selfhelp" / "first-paint.json"
    overrides = {
        "SELFHELP_DATA_DIR": "/d",
        "SELFHELP_CONFIG": "/c/settings.yaml",
        "SELFHELP_CACHE_DIR": "/k",
    }
    assert data_dir(overrides) == Path("/d")
    assert config_path(overrides) == Path("/c/settings.yaml")
    assert cache_path(overrides) == Path("/k/first-paint.json")
