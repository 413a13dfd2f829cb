"""What several subcommands share: the flow folders and the catalog from the global options.

Only the standard library and stdlib-only modules at the top: the app's start
imports this module and paints the cached first screen before pydantic loads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from selfhelp.flow.sources import FlowSource, flow_sources
from selfhelp.tui.first_paint import fingerprint, remember, skipped_lines

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


def sources_from_args(args: argparse.Namespace) -> list[FlowSource]:
    """The shipped flows, SELFHELP_FLOWS and every ``--flows`` folder (a missing folder is a usage error)."""
    extra = [Path(p) for p in getattr(args, "flows", None) or []]
    missing = [str(p) for p in extra if not p.exists()]
    if missing:
        raise UsageError(f"no such flow folder: {', '.join(missing)}")
    return flow_sources(extra)


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


def warn_broken(catalog: Catalog) -> None:
    """Tell the user, on stderr, about flow files that could not be loaded (and why, briefly)."""
    for line in skipped_lines(catalog):
        print(line, file=sys.stderr)


def printable(text: str) -> str:
    """``text`` as UTF-8 can carry it: a lone surrogate (a file name's undecodable byte, half a character
    written as an escape in a file) is spelled as its escape, ``\\udcff``, where printing it would raise.
    In JSON output the escape reads back as what it stands for."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
