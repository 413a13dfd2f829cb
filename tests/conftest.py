"""Set-up shared by every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Loading flows writes the first-paint cache: keep it out of the user's cache folder (subprocesses too).

    Session-wide, so that session fixtures which load flows are covered as well.
    """
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELFHELP_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def _a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests call the app-opening commands with a stand-in app: act as if there were a terminal.

    The refusal without one is tested for real, in subprocesses (tests/test_no_terminal.py).
    """
    monkeypatch.setattr("selfhelp.commands.common.terminal_missing", lambda: None)
