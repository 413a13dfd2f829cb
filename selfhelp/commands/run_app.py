"""``selfhelp`` and ``selfhelp run FLOW_ID``: open the terminal app.

When the first-paint cache (:mod:`selfhelp.tui.first_paint`) still fits the flow
files, the app paints the first question from it straight away and loads the
flows behind it; otherwise it loads them first, as without a cache. Either way
the cache is refreshed from what was loaded once the first question is on
screen: only the commands that start the app write it (this one and ``resume``).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from selfhelp.commands.common import UsageError, load_for_app, require_terminal, sources_from_args, warn_broken

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog
    from selfhelp.flow.sources import FlowSource
    from selfhelp.tui.app import Loaded
    from selfhelp.tui.first_paint import Hit


def run(args: argparse.Namespace) -> int:
    require_terminal()
    from selfhelp.tui import first_paint

    flow_id: str | None = getattr(args, "flow_id", None)
    sources = sources_from_args(args)
    hit = None if args.agent else first_paint.lookup(sources, flow_id)
    if hit is not None:
        for line in hit.warnings:  # what loading said last time, about the very same files
            print(line, file=sys.stderr)
        from selfhelp.tui.app import run_app  # Textual loads only when the app really runs

        return run_app(
            None,
            flow_id=hit.screen.flow_id,
            preview=hit.screen,
            loader=lambda: _load(sources, args, hit),
            online=getattr(args, "online", False),
        )
    catalog, refresh = load_for_app(sources)
    warn_broken(catalog)
    check_flow(catalog, flow_id)
    from selfhelp.tui.app import run_app

    status = run_app(
        catalog, flow_id=flow_id, agent=args.agent, after_paint=refresh, online=getattr(args, "online", False)
    )
    refresh()  # in case the app closed before its first paint: the cache is for the next start
    return status


def check_flow(catalog: Catalog, flow_id: str | None) -> None:
    """Refuse an unknown flow id, or a catalog with no usable flow (a usage error, with a suggestion)."""
    if flow_id is not None and catalog.get(flow_id) is None:
        from selfhelp.base.suggest import did_you_mean

        hint = did_you_mean(flow_id, catalog.flows)
        raise UsageError(f"no flow {flow_id!r}" + (f"; {hint}" if hint else "; see 'selfhelp list'"))
    if not catalog.flows:
        raise UsageError("no usable flows found; see 'selfhelp validate'")


def _load(sources: list[FlowSource], args: argparse.Namespace, hit: Hit) -> Loaded:
    """Load the catalog behind the painted first screen, and refresh the cache (in a worker thread: no printing).

    Checks the flow as a start without a cache would; a :class:`UsageError` is
    raised again once the app has closed, so the user reads it as usual.
    """
    from selfhelp.tui.app import Loaded
    from selfhelp.tui.first_paint import skipped_lines

    catalog, refresh = load_for_app(sources)
    flow_id: str | None = getattr(args, "flow_id", None)
    check_flow(catalog, flow_id)
    if flow_id is None and len(catalog.flows) == 1:
        flow_id = next(iter(catalog.flows))
    refresh()  # already behind the painted screen
    news = [line for line in skipped_lines(catalog) if line not in hit.warnings]
    return Loaded(catalog, flow_id, news)
