"""The fuzzy error matcher: a pasted message -> match, ambiguous or none, with its reasons.

:class:`FuzzyMatcher` implements :class:`selfhelp.matcher.results.Matcher` for the
session engine, and matches across many flows for support agents
(:meth:`FuzzyMatcher.match_flows`: ``selfhelp match`` and the agent's search). Indexes are built on
first use and cached per flow, so loading the matcher costs nothing at start-up.

Verdicts (thresholds documented and calibrated in docs/matching.md):

- **match**: the best cause scores at least the match threshold and leads the
  runner-up by at least :data:`MATCH_MARGIN` points;
- **ambiguous**: otherwise, the (at most three) causes scoring at least the
  candidate threshold and within :data:`AMBIGUOUS_WINDOW` points of the best;
- **none**: nothing reaches the candidate threshold.

A flow's ``matching:`` settings override the thresholds for that flow.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from selfhelp.flow.examples import Example, flow_examples
from selfhelp.flow.models import Flow
from selfhelp.matcher.index import ALPHA, Hit, Pattern, PatternIndex, QueryTerms
from selfhelp.matcher.neighbours import AGREEMENT_BONUS, Neighbours, agreement, neighbours
from selfhelp.matcher.normalize import Normalized, Vocabulary, mask, normalize, strip_noise
from selfhelp.matcher.results import MatchCandidate, MatchResult, Verdict, truncate

#: Score (0-100) at or above which the best cause is a confident match. Calibrated with
#: ``selfhelp match --evaluate`` on the tune split of evals/cpor-match.yaml (the middle of the plateau of
#: the best strict plus one-click count; see docs/matching.md).
MATCH_THRESHOLD = 43.0
#: Score at or above which a cause is offered as "did you mean" (same calibration).
CANDIDATE_THRESHOLD = 36.0
#: A confident match must lead the runner-up by this many points; closer than that it's a "did you mean".
MATCH_MARGIN = 6.0
#: Causes within this many points of the best are offered together when the verdict is ambiguous.
AMBIGUOUS_WINDOW = 15.0
#: At most this many causes are offered when ambiguous.
MAX_CANDIDATES = 3
#: Scores below this are never computed in full (the index skips them); below every sensible threshold.
FLOOR = 20.0
#: Index sentences of the causes' explanations as (weaker) patterns too.
USE_TEXT = True
#: A message word the index knows but a candidate cause never uses weighs at least this much against it
#: (an unknown word weighs :data:`selfhelp.matcher.index.UNKNOWN_WEIGHT`): another cause's words count against.
FOREIGN_WEIGHT = 3.0
#: A message that contains all of a pattern scores this much for it, whatever surrounds it (less in
#: proportion when it contains less, down to :data:`MIN_COVERAGE`).
CONTAINED_SCORE = 64.0
#: Below this share of a pattern's weight, containment adds nothing.
MIN_COVERAGE = 0.85
#: Patterns lighter than this (one or two common words) are too generic for containment to count.
MIN_CONTAINED_WEIGHT = 3.0
#: A part of a paste (a line, a sentence) whose known words weigh less than this is not scored on its own, only as
#: part of the whole paste: "Thanks for your help" must not carry a match (calibrated like the thresholds; an
#: unknown word weighs :data:`selfhelp.matcher.index.UNKNOWN_WEIGHT`, 2).
MIN_PART_WEIGHT = 3.5
#: ... or less than this many of the index's rarest (weightiest) words, when that is less (a small index's words
#: weigh little).
MIN_PART_RARE_WORDS = 1.5
#: An example with fewer words than this that count ("it doesn't work", "help!") is too vague to be a pattern.
MIN_EXAMPLE_WORDS = 4
#: The node id of a flow's ``matching.elsewhere`` phrases: problems the flow does not handle.
ELSEWHERE = "(elsewhere)"


@dataclass(frozen=True)
class Thresholds:
    """The thresholds a verdict is decided with."""

    match: float = MATCH_THRESHOLD
    candidate: float = CANDIDATE_THRESHOLD
    margin: float = MATCH_MARGIN
    window: float = AMBIGUOUS_WINDOW


def flow_thresholds(flow: Flow, base: Thresholds | None = None) -> Thresholds:
    """``base`` (default: the calibrated defaults) with the flow's ``matching:`` overrides applied."""
    base = base or Thresholds()
    settings = flow.matching
    match = settings.match_threshold if settings.match_threshold is not None else base.match
    candidate = settings.candidate_threshold if settings.candidate_threshold is not None else base.candidate
    margin = settings.match_margin if settings.match_margin is not None else base.margin
    return Thresholds(match=match, candidate=min(candidate, match), margin=margin, window=base.window)


