"""``selfhelp drift FLOW``: list the nodes whose article section changed since the flow was written."""

from __future__ import annotations

import argparse
from pathlib import Path

from selfhelp.commands.common import UsageError

ORDER = 61


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "drift",
        help="list the nodes whose source section in the article changed (exit 0 none, 1 some, 2 usage)",
        description="Hash each section of the flow's article again and compare with the nodes' source_hash. "
        "The article is --article, else the flow's source.path beside the flow file, in --articles, "
        "or in the working folder.",
    )
    parser.add_argument("flow", type=Path, help="a flow file, or the id of a loaded flow")
    parser.add_argument("--article", type=Path, help="the article file")
    parser.add_argument("--articles", type=Path, metavar="DIR", help="a folder of articles to find source.path in")
    parser.add_argument("--hashes", action="store_true", help="also print each section's current hash")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from selfhelp.authoring.drift import drift
    from selfhelp.authoring.importer import parse_article, read_article
    from selfhelp.flow.validate import check_file

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
    for item in items:
        print(item.format(report.display))
    if args.hashes:
        for name, value in article.hashes().items():
            print(f"section {name!r}: {value}")
    changed = [i for i in items if i.status != "untracked"]
    untracked = len(items) - len(changed)
    print(
        f"{article_path.name}: {len(changed)} node(s) to revisit"
        + (f", {untracked} node(s) without source_hash" if untracked else "")
    )
    return 1 if changed else 0


def _flow_file(args: argparse.Namespace) -> Path:
    """The flow file named by ``args.flow``: a path, else the file of the loaded flow with that id."""
    if args.flow.is_file():
        return args.flow
    from selfhelp.commands.common import catalog_from_args
    from selfhelp.flow.validate import did_you_mean

    catalog = catalog_from_args(args)
    loaded = catalog.get(str(args.flow))
    if loaded is None:
        hint = did_you_mean(str(args.flow), catalog.flows)
        raise UsageError(f"no flow file or flow id {str(args.flow)!r}" + (f"; {hint}" if hint else ""))
    return loaded.path


def _article_path(args: argparse.Namespace, source_path: str | None) -> Path:
    from selfhelp.authoring.drift import find_article

    if args.article is not None:
        return args.article
    if not source_path:
        raise UsageError("the flow names no source.path; give the article with --article")
    found = find_article(args.flow, source_path, [args.articles] if args.articles else [])
    if found is None:
        name = Path(source_path).name
        raise UsageError(f"cannot find {name} beside the flow, in --articles or here; give it with --article")
    return found
