"""``selfhelp summary ID``: a saved session's case summary, as Markdown, plain text or JSON."""

from __future__ import annotations

import argparse
import sys

from selfhelp.commands.common import UsageError, catalog_from_args, is_terminal, printable, warn_broken
from selfhelp.session.handoff import build_summary, save_summary
from selfhelp.session.store import SessionNotFound, SessionStore, StoreError


def run(args: argparse.Namespace) -> int:
    catalog = catalog_from_args(args)
    warn_broken(catalog)
    try:
        session, notice = SessionStore().resume(args.session_id, catalog)
    except SessionNotFound as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        print(f"selfhelp: {exc}", file=sys.stderr)
        return 1
    if notice:
        print(f"selfhelp: {notice}", file=sys.stderr)
    summary = build_summary(session)
    if args.save:
        try:
            saved = save_summary(summary)
        except OSError as exc:
            print(f"selfhelp: cannot save the case summary: {exc}", file=sys.stderr)
            return 1
        print(f"saved {saved.markdown}\nsaved {saved.json}", file=sys.stderr)
    # Markdown's escapes (1\\.0.0) are noise to a person reading a terminal: it gets the plain text.
    output = args.format or ("text" if is_terminal(sys.stdout) else "markdown")
    rendered = {"markdown": summary.to_markdown, "text": summary.to_text, "json": summary.to_json}[output]()
    sys.stdout.write(printable(rendered))
    return 0