_MARKUP = re.compile(r"[*_`#>]+|\[([^\]]*)\]\([^)]*\)")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n\s*\n|\n\s*(?:[-*]|\d+\.)\s+")


def text_sentences(markdown: str) -> list[str]:
    """The sentences of a cause's explanation, markup removed; short ones and instructions skipped."""
    plain = _MARKUP.sub(lambda m: m.group(1) or "", markdown)
    out = []
    for sentence in _SENTENCE.split(plain):
        sentence = " ".join(sentence.split())
        # "What to do:" and what follows are instructions, not descriptions of the error.
        if sentence.lower().startswith("what to do"):
            break
        if len(sentence.split()) >= 4:
            out.append(sentence)
    return out


def flow_patterns(flow: Flow, *, use_text: bool = USE_TEXT, examples: Sequence[Example] | None = None) -> list[Pattern]:
    """The patterns of a flow: every cause's error texts and title, optionally its explanation's sentences, its
    ``elsewhere:`` phrases and its labelled examples.

    Only causes with ``errors:`` are matched (as :meth:`Flow.candidate_causes` says): a cause without
    them is reached by questions or a check, and its title alone must not pull a paste towards it.
    """
    patterns: list[Pattern] = []
    for nid, cause in flow.causes():
        if not cause.errors:
            continue
        title = cause.title or nid
        patterns += [Pattern(flow.id, nid, title, e, "error") for e in cause.errors]
        if cause.title:
            patterns.append(Pattern(flow.id, nid, title, cause.title, "title"))
        if use_text and cause.text:
            patterns += [Pattern(flow.id, nid, title, s, "text") for s in text_sentences(cause.text)]
    patterns += [Pattern(flow.id, ELSEWHERE, "elsewhere", e, "error") for e in flow.matching.elsewhere]
    return patterns + example_patterns(flow, examples)


def example_patterns(flow: Flow, examples: Sequence[Example] | None = None) -> list[Pattern]:
    """The flow's labelled examples (:mod:`selfhelp.flow.examples`) as patterns, their log and header lines dropped.

    Its ids, addresses, domains and numbers are masked (``<guid>``...). An example labelled ``null`` speaks for
    "not handled here", like an ``elsewhere:`` phrase. An example with fewer than :data:`MIN_EXAMPLE_WORDS`
    words that count is left out. ``examples``: these instead of the flow's own file (calibration leaves
    some out).
    """
    titles = {nid: cause.title or nid for nid, cause in flow.causes()}
    out = []
    for example in flow_examples(flow) if examples is None else examples:
        node = example.cause or ELSEWHERE
        # Masked: an example is someone's real paste, and the explanation of a match shows it to another user.
        text = mask(strip_noise(example.text))[0]
        if len(normalize(text).tokens) >= MIN_EXAMPLE_WORDS:
            out.append(Pattern(flow.id, node, titles.get(node, "elsewhere"), text, "example"))
    return out


#: Where a line is cut into parts that may each carry the match: sentence ends, " - ", " | ", ": ", quotes.
_PART = re.compile(r"(?<=[.!?;])\s+|\s+[-|]\s+|:\s+|[\"{}\[\]()]")
#: At most this many parts of a paste are searched (the whole paste always is).
MAX_PARTS = 24


def paste_parts(text: str) -> list[str]:
    """The paste without its noise, then each line and each sentence-like part of a line, without repeats.

    The best part's score is the paste's score for a cause: one line of a long paste, or the
    banner inside a chatty sentence, carries the match whatever surrounds it.
    """
    clean = strip_noise(text)
    parts = [clean]
    lines = [ln.strip() for ln in clean.splitlines() if ln.strip()]
    pieces = [p.strip() for ln in lines for p in _PART.split(ln)]
    for part in [*(lines if len(lines) > 1 else []), *pieces]:
        if part and part not in parts and len(part.split()) >= 1:
            parts.append(part)
    return parts[: MAX_PARTS + 1]


@dataclass(frozen=True)
class Scored:
    """A paste's best hits, with what the explanation needs."""

    hits: list[Hit]
    """Each cause's best hit over the paste's parts, best first."""
    whole: Normalized
    """The paste without its noise, normalised (its masked values are the parameters)."""
    readings: tuple[tuple[str, str], ...]
    """The flow vocabulary's readings made in the paste: (as written, read as)."""


