"""``selfhelp import ARTICLE.md``: draft a flow from a self-help article."""

from __future__ import annotations

import argparse
import sys

from selfhelp.authoring.importer import import_text, parse_article, read_article
from selfhelp.authoring.scaffold import schema_for
from selfhelp.commands.common import UsageError, write_output
from selfhelp.flow.validate import check_bytes


def run(args: argparse.Namespace) -> int:
    text, problem = read_article(args.article)
    if text is None:
        raise UsageError(f"{args.article}: {problem}")
    form = None
    if args.form is not None:
        form_text, problem = read_article(args.form)
        if form_text is None:
            raise UsageError(f"{args.form}: {problem}")
        form = parse_article(form_text).form
        if not form:
            raise UsageError(f"{args.form} is not a support scoping form (no formElements JSON between --- lines)")
    if args.output is not None and args.output.exists() and not args.force:
        raise UsageError(f"{args.output} exists; pass --force to overwrite it")
    draft = import_text(text, path_name=args.article.name, form=form)
    name = args.article.name
    for note in draft.notes:
        if not (args.report and note.review):  # the report lists those under "needs review"
            print(f"note: {note.format(name)}", file=sys.stderr)
    if draft.data is None:
        print(f"selfhelp: cannot import {name}: {draft.error}", file=sys.stderr)
        return 1
    body = draft.to_yaml(name, schema_for(args.output) if args.output is not None else None)
    report = check_bytes(body.encode(), str(args.output or "draft"))
    if not report.ok or report.diagnostics:
        # A bug of the importer, not of the article: say so plainly rather than write a broken flow.
        for diag in report.diagnostics:
            print(diag.format(), file=sys.stderr)
        print(f"selfhelp: the draft from {name} does not validate; please report this", file=sys.stderr)
        return 1
    if args.report:
        print("\n".join(draft.report(name)), file=sys.stderr)
    write_output(args.output, body)
    nodes = len(draft.data["nodes"])
    where = f" to {args.output}" if args.output else ""
    print(
        f"selfhelp: drafted {nodes} nodes ({draft.causes} causes or steps) from {name}{where}; "
        f"{len(draft.notes)} note(s). Next: review it, then 'selfhelp validate' and 'selfhelp test'.",
        file=sys.stderr,
    )
    return 0
