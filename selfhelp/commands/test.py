"""``selfhelp test [PATHS...]``: run flow scenario files, report failures and coverage."""

from __future__ import annotations

import argparse
from pathlib import Path

from selfhelp.authoring.flowtest.runner import run_paths, scenario_files
from selfhelp.base.diagnostics import sort_key
from selfhelp.commands.common import UsageError, warn_missing_env_folders
from selfhelp.flow.sources import flow_sources


def run(args: argparse.Namespace) -> int:
    if args.min_coverage is not None and not 0 <= args.min_coverage <= 100:
        raise UsageError("--min-coverage takes a percentage from 0 to 100")
    sources = [] if args.paths else flow_sources([Path(p) for p in args.flows or []])
    warn_missing_env_folders(sources)
    paths: list[Path] = args.paths or [s.path for s in sources]
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    paths = [p for p in paths if p.exists()]
    if not scenario_files(paths):
        raise UsageError("no flow test files (*.test.yaml) found in " + ", ".join(str(p) for p in paths))
    results, coverage = run_paths(paths)
    passed = failed = 0
    for result in results:
        for diag in sorted(result.problems, key=sort_key):
            print(diag.format())
        for scenario in result.scenarios:
            if scenario.failure is not None:
                failed += 1
                print(scenario.failure.format(scenario.name))
            else:
                passed += 1
    broken = sum(1 for r in results if r.problems)
    print(coverage.format(details=not args.no_missed))
    summary = f"{passed} passed, {failed} failed"
    if broken:
        summary += f", {broken} file(s) could not run"
    print(summary)
    ok = failed == 0 and broken == 0
    if args.min_coverage is not None and coverage.lowest() < args.min_coverage:
        print(f"coverage {coverage.lowest():.1f}% is below --min-coverage {args.min_coverage:g}%")
        ok = False
    return 0 if ok else 1
