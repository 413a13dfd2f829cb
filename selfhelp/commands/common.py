"""What several subcommands share: the flow folders and the catalog from the global options.

Standard library only at the top: every command module imports this one when
the parser is built, and ``selfhelp --help`` must not pay for pydantic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog
    from selfhelp.flow.sources import FlowSource


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


def sources_from_args(args: argparse.Namespace) -> list[FlowSource]:
    """The shipped flows, SELFHELP_FLOWS and every ``--flows`` folder.

    A missing ``--flows`` folder is a usage error; a missing SELFHELP_FLOWS folder only a warning
    (see :func:`warn_missing_env_folders`): the variable may be set for other work, in another folder.
    """
    from selfhelp.flow.sources import flow_sources

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
    from selfhelp.flow.sources import FLOWS_ENV

    for source in sources:
        if source.origin == "env" and source.path not in _warned and not source.path.exists():
            _warned.add(source.path)
            print(
                f"selfhelp: warning: {FLOWS_ENV} names {source.path}, which does not exist; skipping it",
                file=sys.stderr,
            )


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    """Load the shipped flows, SELFHELP_FLOWS and every ``--flows`` folder."""
    from selfhelp.flow.catalog import load_catalog

    return load_catalog(sources_from_args(args))


def warn_broken(catalog: Catalog) -> None:
    """Tell the user, on stderr, about flow files that could not be loaded (and why, briefly)."""
    from selfhelp.tui.first_paint import skipped_lines

    for line in skipped_lines(catalog):
        print(line, file=sys.stderr)