def best_hits(
    index: PatternIndex, text: str, keys: set[tuple[str, str]] | None, near: Neighbours | None = None
) -> Scored:
    """Each cause's best hit over the parts of a paste (see :func:`paste_parts`), best first.

    With ``near`` (the flows' examples one by one), a cause that several of the nearest examples agree
    on gains :data:`selfhelp.matcher.neighbours.AGREEMENT_BONUS` points per agreeing example beyond the first.
    """
    parts = paste_parts(text)
    whole = normalize(parts[0])
    readings: tuple[tuple[str, str], ...] = ()
    best: dict[tuple[str, str], Hit] = {}
    scored_parts: list[Normalized] = []
    # In a small index every word weighs little (a flow of one cause: 0.69 each), so the floor shrinks with it.
    part_floor = min(MIN_PART_WEIGHT, MIN_PART_RARE_WORDS * index.top_weight)
    for i, part in enumerate(parts):
        norm = whole if i == 0 else normalize(part)
        q = index.terms(norm)
        if i == 0:
            readings = q.readings  # the explanation's readings are those of the whole paste
        elif sum(q.weights.values()) < part_floor:
            continue  # a line such as "Thanks for your help" is too slight to carry a match on its own
        scored_parts.append(norm)
        for hit in index.search("", floor=FLOOR, keys=keys, limit=8, terms=q):
            hit = discriminate(index, q, hit)
            old = best.get(hit.pattern.key)
            if hit.score >= FLOOR and (old is None or hit.score > old.score):
                best[hit.pattern.key] = hit
    if near is not None and best:
        votes = agreement(near, scored_parts, keys)
        for key, hit in best.items():
            if votes[key] > 1:
                best[key] = replace(hit, score=min(100.0, hit.score + AGREEMENT_BONUS * (votes[key] - 1)))
    hits = sorted(best.values(), key=lambda h: (-h.score, h.pattern.flow, h.pattern.node))
    return Scored(hits, whole, readings)


def discriminate(index: PatternIndex, q: QueryTerms, hit: Hit) -> Hit:
    """The hit rescored with the message's words of other causes weighing :data:`FOREIGN_WEIGHT` each.

    The index's score counts such a word by its own (often small) weight in the message's total;
    here it counts at least as much as an unknown word, so words that belong to another cause
    pull a candidate down. The score only drops, so the index's candidates are still the right ones.
    """
    own = index.cause_words[hit.pattern.key]
    extra = sum(FOREIGN_WEIGHT - w for t, w in q.weights.items() if t not in own and w < FOREIGN_WEIGHT)
    score = hit.score
    if extra > 0 and hit.score > 0:
        shared = sum(q.weights[t] for t in hit.words)
        score = 100.0 * shared / (100.0 * shared / hit.score + (1 - ALPHA) * extra)
    if hit.coverage >= MIN_COVERAGE and hit.weight >= MIN_CONTAINED_WEIGHT:
        score = max(score, CONTAINED_SCORE * hit.coverage)
    return replace(hit, score=score) if score != hit.score else hit


def shared_words(hit: Hit, index: PatternIndex | None = None) -> list[str]:
    """The pattern's words (as written in it, or as the vocabulary reads them) the message shares: why it matched."""
    norm = index.words_of(hit.pattern.text) if index is not None else normalize(hit.pattern.text)
    wanted = set(hit.words)
    seen: set[str] = set()
    out = []
    for surface, token in zip(norm.surfaces, norm.tokens, strict=True):
        if token in wanted and token not in seen:
            seen.add(token)
            out.append(surface)
    return out


def decide(hits: list[Hit], thresholds: Thresholds) -> tuple[Verdict, list[Hit]]:
    """The verdict on scored causes (best first) and the causes to show with it."""
    real = [h for h in hits if h.pattern.node != ELSEWHERE]
    if real:
        # A flow's `elsewhere:` phrases say "not handled here": they speak against that flow's causes
        # only. Across a catalog, another flow's cause that owns the message must not lose to them.
        lead = real[0].pattern.flow
        hits = [h for h in hits if h.pattern.node != ELSEWHERE or h.pattern.flow == lead]
    if not hits or hits[0].score < thresholds.candidate:
        return "none", []
    if hits[0].pattern.node == ELSEWHERE:
        return "none", []  # closest to a problem the flow says it does not handle
    top = hits[0]
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if top.score >= thresholds.match and top.score - runner_up >= thresholds.margin:
        return "match", [top]
    close = [
        h
        for h in hits
        if h.score >= thresholds.candidate and top.score - h.score <= thresholds.window and h.pattern.node != ELSEWHERE
    ]
    return "ambiguous", close[:MAX_CANDIDATES]


