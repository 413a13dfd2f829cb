"""``selfhelp`` and ``selfhelp run FLOW_ID``: open the terminal app.

When the first-paint cache (:mod:`selfhelp.tui.first_paint`) still fits the flow
files, the app paints the first question from it straight away and loads the
flows behind it. On a miss (the first start, or any flow file changed), a named
flow is loaded and checked from its own file alone
(:func:`~selfhelp.flow.catalog.load_one`), its first question painted, and the
rest of the catalog loaded behind it in the same way. Only when that cannot be
done (no flow named, agent mode, a flow that is not usable, or one that does not
open on a question) are all flows loaded before painting, as without a cache, so
errors read as they always did. Either way the cache is refreshed from what was
loaded once the first question is on screen: only the commands that start the
app write it (this one and ``resume``).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from selfhelp.commands.common import UsageError, load_for_app, require_terminal, sources_from_args, warn_broken

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog
    from selfhelp.flow.sources import FlowSource
    from selfhelp.tui.app import Loaded
    from selfhelp.tui.first_paint import FirstScreen


def run(args: argparse.Namespace) -> int:
    require_terminal()
    from selfhelp.tui import first_paint

    flow_id: str | None = getattr(args, "flow_id", None)
    sources = sources_from_args(args)
    hit = None if args.agent else first_paint.lookup(sources, flow_id)
    preview: FirstScreen | None = None
    printed: tuple[str, ...] = ()
    if hit is not None:
        for line in hit.warnings:  # what loading said last time, about the very same files
            print(line, file=sys.stderr)
        preview, printed = hit.screen, hit.warnings
    elif not args.agent and flow_id is not None:  # agent mode needs the whole flow for its map: loaded first
        preview = opening(sources, flow_id)
    if preview is not None:
        from selfhelp.tui.app import run_app  # Textual loads only when the app really runs

        load, settle = _behind(sources, args, printed)
        status = run_app(
            None, flow_id=preview.flow_id, preview=preview, loader=load, online=getattr(args, "online", False)
        )
        if hit is None:
            settle()  # closed before the load behind the paint: the cache is still for the next start
        return status
    catalog, refresh = load_for_app(sources)
    warn_broken(catalog)
    check_flow(catalog, flow_id)
    from selfhelp.tui.app import run_app

    status = run_app(
        catalog, flow_id=flow_id, agent=args.agent, after_paint=refresh, online=getattr(args, "online", False)
    )
    refresh()  # in case the app closed before its first paint: the cache is for the next start
    return status


def opening(sources: list[FlowSource], flow_id: str) -> FirstScreen | None:
    """On a cache miss: the first screen of ``flow_id``, from its own file alone, or ``None`` to load all first.

    The other flow files are not loaded here: they load behind the painted
    question, so a slow or broken one elsewhere does not hold it back.
    """
    from selfhelp.flow.catalog import load_one
    from selfhelp.tui.first_paint import opening_screen

    loaded = load_one(sources, flow_id)
    return None if loaded is None else opening_screen(loaded.flow)


def check_flow(catalog: Catalog, flow_id: str | None) -> None:
    """Refuse an unknown flow id, or a catalog with no usable flow (a usage error, with a suggestion)."""
    if flow_id is not None and catalog.get(flow_id) is None:
        from selfhelp.base.suggest import did_you_mean

        hint = did_you_mean(flow_id, catalog.flows)
        raise UsageError(f"no flow {flow_id!r}" + (f"; {hint}" if hint else "; see 'selfhelp list'"))
    if not catalog.flows:
        raise UsageError("no usable flows found; see 'selfhelp validate'")


def _behind(
    sources: list[FlowSource], args: argparse.Namespace, printed: Sequence[str]
) -> tuple[Callable[[], Loaded], Callable[[], None]]:
    """The load behind the painted first screen (see :func:`_load`), and what refreshes the cache if it never ran.

    The app may close before its worker has loaded anything (quitting at once);
    the second function, called once the app has closed, then refreshes the
    cache as a start that loaded first would have. It waits for a load still
    running, and does nothing after one that finished.
    """
    lock = threading.Lock()
    done = False

    def load() -> Loaded:
        nonlocal done
        with lock:
            loaded = _load(sources, args, printed)
            done = True
            return loaded

    def settle() -> None:
        with lock:
            if not done:
                load_for_app(sources)[1]()

    return load, settle


def _load(sources: list[FlowSource], args: argparse.Namespace, printed: Sequence[str]) -> Loaded:
    """Load the catalog behind the painted first screen, and refresh the cache (in a worker thread: no printing).

    Checks the flow as a start that loads first would; a :class:`UsageError` is
    raised again once the app has closed, so the user reads it as usual. Lines
    about unusable flow files not among ``printed`` (already on the terminal) are
    for the app to tell.
    """
    from selfhelp.tui.app import Loaded
    from selfhelp.tui.first_paint import skipped_lines

    catalog, refresh = load_for_app(sources)
    flow_id: str | None = getattr(args, "flow_id", None)
    check_flow(catalog, flow_id)
    if flow_id is None and len(catalog.flows) == 1:
        flow_id = next(iter(catalog.flows))
    refresh()  # already behind the painted screen
    news = [line for line in skipped_lines(catalog) if line not in printed]
    return Loaded(catalog, flow_id, news)
