"""``selfhelp validate [PATHS...]``: report every problem in every flow file at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from selfhelp.commands.common import UsageError

ORDER = 30


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="check flow files and report every problem (exit 0 clean, 1 errors, 2 usage)",
        description="Check flow files: YAML safety, the schema and the graph rules. "
        "With no paths, checks every flow selfhelp would load.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="flow files or folders (default: every loaded folder)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument(
        "--show-suppressed", action="store_true", help="also list problems switched off by .selfhelp.yaml or lint_off"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from selfhelp.base.diagnostics import format_json, format_text, has_errors
    from selfhelp.commands.common import warn_missing_env_folders
    from selfhelp.flow.sources import flow_sources
    from selfhelp.flow.validate import check_files, flow_files, unique

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
    from selfhelp.authoring.drift import article_sections

    # Sources are checked against the article where it can be found, as 'selfhelp drift' finds it.
    reports = check_files(paths, sections=article_sections)
    diags = unique(d for r in reports for d in r.diagnostics)
    print(
        format_json(diags, len(reports))
        if args.format == "json"
        else format_text(diags, len(reports), show_suppressed=args.show_suppressed)
    )
    return 1 if has_errors(diags) else 0
