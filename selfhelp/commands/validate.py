"""``selfhelp validate [PATHS...]``: report every problem in every flow file at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from selfhelp.authoring.drift import article_sections
from selfhelp.base.diagnostics import format_json, format_text, has_errors
from selfhelp.commands.common import UsageError, warn_missing_env_folders
from selfhelp.flow.sources import flow_sources
from selfhelp.flow.validate import check_files, flow_files, unique


def run(args: argparse.Namespace) -> int:
    sources = [] if args.paths else flow_sources([Path(p) for p in args.flows or []])
    warn_missing_env_folders(sources)
    paths: list[Path] = args.paths or [s.path for s in sources]
    missing = [str(p) for p in paths if not p.exists()]
    if missing and args.paths:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    paths = [p for p in paths if p.exists()]
    files = flow_files(paths)
    if args.paths and not files:
        raise UsageError("no flow files (*.yaml, *.yml) found in " + ", ".join(str(p) for p in paths))
    # Sources are checked against the article where it can be found, as 'selfhelp drift' finds it.
    # A redirect may name any flow the app would load with these files, not only the files given.
    known = _catalog_ids(args) if args.paths else set()
    reports = check_files(paths, sections=article_sections, known_flows=known, examples=True)
    diags = unique(d for r in reports for d in r.diagnostics)
    print(
        format_json(diags, len(reports))
        if args.format == "json"
        else format_text(diags, len(reports), show_suppressed=args.show_suppressed)
    )
    return 1 if has_errors(diags) else 0


def _catalog_ids(args: argparse.Namespace) -> set[str]:
    """The ids of the flows the app loads (shipped, SELFHELP_FLOWS, ``--flows``), usable or not reported here."""
    from selfhelp.flow.catalog import load_catalog

    return set(load_catalog(flow_sources([Path(p) for p in args.flows or []])).flows)
