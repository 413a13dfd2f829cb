"""``selfhelp resume [ID]``: list the unfinished sessions, or continue one in the app."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from selfhelp.commands.common import (
    UsageError,
    load_for_app,
    printable,
    require_terminal,
    sources_from_args,
    warn_broken,
)

if TYPE_CHECKING:
    from selfhelp.session.store import SessionStore

#: Ids are shown cut to this length: enough to be unique, and 'resume' accepts any unique prefix.
SHORT_ID = 12


def run(args: argparse.Namespace) -> int:
    if args.session_id is not None:  # continuing a session opens the app; listing does not
        require_terminal()
    from selfhelp.session.store import SessionNotFound, SessionStore, StoreError

    store = SessionStore()
    if args.session_id is None:
        return _list(store, show_all=args.all, as_json=args.json)
    catalog, refresh_first_paint = load_for_app(sources_from_args(args))
    warn_broken(catalog)
    from selfhelp.matcher import default_matcher

    try:
        # Opened for writing here, before the app starts: a second selfhelp on the same session is told
        # at once (SessionConflict) and writes nothing, rather than overwriting the first one's answers.
        session, notice = store.resume(args.session_id, catalog, matcher=default_matcher(), claim=True)
    except SessionNotFound as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        print(f"selfhelp: {exc}", file=sys.stderr)
        return 1
    from selfhelp.tui.app import run_app  # Textual loads only when the app really runs

    # The flows are loaded: the next 'selfhelp run' can paint its first question from them.
    status = run_app(
        catalog,
        flow_id=session.flow.id,
        agent=args.agent,
        session=session,
        notice=notice,
        after_paint=refresh_first_paint,
        online=getattr(args, "online", False),
    )
    refresh_first_paint()
    return status


def _list(store: SessionStore, *, show_all: bool, as_json: bool) -> int:
    from selfhelp.base.text import shown

    listing = store.list() if show_all else store.unfinished()
    for skipped in listing.skipped:
        print(printable(f"selfhelp: skipped {skipped.path}: {skipped.reason}"), file=sys.stderr)
    if as_json:
        data = {
            "folder": str(store.folder),
            "sessions": [s.model_dump(mode="json") for s in listing.sessions],
            "skipped": [s.model_dump(mode="json") for s in listing.skipped],
        }
        print(printable(json.dumps(data, indent=2, ensure_ascii=False)))
        return 0
    # A session with no answer yet (opened, then closed, or started again) has nothing to continue.
    sessions = listing.sessions if show_all else [s for s in listing.sessions if s.steps > 0]
    empty = len(listing.sessions) - len(sessions)
    if not sessions:
        kind = "saved" if show_all else "unfinished"
        print(printable(f"No {kind} sessions in {store.folder}."))
        if empty:
            print(f"({empty} with no answer yet not shown: --all lists them.)")
        return 0
    print(f"{'ID':<{SHORT_ID}}  {'UPDATED':<20}  {'STEPS':>5}  FLOW: STEP")
    for s in sessions:
        # Titles come from files on disk: never let them carry terminal control sequences.
        step = shown(s.node_title or s.node) + (" (finished)" if s.finished else "")
        updated = s.updated[:16].replace("T", " ") + " UTC"  # ISO 8601 in UTC, to the minute
        print(printable(f"{s.id[:SHORT_ID]:<{SHORT_ID}}  {updated:<20}  {s.steps:>5}  {shown(s.flow_id)}: {step}"))
    if empty:
        print(f"({empty} with no answer yet not shown: --all lists them.)")
    print("\nContinue one with: selfhelp resume ID")
    return 0
