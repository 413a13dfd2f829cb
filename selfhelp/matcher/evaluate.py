"""Measuring the matcher on a labelled evaluation set, and calibrating its thresholds.

An evaluation file (see ``evals/cpor-match.yaml``) lists pasted messages with the
cause each should land on, or ``null`` for messages about something else. Items
are split into ``tune`` (thresholds may be calibrated on them), ``heldout``
(never used for tuning; reported separately, to show the matcher generalises) and
``blind`` (written by someone who never saw the flow's patterns or the matcher;
measured once a design is frozen, never tuned on).

Two figures per split (:func:`figures`), as issue 10 defines them:

- **strict**: an in-scope message is right when the verdict is ``match`` with the
  expected cause; an out-of-scope one when the verdict is ``none``;
- **one-click**: an in-scope message is right when the expected cause is the
  ``match``, or one of the first two causes of an ``ambiguous`` verdict; an
  out-of-scope one when the verdict is not ``match``.

References on the same items (:func:`reference_figures`): rapidfuzz
``token_set_ratio`` and a character n-gram TF-IDF cosine over the same patterns,
each answering ``match`` (best pattern's cause) at or above one threshold chosen on
``tune`` and ``none`` below it (so their strict and one-click figures are equal).

Accuracy (the older, lenient figure): an in-scope message is right when its top
cause is the expected one and the verdict is not ``none``; an out-of-scope
message is right when it gets no confident ``match``.

Threshold suggestion maximises a *utility* that also prefers confident answers,
since accuracy alone would rate "always ambiguous" as perfect:

=================  ==========  ==============================  ===========  =====
truth \\ verdict    match ok   ambiguous, right cause first    match wrong  none
=================  ==========  ==============================  ===========  =====
in scope            1.0        0.8 (0.5 if right but not 1st)  0.0          0.2
out of scope        --         0.8                             0.0          1.0
=================  ==========  ==============================  ===========  =====
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz, process, utils

from selfhelp.base.safe_yaml import load_file
from selfhelp.flow.examples import Example, Provenance, flow_examples
from selfhelp.flow.models import Flow
from selfhelp.matcher.index import Hit, PatternIndex
from selfhelp.matcher.matcher import (
    ELSEWHERE,
    FuzzyMatcher,
    Thresholds,
    best_hits,
    decide,
    example_patterns,
    flow_patterns,
)
from selfhelp.matcher.neighbours import neighbours
from selfhelp.matcher.normalize import Vocabulary
from selfhelp.matcher.results import truncate

Split = Literal["tune", "heldout", "blind"]
#: The splits, in the order they are reported.
SPLITS: tuple[Split, ...] = ("tune", "heldout", "blind")
OUT_OF_SCOPE = "(out of scope)"


class EvalItem(Provenance):
    """One labelled message of an evaluation set."""

    text: str
    """What the user pastes."""
    expect: str | None
    """The cause node it should land on, or ``None`` when it is about something else."""
    kind: str = "paraphrase"
    """exact, paraphrase, typo, ids, partial, noisy or oos (for reporting only)."""
    split: Split = "tune"
    """``tune``, ``heldout`` or ``blind`` (see the module's docstring)."""
    relabelled: str | None = None
    """How the label was mapped to the flow's cause ids after writing (a blind writer never sees them)."""


class EvalSet(BaseModel):
    """An evaluation file."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    flow: str
    """The id of the flow the items are labelled for."""
    items: list[EvalItem] = Field(min_length=1)
    """The labelled messages."""
    include: list[str] = []
    """Other evaluation files for the same flow (paths relative to this one) whose items are added."""


class EvalFileError(Exception):
    """An evaluation file that cannot be read or is not an evaluation set."""


def load_eval(path: Path, _seen: tuple[Path, ...] = ()) -> EvalSet:
    """Read an evaluation file (with the flows' safe YAML loader), with the items of the files it includes.

    Raises:
        EvalFileError: the file is unreadable, not YAML, or not an evaluation set; the message says why.
    """
    if path.resolve() in _seen:
        raise EvalFileError(f"{path}: includes itself")
    loaded = load_file(path, str(path))
    if loaded.data is None:
        first = loaded.problems[0] if loaded.problems else None
        where = f"{path}:{first.line}:{first.column}" if first is not None and first.line else str(path)
        raise EvalFileError(f"{where}: {first.message if first is not None else 'unusable'}")
    try:
        evalset = EvalSet.model_validate(loaded.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise EvalFileError(f"{path}: {where}: {first['msg']}") from None
    items = list(evalset.items)
    for name in evalset.include:
        other_path = path.parent / name
        if not other_path.is_file():
            raise EvalFileError(f"{path}: include: no such evaluation file: {other_path}")
        other = load_eval(other_path, _seen=(*_seen, path.resolve()))
        if other.flow != evalset.flow:
            raise EvalFileError(f"{other_path}: is for flow {other.flow!r}, not {evalset.flow!r}")
        items += other.items
    return evalset.model_copy(update={"items": items, "include": []})


@dataclass(frozen=True)
class Scored:
    """An item and the matcher's scored causes for it."""

    item: EvalItem
    hits: list[Hit]


def score_items(matcher: FuzzyMatcher, flows: list[Flow], items: list[EvalItem]) -> list[Scored]:
    """Score every item once; verdicts for any thresholds are then cheap (:func:`report`)."""
    return [Scored(item, matcher.hits(flows, item.text)) for item in items]


def score_examples(flow: Flow) -> list[Scored]:
    """The flow's labelled examples, each scored with only the *other* writers' examples indexed.

    Scoring an example with itself indexed would always find it; leaving its writer (or, without one,
    its source) out measures how the examples carry to messages nobody labelled yet, so thresholds can
    be calibrated on real-looking messages without fooling themselves.
    """
    examples = flow_examples(flow)
    groups = sorted({_group(e) for e in examples})
    base = flow_patterns(flow, examples=())
    vocabulary = Vocabulary(flow.matching.vocabulary)
    rows: list[Scored] = []
    for group in groups:
        others = [e for e in examples if _group(e) != group]
        kept = example_patterns(flow, others)
        index = PatternIndex([*base, *kept], vocabulary)
        near = neighbours(kept, vocabulary)
        for example in (e for e in examples if _group(e) == group):
            item = EvalItem(text=example.text, expect=example.cause, split="tune", style=example.style)
            rows.append(Scored(item, best_hits(index, truncate(example.text)[0], None, near).hits))
    return rows


def _group(example: Example) -> str:
    return example.writer or example.source or ""


Outcome = Literal["match_ok", "ambiguous_ok", "ambiguous_listed", "match_wrong", "ambiguous_wrong", "none"]

_UTILITY_IN = {
    "match_ok": 1.0,
    "ambiguous_ok": 0.8,
    "ambiguous_listed": 0.5,
    "ambiguous_wrong": 0.2,
    "none": 0.2,
    "match_wrong": 0.0,
}
_UTILITY_OUT = {"none": 1.0, "ambiguous_wrong": 0.8, "match_wrong": 0.0}


def outcome(scored: Scored, thresholds: Thresholds) -> tuple[Outcome, str]:
    """How the verdict relates to the label, and the predicted label (a node, ``?node``, or ``none``)."""
    verdict, shown = decide(scored.hits, thresholds)
    if verdict == "none":
        return "none", "none"
    top = shown[0].pattern.node
    predicted = top if verdict == "match" else f"?{top}"
    expect = scored.item.expect
    if verdict == "match":
        return ("match_ok" if top == expect else "match_wrong"), predicted
    if top == expect:
        return "ambiguous_ok", predicted
    if expect is not None and any(h.pattern.node == expect for h in shown):
        return "ambiguous_listed", predicted
    return "ambiguous_wrong", predicted


@dataclass
class Report:
    """The matcher's results on a set of items, for some thresholds."""

    thresholds: Thresholds
    total: int
    correct: int
    in_scope: int
    in_scope_correct: int
    confident_correct: int
    out_of_scope: int
    out_of_scope_correct: int
    utility: float
    outcomes: Counter[str]
    confusion: Counter[tuple[str, str]]
    """(expected, predicted) -> count; predicted is a node (match), ``?node`` (ambiguous) or ``none``."""
    failures: list[tuple[EvalItem, str]]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def report(rows: list[Scored], thresholds: Thresholds) -> Report:
    """Accuracy, utility and the confusion table of scored items under ``thresholds``."""
    outcomes: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    failures: list[tuple[EvalItem, str]] = []
    correct = in_ok = conf_ok = out_ok = 0
    utility = 0.0
    for row in rows:
        result, predicted = outcome(row, thresholds)
        outcomes[result] += 1
        expect = row.item.expect
        confusion[(expect or OUT_OF_SCOPE, predicted)] += 1
        if expect is None:
            ok = result != "match_wrong"
            out_ok += ok
            utility += _UTILITY_OUT.get(result, 0.8)
        else:
            ok = result in ("match_ok", "ambiguous_ok")
            in_ok += ok
            conf_ok += result == "match_ok"
            utility += _UTILITY_IN[result]
        correct += ok
        if not ok:
            failures.append((row.item, predicted))
    in_scope = sum(1 for r in rows if r.item.expect is not None)
    return Report(
        thresholds=thresholds,
        total=len(rows),
        correct=correct,
        in_scope=in_scope,
        in_scope_correct=in_ok,
        confident_correct=conf_ok,
        out_of_scope=len(rows) - in_scope,
        out_of_scope_correct=out_ok,
        utility=utility / len(rows) if rows else 0.0,
        outcomes=outcomes,
        confusion=confusion,
        failures=failures,
    )


def suggest_thresholds(rows: list[Scored], base: Thresholds | None = None) -> tuple[Thresholds, Report]:
    """The thresholds with the best strict plus one-click count on ``rows``: the middle of the best plateau.

    The middle (not the edge) of the plateau, for robustness to a few items more or less.
    """
    base = base or Thresholds()
    grid: dict[tuple[float, float], float] = {}
    for match in range(30, 96):
        for candidate in range(20, match + 1, 2):
            t = Thresholds(match=float(match), candidate=float(candidate), margin=base.margin, window=base.window)
            fig = figures(rows, t)
            grid[(match, candidate)] = fig.strict + fig.one_click
    best = max(grid.values())
    plateau = [k for k, v in grid.items() if v >= best - 1e-9]
    match = statistics.median_low(sorted({m for m, _ in plateau}))
    candidate = statistics.median_low(sorted(c for m, c in plateau if m == match))
    chosen = Thresholds(match=float(match), candidate=float(candidate), margin=base.margin, window=base.window)
    return chosen, report(rows, chosen)


def format_report(rep: Report, title: str) -> str:
    """A plain-text summary and confusion table."""
    lines = [
        f"{title}: {rep.correct}/{rep.total} = {rep.accuracy:.1%} accurate "
        f"(in scope {rep.in_scope_correct}/{rep.in_scope}, confident {rep.confident_correct}/{rep.in_scope}; "
        f"out of scope {rep.out_of_scope_correct}/{rep.out_of_scope} not matched confidently); "
        f"utility {rep.utility:.3f}",
        f"  thresholds: match {rep.thresholds.match:g}, candidate {rep.thresholds.candidate:g}, "
        f"margin {rep.thresholds.margin:g}",
        "  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.outcomes.items())),
    ]
    expected = sorted({e for e, _ in rep.confusion}, key=lambda e: (e == OUT_OF_SCOPE, e))
    nodes = [e for e in expected if e != OUT_OF_SCOPE]
    codes = {node: f"C{i + 1}" for i, node in enumerate(nodes)}
    columns = [*nodes, "?+", "?-", "none"]
    width = max(len(e) for e in expected) + 2
    lines.append(
        "  confusion (rows: expected; columns: confident match C1..Cn, ?+ ambiguous with the expected cause first, "
        "?- other ambiguous, none):"
    )
    lines.append("  " + " " * (width + 4) + "".join(f"{codes.get(c, c):>5}" for c in columns))
    for exp in expected:
        cells = []
        for col in columns:
            if col in ("?+", "?-"):
                right = f"?{exp}"
                n = sum(
                    v
                    for (e, p), v in rep.confusion.items()
                    if e == exp and p.startswith("?") and (p == right) == (col == "?+")
                )
            else:
                n = rep.confusion.get((exp, col), 0)
            cells.append(f"{n or '.':>5}")
        lines.append(f"  {codes.get(exp, ''):>3} {exp:<{width}}" + "".join(cells))
    if rep.failures:
        lines.append("  wrong:")
        for item, predicted in rep.failures:
            lines.append(f"    [{item.kind}] {item.text[:70]!r}: expected {item.expect or 'no match'}, got {predicted}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Figures:
    """Strict and one-click accuracy on some items (see the module's docstring)."""

    total: int
    strict: int
    one_click: int

    @property
    def strict_rate(self) -> float:
        return self.strict / self.total if self.total else 0.0

    @property
    def one_click_rate(self) -> float:
        return self.one_click / self.total if self.total else 0.0


def is_right(scored: Scored, thresholds: Thresholds) -> tuple[bool, bool]:
    """(strict, one-click) rightness of one scored item under ``thresholds``."""
    verdict, shown = decide(scored.hits, thresholds)
    expect = scored.item.expect
    if expect is None:
        return verdict == "none", verdict != "match"
    nodes = [h.pattern.node for h in shown]
    strict = verdict == "match" and nodes[0] == expect
    return strict, strict or (verdict == "ambiguous" and expect in nodes[:2])


def figures(rows: list[Scored], thresholds: Thresholds) -> Figures:
    """Strict and one-click counts of scored items under ``thresholds``."""
    marks = [is_right(row, thresholds) for row in rows]
    return Figures(len(rows), sum(s for s, _ in marks), sum(o for _, o in marks))


#: A reference scorer: the message -> (best score 0-100, the best pattern's cause).
Reference = Callable[[str], tuple[float, str]]


def token_set_reference(flows: list[Flow]) -> Reference:
    """rapidfuzz ``token_set_ratio`` (under ``utils.default_process``) against every pattern of ``flows``."""
    patterns = [p for f in flows for p in flow_patterns(f) if p.node != ELSEWHERE]
    texts = [utils.default_process(p.text) for p in patterns]

    def best(text: str) -> tuple[float, str]:
        found = process.extractOne(utils.default_process(text), texts, scorer=fuzz.token_set_ratio, processor=None)
        return (found[1], patterns[found[2]].node) if found else (0.0, "")

    return best


_NON_WORD = re.compile(r"[\W_]+")


def char_ngrams(text: str, sizes: tuple[int, ...] = (3, 4, 5)) -> Counter[str]:
    """Character n-grams of each word padded with spaces (like scikit-learn's ``char_wb``), lower case."""
    grams: Counter[str] = Counter()
    for word in _NON_WORD.split(text.casefold()):
        if not word:
            continue
        padded = f" {word} "
        for n in sizes:
            grams.update(padded[i : i + n] for i in range(max(len(padded) - n + 1, 1)))
    return grams


class CharTfidf:
    """Cosine similarity of sublinear TF-IDF vectors of character n-grams (stdlib only)."""

    def __init__(self, texts: list[str]) -> None:
        docs = [char_ngrams(t) for t in texts]
        df: Counter[str] = Counter(g for d in docs for g in d)
        n = len(docs)
        # Smoothed idf, as scikit-learn computes it by default.
        self.idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items()}
        self.vectors = [self._vector(d) for d in docs]

    def _vector(self, grams: Counter[str]) -> dict[str, float]:
        vec = {g: (1 + math.log(c)) * self.idf[g] for g, c in grams.items() if g in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {g: v / norm for g, v in vec.items()}

    def scores(self, text: str) -> list[float]:
        """The cosine (0-100) of ``text`` with every text the model was built on, in order."""
        q = self._vector(char_ngrams(text))
        return [100.0 * sum(w * vec.get(g, 0.0) for g, w in q.items()) for vec in self.vectors]


def tfidf_reference(flows: list[Flow]) -> Reference:
    """Character n-gram (3-5, within words) TF-IDF cosine against every pattern of ``flows``."""
    patterns = [p for f in flows for p in flow_patterns(f) if p.node != ELSEWHERE]
    model = CharTfidf([p.text for p in patterns])

    def best(text: str) -> tuple[float, str]:
        scores = model.scores(text)
        if not scores:
            return 0.0, ""
        i = max(range(len(scores)), key=scores.__getitem__)
        return scores[i], patterns[i].node

    return best


def _reference_right(best: list[tuple[float, str, str | None]], threshold: float) -> int:
    return sum(
        (score < threshold) if expect is None else (score >= threshold and node == expect)
        for score, node, expect in best
    )


def reference_figures(
    reference: Reference, by_split: dict[str, list[EvalItem]], tune: list[EvalItem]
) -> tuple[float, dict[str, Figures]]:
    """A reference's threshold (the best strict accuracy on ``tune``) and its figures on each split."""
    tuned = [(*reference(i.text), i.expect) for i in tune]
    threshold = float(max(range(0, 101), key=lambda t: (_reference_right(tuned, t), -t)))
    out: dict[str, Figures] = {}
    for split, items in by_split.items():
        right = _reference_right([(*reference(i.text), i.expect) for i in items], threshold)
        out[split] = Figures(len(items), right, right)
    return threshold, out