class FuzzyMatcher:
    """Matches pasted messages against flows' causes; see the module's docstring."""

    def __init__(self, *, thresholds: Thresholds | None = None, use_text: bool = USE_TEXT, cache_size: int = 32):
        self.thresholds = thresholds or Thresholds()
        self.use_text = use_text
        self.cache_size = cache_size
        self._cache: dict[tuple[int, ...], tuple[tuple[Flow, ...], PatternIndex, Neighbours | None]] = {}
        # The app builds a flow's indexes in a worker thread while the user reads the first question; a paste
        # that arrives meanwhile waits for that build rather than doing it twice.
        self._building = threading.Lock()

    def prepare(self, flow: Flow) -> None:
        """Build the flow's indexes now rather than at the first paste (safe to call from a worker thread)."""
        self._indexes(flow)

    def index(self, flows: Flow | Iterable[Flow]) -> PatternIndex:
        """The index of one flow or several, built on first use and cached while the flow objects live."""
        return self._indexes(flows)[0]

    def _indexes(self, flows: Flow | Iterable[Flow]) -> tuple[PatternIndex, Neighbours | None]:
        group = (flows,) if isinstance(flows, Flow) else tuple(flows)
        with self._building:
            return self._indexes_of(group)

    def _indexes_of(self, group: tuple[Flow, ...]) -> tuple[PatternIndex, Neighbours | None]:
        key = tuple(id(f) for f in group)
        cached = self._cache.get(key)
        # id() values can be reused once a flow is gone: the cache keeps the flows and checks identity.
        if cached is not None and all(a is b for a, b in zip(cached[0], group, strict=True)):
            return cached[1], cached[2]
        vocabulary = Vocabulary()
        for flow in reversed(group):  # the first flow's reading of a variant wins
            vocabulary = Vocabulary(flow.matching.vocabulary).merged(vocabulary)
        patterns = [p for f in group for p in flow_patterns(f, use_text=self.use_text)]
        index = PatternIndex(patterns, vocabulary)
        near = neighbours((p for p in patterns if p.kind == "example"), vocabulary)
        if len(self._cache) >= self.cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = (group, index, near)
        return index, near

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        """Match ``text`` against the causes of one flow (only ``candidates`` when given)."""
        # The flow's elsewhere phrases stay in play: a near miss is one whatever causes are asked about.
        keys = {(flow.id, c) for c in [*candidates, ELSEWHERE]} if candidates is not None else None
        return self._match([flow], text, keys)

    def match_flows(self, flows: Iterable[Flow], text: str) -> MatchResult:
        """Match ``text`` against every cause of every flow: which flow, which node."""
        return self._match(list(flows), text, None)

    def hits(self, flows: list[Flow], text: str, keys: set[tuple[str, str]] | None = None) -> list[Hit]:
        """Every cause scoring at least :data:`FLOOR`, best first (for calibration and explanations)."""
        query, _ = truncate(text)
        index, near = self._indexes(flows)
        return best_hits(index, query, keys, near).hits

    def _match(self, flows: list[Flow], text: str, keys: set[tuple[str, str]] | None) -> MatchResult:
        query, notice = truncate(text)
        if not flows:
            return MatchResult(query=query, verdict="none", notice=notice, params=normalize(query).params)
        index, near = self._indexes(flows)
        scored = best_hits(index, query, keys, near)
        hits, norm = scored.hits, scored.whole
        # Across flows, the flow of the best cause decides the thresholds.
        by_id = {f.id: f for f in flows}
        lead = by_id[hits[0].pattern.flow] if hits else flows[0]
        verdict, shown = decide(hits, flow_thresholds(lead, self.thresholds))
        matches = [
            MatchCandidate(
                flow=h.pattern.flow,
                node=h.pattern.node,
                title=h.pattern.title,
                score=round(h.score, 1),
                pattern=h.pattern.text,
                params=norm.params,
                words=shared_words(h, index),
            )
            for h in shown
        ]
        return MatchResult(
            query=query,
            verdict=verdict,
            matches=matches,
            notice=notice,
            params=norm.params,
            readings=[f"{written} = {phrase}" for written, phrase in scored.readings],
        )


_default: FuzzyMatcher | None = None


def default_matcher() -> FuzzyMatcher:
    """One shared matcher, so every session reuses the same cached indexes."""
    global _default
    if _default is None:
        _default = FuzzyMatcher()
    return _default
