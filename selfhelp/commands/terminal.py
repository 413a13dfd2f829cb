"""Refuse to open the app where there is no terminal to draw it on.

Without this, ``selfhelp run X </dev/null | cat`` writes escape codes and waits
forever for keys that never come, and ``TERM=dumb`` gets the full-screen UI
anyway. The app-opening commands (``selfhelp``, ``run``, ``resume ID``) call
:func:`require_terminal` first; the commands meant for scripts work as before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO

from selfhelp.commands.common import UsageError

#: The commands that work without a terminal, named in the refusal.
WITHOUT_TERMINAL = "'selfhelp match', 'selfhelp summary' or 'selfhelp resume --json'"


def _is_tty(stream: IO[str] | None) -> bool:
    """Whether ``stream`` is a terminal; a missing or closed stream is not one."""
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


def why_no_terminal(*, stdin: bool, stdout: bool, stderr: bool, environ: Mapping[str, str]) -> str | None:
    """Why the app cannot be drawn here, or ``None`` when it can.

    ``stdin``, ``stdout`` and ``stderr`` say whether each is a terminal: Textual
    reads keys from stdin and draws on stderr, and a redirected stdout means a
    script is reading. ``TEXTUAL_DRIVER`` set means the screen is not a terminal
    at all: textual-serve sets it (to its web driver) for every browser
    session, whose streams are pipes.
    """
    if environ.get("TEXTUAL_DRIVER"):
        return None
    for name, is_tty in (("stdin", stdin), ("stdout", stdout), ("stderr", stderr)):
        if not is_tty:
            return f"{name} is not a terminal"
    if environ.get("TERM") == "dumb":
        return "TERM=dumb says this terminal cannot draw it"
    return None


def terminal_missing() -> str | None:
    """:func:`why_no_terminal` for this process (tests that drive the app in-process replace this)."""
    return why_no_terminal(
        stdin=_is_tty(sys.stdin), stdout=_is_tty(sys.stdout), stderr=_is_tty(sys.stderr), environ=os.environ
    )


def require_terminal() -> None:
    """Raise a :class:`UsageError` (exit status 2, one line) when the app cannot be drawn here."""
    reason = terminal_missing()
    if reason is not None:
        raise UsageError(f"the app needs a terminal ({reason}); without one, use {WITHOUT_TERMINAL}")
