"""``selfhelp graph FLOW``: draw a flow as Mermaid or Graphviz DOT."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from selfhelp.authoring.export import export
from selfhelp.base.diagnostics import format_text
from selfhelp.base.suggest import did_you_mean
from selfhelp.commands.common import UsageError, catalog_from_args
from selfhelp.flow.models import Flow
from selfhelp.flow.validate import check_file


def run(args: argparse.Namespace) -> int:
    flow = load_flow_arg(args)
    if flow is None:
        return 1
    sys.stdout.write(export(flow, args.format))
    return 0


def load_flow_arg(args: argparse.Namespace) -> Flow | None:
    """The flow named by ``args.flow``: a file path, else a loaded flow's id. Prints the problems of a broken file."""
    path = Path(args.flow)
    if path.is_file():
        report = check_file(path)
        if not report.ok or report.flow is None:
            print(format_text(report.diagnostics, 1), file=sys.stderr)
            print(f"selfhelp: {report.display} has errors; fix them first", file=sys.stderr)
            return None
        return report.flow
    catalog = catalog_from_args(args)
    loaded = catalog.get(args.flow)
    if loaded is None:
        hint = did_you_mean(args.flow, catalog.flows)
        raise UsageError(f"no flow file or flow id {args.flow!r}" + (f"; {hint}" if hint else "; see 'selfhelp list'"))
    return loaded.flow
