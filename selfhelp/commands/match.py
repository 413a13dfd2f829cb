"""``selfhelp match``: which cause is this error message? Also ``--evaluate`` to measure and calibrate the matcher."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selfhelp.base.text import shown
from selfhelp.commands.common import UsageError, catalog_from_args, warn_broken
from selfhelp.matcher import default_matcher
from selfhelp.matcher.evaluate import (
    SPLITS,
    EvalFileError,
    EvalItem,
    Figures,
    figures,
    format_report,
    load_eval,
    reference_figures,
    report,
    score_examples,
    score_items,
    suggest_thresholds,
    tfidf_reference,
    token_set_reference,
)
from selfhelp.matcher.matcher import FuzzyMatcher, flow_thresholds

if TYPE_CHECKING:
    from selfhelp.flow.models import Flow
    from selfhelp.matcher.results import MatchResult


def run(args: argparse.Namespace) -> int:
    args.flows = [*(args.flows or []), *args.match_flows]
    if args.evaluate is not None:
        if args.text is not None:
            raise UsageError("give either TEXT or --evaluate, not both")
        return _evaluate(args)
    if args.text is None:
        raise UsageError("give the message to match as TEXT, or - to read messages from standard input")
    flows = _flows(args)
    matcher = default_matcher()
    if args.text == "-" and hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # bytes that aren't UTF-8 become U+FFFD, not a traceback
    queries = (line.rstrip("\r\n") for line in sys.stdin) if args.text == "-" else iter([args.text])
    for raw in queries:
        # Undecodable bytes in an argument arrive as lone surrogates, which can't be printed: replace them.
        query = raw.encode("utf-8", "replace").decode("utf-8")
        result = matcher.match_flow(flows[0], query) if args.flow else matcher.match_flows(flows, query)
        print(json_line(result_json(result)) if args.json else format_result(result))
        sys.stdout.flush()
    return 0


def _flows(args: argparse.Namespace) -> list[Flow]:
    catalog = catalog_from_args(args)
    warn_broken(catalog)
    if args.flow:
        loaded = catalog.get(args.flow)
        if loaded is None:
            known = ", ".join(sorted(catalog.flows)) or "none"
            raise UsageError(f"no flow with id {args.flow!r} (loaded: {known})")
        return [loaded.flow]
    if not catalog.flows:
        raise UsageError("no flows found to match against")
    return [lf.flow for _, lf in sorted(catalog.flows.items())]


def result_json(result: MatchResult) -> dict[str, Any]:
    """The result with the field names other tools read (see the issue): query, verdict, matches."""
    out: dict[str, Any] = {
        "query": result.query,
        "verdict": result.verdict,
        "matches": [
            {
                "flow": m.flow,
                "node": m.node,
                "title": m.title,
                "score": m.score,
                "pattern": m.pattern,
                "params": m.params,
            }
            for m in result.matches
        ],
    }
    if result.notice:
        out["notice"] = result.notice
    return out


def json_line(obj: object) -> str:
    """Compact JSON, readable in any script, with every control or invisible character escaped.

    JSON already escapes C0 controls; C1 controls (a terminal may read U+009B as an escape),
    format characters such as bidi overrides, and the line and paragraph separators (U+2028,
    U+2029: a line break to many readers, which would cut the line in two) are escaped here too,
    which is still valid JSON.
    """
    text = json.dumps(obj, ensure_ascii=False)
    # json.dumps of one character, ASCII-only, is its escape (a surrogate pair above U+FFFF).
    return "".join(json.dumps(ch)[1:-1] if unicodedata.category(ch) in _ESCAPED else ch for ch in text)


#: Unicode categories :func:`json_line` escapes: controls, format characters, line and paragraph separators.
_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _plain(text: str, limit: int = 100) -> str:
    """Text safe to print on a terminal: no control or escape characters, one line, cut to ``limit``."""
    text = " ".join(shown(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_result(result: MatchResult) -> str:
    """A human-readable answer: the verdict, then each candidate with its reasons."""
    heading = {
        "match": "match",
        "ambiguous": "did you mean one of these?",
        "none": "no known cause matches this message",
    }[result.verdict]
    lines = [f"{heading}: {_plain(result.query, 80)!r}"]
    for m in result.matches:
        lines.append(f"  {m.score:5.1f}  {_plain(m.title)}  [{m.flow} › {m.node}]")
        lines.append(f"         pattern: {_plain(m.pattern)!r}")
        if m.words:
            lines.append(f"         words in common: {_plain(', '.join(m.words))}")
    params = result.params or (result.matches[0].params if result.matches else {})
    if params:
        found = "; ".join(f"{kind}: {', '.join(_plain(v, 60) for v in values)}" for kind, values in params.items())
        lines.append(f"  found: {found}")
    if result.readings:
        lines.append(f"  read as: {_plain('; '.join(result.readings))}")
    if result.notice:
        lines.append(f"  note: {result.notice}")
    return "\n".join(lines)


def _evaluate(args: argparse.Namespace) -> int:
    path: Path = args.evaluate
    if not path.is_file():
        raise UsageError(f"no such evaluation file: {path}")
    try:
        evalset = load_eval(path)
    except EvalFileError as exc:
        raise UsageError(str(exc)) from None
    catalog = catalog_from_args(args)
    loaded = catalog.get(args.flow or evalset.flow)
    if loaded is None:
        raise UsageError(f"the evaluation set is for flow {evalset.flow!r}, which is not loaded")
    flow = loaded.flow
    matcher = FuzzyMatcher()
    current = flow_thresholds(flow)
    items = {s: [i for i in evalset.items if i.split == s] for s in SPLITS}
    wanted = [s for s in SPLITS if items[s]] if args.split == "all" else [args.split]
    scored = {s: score_items(matcher, [flow], items[s]) for s in wanted}
    for split, rows in scored.items():
        if rows:
            rep = report(rows, current)
            if split == "blind":
                # The blind split measures; listing its misses would invite tuning on them.
                rep = dataclasses.replace(rep, failures=[])
            print(format_report(rep, f"{split} ({len(rows)} items), current thresholds"))
            print()
    _print_figures(scored, current, {s: items[s] for s in wanted}, items["tune"], flow)
    # Thresholds are only ever calibrated on the tune split and the flow's examples, each example scored
    # without its own writer's examples (it would always find itself).
    examples = score_examples(flow)
    if examples:
        print(f"  examples matcher {_pair(figures(examples, current))} ({len(examples)}, each without its writer's)")
        print()
    tune = scored.get("tune") or score_items(matcher, [flow], items["tune"])
    calibration = tune + examples
    if calibration:
        suggested, rep = suggest_thresholds(calibration, current)
        on = f"the {len(tune)} tune items" + (f" and the {len(examples)} examples" if examples else "")
        print(
            f"suggested (calibrated on {on}): match_threshold {suggested.match:g}, "
            f"candidate_threshold {suggested.candidate:g} -> accuracy {rep.accuracy:.1%} on them, "
            f"utility {rep.utility:.3f}"
        )
        for split in ("heldout", "blind"):
            if scored.get(split):
                other = figures(scored[split], suggested)
                print(f"  with those, {split}: {_pair(other)}")
        print("  to use them for a flow, set them under its 'matching:' key.")
    return 0


def _pair(fig: Figures) -> str:
    return f"strict {fig.strict_rate:.3f} ({fig.strict}/{fig.total}), one-click {fig.one_click_rate:.3f}"


def _print_figures(
    scored: dict[str, list[Any]],
    current: Any,
    by_split: dict[str, list[EvalItem]],
    tune: list[EvalItem],
    flow: Flow,
) -> None:
    """Strict and one-click per split, the matcher's beside the references' (thresholds chosen on tune)."""
    refs = {}
    if tune:
        refs = {
            "token_set_ratio": reference_figures(token_set_reference([flow]), by_split, tune),
            "char n-gram tf-idf": reference_figures(tfidf_reference([flow]), by_split, tune),
        }
    print("strict: in scope = match with the right cause, out of scope = none;")
    print("one-click: in scope = right cause as the match or in the top two of ambiguous, out of scope = not match")
    for split, rows in scored.items():
        if not rows:
            continue
        print(f"  {split:<8} matcher {_pair(figures(rows, current))}")
        for name, (threshold, figs) in refs.items():
            print(f"  {'':<8} {name} (threshold {threshold:g}, chosen on tune): strict {figs[split].strict_rate:.3f}")
    print()
