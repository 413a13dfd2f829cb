"""``selfhelp drift FLOW``: list the nodes whose article text changed since the flow was written.

With ``--accept NODE...`` or ``--all``, show each changed text and write its new hash into the flow file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from selfhelp.authoring.article import parse_article, read_article
from selfhelp.authoring.drift import AcceptError, DriftItem, accept_hashes, drift, find_article
from selfhelp.base.atomic import write_atomic
from selfhelp.base.suggest import did_you_mean
from selfhelp.commands.common import UsageError, catalog_from_args
from selfhelp.flow.validate import check_file


def run(args: argparse.Namespace) -> int:
    args.flow = _flow_file(args)
    report = check_file(args.flow)
    if not report.ok or report.flow is None:
        raise UsageError(f"{report.display} has errors; run 'selfhelp validate {report.display}'")
    article_path = _article_path(args, report.flow.source.path if report.flow.source else None)
    text, problem = read_article(article_path)
    if text is None:
        raise UsageError(f"{article_path}: {problem}")
    article = parse_article(text)
    if article.error:
        raise UsageError(f"{article_path}: {article.error}")
    items = drift(report.flow, article, report.loaded)
    if args.accept or args.accept_all:
        return _accept(args, report.display, items)
    for item in items:
        print(item.format(report.display))
    if args.hashes:
        for name, value in article.hashes().items():
            print(f"section {name!r}: {value}")
    changed = [i for i in items if i.status in ("changed", "missing")]
    untracked = sum(1 for i in items if i.status == "untracked")
    moved = sum(1 for i in items if i.status == "moved")
    print(
        f"{article_path.name}: {len(changed)} node(s) to revisit"
        + (f", {moved} node(s) to renumber (unchanged text; --all)" if moved else "")
        + (f", {untracked} node(s) without source_hash" if untracked else "")
    )
    return 1 if changed else 0


def _accept(args: argparse.Namespace, display: str, items: list[DriftItem]) -> int:
    """Show each chosen changed text, then write the new hashes into the flow file in place."""
    changed = {i.node: i for i in items if i.status in ("changed", "moved")}
    if args.accept_all:
        chosen = list(changed.values())
    else:
        unknown = [n for n in args.accept if n not in changed]
        if unknown:
            others = {i.node: i.status for i in items}
            why = [f"{n!r} ({others[n]})" if n in others else repr(n) for n in unknown]
            raise UsageError(
                "nothing to accept for " + ", ".join(why) + "; changed nodes: " + (", ".join(changed) or "none")
            )
        chosen = [changed[n] for n in dict.fromkeys(args.accept)]
    for item in chosen:
        at = f" (article line {item.article_line})" if item.article_line else ""
        if item.status == "moved":
            print(f"{display}:{item.line}: node {item.node!r}: {item.cited} is now block {item.moved_to}{at}")
            continue
        print(f"{display}:{item.line}: node {item.node!r} cites {item.cited}{at}, which now reads:")
        for line in item.current_text.split("\n"):
            print(f"    | {line}")
    if not chosen:
        print(f"{display}: no changed node to accept")
        return 0
    text = args.flow.read_text(encoding="utf-8")
    loaded = check_file(args.flow).loaded
    try:
        new_text, done = accept_hashes(text, loaded, chosen)  # type: ignore[arg-type]
    except AcceptError as exc:
        raise UsageError(f"{display}: {exc}; edit the hash by hand") from None
    write_atomic(args.flow, new_text)
    print(f"{display}: accepted the new text for {len(done)} node(s): " + ", ".join(done))
    return 0


def _flow_file(args: argparse.Namespace) -> Path:
    """The flow file named by ``args.flow``: a path, else the file of the loaded flow with that id."""
    if args.flow.is_file():
        return args.flow
    catalog = catalog_from_args(args)
    loaded = catalog.get(str(args.flow))
    if loaded is None:
        hint = did_you_mean(str(args.flow), catalog.flows)
        raise UsageError(f"no flow file or flow id {str(args.flow)!r}" + (f"; {hint}" if hint else ""))
    return loaded.path


def _article_path(args: argparse.Namespace, source_path: str | None) -> Path:
    if args.article is not None:
        return args.article
    if not source_path:
        raise UsageError("the flow names no source.path; give the article with --article")
    found = find_article(args.flow, source_path, [args.articles] if args.articles else [])
    if found is None:
        name = Path(source_path).name
        raise UsageError(f"cannot find {name} beside the flow, in --articles or here; give it with --article")
    return found
