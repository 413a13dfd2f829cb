"""What several subcommands share: the flow folders and the catalog from the global options.

Only the standard library and stdlib-only modules at the top: the app's start
imports this module and paints the cached first screen before pydantic loads.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from selfhelp.flow.sources import FLOWS_ENV, FlowSource, flow_sources
from selfhelp.tui.first_paint import skipped_lines

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


def sources_from_args(args: argparse.Namespace) -> list[FlowSource]:
    """The shipped flows, SELFHELP_FLOWS and every ``--flows`` folder.

    A missing ``--flows`` folder is a usage error; a missing SELFHELP_FLOWS folder only a warning
    (see :func:`warn_missing_env_folders`): the variable may be set for other work, in another folder.
    """
    extra = [Path(p) for p in getattr(args, "flows", None) or []]
    missing = [str(p) for p in extra if not p.exists()]
    if missing:
        raise UsageError(f"no such flow folder: {', '.join(missing)}")
    sources = flow_sources(extra)
    warn_missing_env_folders(sources)
    return sources


#: The SELFHELP_FLOWS folders already warned about: a command may read the sources twice (the app reads
#: them again in a worker, where nothing must be printed), and one line a folder is enough.
_warned: set[Path] = set()


def warn_missing_env_folders(sources: list[FlowSource]) -> None:
    """Say on stderr, once a folder, that a folder SELFHELP_FLOWS names does not exist, and go on."""
    for source in sources:
        if source.origin == "env" and source.path not in _warned and not source.path.exists():
            _warned.add(source.path)
            print(
                f"selfhelp: warning: {FLOWS_ENV} names {source.path}, which does not exist; skipping it",
                file=sys.stderr,
            )


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    """Load the shipped flows, SELFHELP_FLOWS and every ``--flows`` folder."""
    from selfhelp.flow.catalog import load_catalog  # pydantic: the app paints a cached screen before it loads

    return load_catalog(sources_from_args(args))


def load_for_app(sources: list[FlowSource]) -> tuple[Catalog, Callable[[], None]]:
    """Load the flows, and say how to refresh the first-paint cache from them (once the app has painted).

    The refresh runs its job once, however often it is called, from whichever thread.
    """
    from selfhelp.flow.catalog import load_catalog
    from selfhelp.tui.first_paint import remember, stamp_files

    stamps = stamp_files(sources)  # before reading: a file changed meanwhile is then not cached
    catalog = load_catalog(sources)
    return catalog, _once(lambda: remember(sources, catalog, stamps))


def _once(job: Callable[[], None]) -> Callable[[], None]:
    """``job``, run by the first call only; a second call meanwhile waits for it (calls may come from two threads)."""
    lock = threading.Lock()
    done = False

    def run_once() -> None:
        nonlocal done
        with lock:
            if not done:
                done = True
                job()

    return run_once


def write_output(path: Path | None, text: str) -> None:
    """Write ``text`` to ``path``, or to standard output when no path is given; a failed write is a usage error."""
    if path is None:
        sys.stdout.write(text)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def warn_broken(catalog: Catalog) -> None:
    """Tell the user, on stderr, about flow files that could not be loaded (and why, briefly)."""
    for line in skipped_lines(catalog):
        print(line, file=sys.stderr)


# --- the terminal the app needs ---------------------------------------------------------
#
# Without this check, ``selfhelp run X </dev/null | cat`` writes escape codes and waits forever for keys
# that never come, and ``TERM=dumb`` gets the full-screen UI anyway. The app-opening commands
# (``selfhelp``, ``run``, ``resume ID``) call :func:`require_terminal` first.

#: The commands that work without a terminal, named in the refusal.
WITHOUT_TERMINAL = "'selfhelp match', 'selfhelp summary' or 'selfhelp resume --json'"


def _is_tty(stream: IO[str] | None) -> bool:
    """Whether ``stream`` is a terminal; a missing or closed stream is not one."""
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


def is_terminal(stream: IO[str] | None) -> bool:
    """Whether ``stream`` is a terminal (a person reads it), not a file or a pipe."""
    return _is_tty(stream)


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


def printable(text: str) -> str:
    """``text`` as UTF-8 can carry it: a lone surrogate (a file name's undecodable byte, half a character
    written as an escape in a file) is spelled as its escape, ``\\udcff``, where printing it would raise.
    In JSON output the escape reads back as what it stands for."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
