"""Set-up shared by every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep every test, and the apps and servers they start in subprocesses, out of the user's cache folder.

    Loading flows writes no cache (tests/test_first_paint.py proves it); starting the app does, and some
    tests start it in a child process (``selfhelp serve`` runs one per browser session) without saying where.
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
