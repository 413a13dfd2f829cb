"""``selfhelp`` and ``selfhelp run FLOW_ID``: open the terminal app."""

from __future__ import annotations

import argparse

from selfhelp.commands.common import UsageError, catalog_from_args, warn_broken
from selfhelp.validate import did_you_mean

ORDER = 10


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="open the app at a flow's first question")
    parser.add_argument("flow_id", help="the flow's id (see 'selfhelp list')")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    catalog = catalog_from_args(args)
    warn_broken(catalog)
    flow_id = getattr(args, "flow_id", None)
    if flow_id is not None and catalog.get(flow_id) is None:
        hint = did_you_mean(flow_id, catalog.flows)
        raise UsageError(f"no flow {flow_id!r}" + (f"; {hint}" if hint else "; see 'selfhelp list'"))
    if not catalog.flows:
        raise UsageError("no usable flows found; see 'selfhelp validate'")
    from selfhelp.tui.app import run_app  # Textual loads only when the app really runs

    return run_app(catalog, flow_id=flow_id, agent=args.agent)
