"""What several subcommands share: the flow folders and the catalog from the global options.

Only the standard library and stdlib-only modules at the top: the app's start
imports this module and paints the cached first screen before pydantic loads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from selfhelp.flow.sources import FLOWS_ENV, FlowSource, flow_sources
from selfhelp.tui.first_paint import fingerprint, remember, skipped_lines

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
    return load_and_remember(sources_from_args(args))


def load_and_remember(sources: list[FlowSource]) -> Catalog:
    """Load the flows below ``sources`` and remember each one's first screen for the next start.

    Every command that loads flows warms the first-paint cache
    (:mod:`selfhelp.tui.first_paint`) this way; the files are stamped before
    they are read, so a file edited meanwhile is not cached as it was.
    """
    from selfhelp.flow.catalog import load_catalog  # pydantic: the app paints a cached screen before it loads

    try:
        stamps = fingerprint(sources)
    except OSError:
        stamps = None  # a file vanished while listing: no cache this time
    catalog = load_catalog(sources)
    if stamps is not None:
        remember(sources, catalog, stamps)
    return catalog


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
