"""What several subcommands share: loading the catalog from the global options."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from selfhelp.catalog import Catalog, flow_sources, load_catalog


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    """Load the shipped flows, SELFHELP_FLOWS and every ``--flows`` folder."""
    extra = [Path(p) for p in getattr(args, "flows", None) or []]
    missing = [str(p) for p in extra if not p.exists()]
    if missing:
        raise UsageError(f"no such flow folder: {', '.join(missing)}")
    return load_catalog(flow_sources(extra))


def warn_broken(catalog: Catalog) -> None:
    """Tell the user, on stderr, about flow files that could not be loaded (and why, briefly)."""
    for report in catalog.broken:
        errors = [d for d in report.diagnostics if d.severity.value == "error"]
        first = errors[0].format().splitlines()[0] if errors else "unusable"
        more = f" (+{len(errors) - 1} more; run 'selfhelp validate {report.display}')" if len(errors) > 1 else ""
        print(f"selfhelp: skipped {report.display}: {first}{more}", file=sys.stderr)
