"""An index of error patterns, scored by weighted word overlap, that returns exactly what a full scan would.

Score of a message ``q`` against a pattern ``p`` (both as sets of stemmed words):

    m     = sum of w(t) over the words t the two share (a typo-corrected word counts by its similarity)
    score = 100 * m / (alpha * W(p) / factor(p) + (1 - alpha) * W(q))

``w(t)`` is the word's inverse document frequency over the causes (a word every
cause uses, such as "subscription" in the CPOR flow, weighs little) and ``W`` is
a side's total weight. The score is the weighted harmonic mean of *how much of the
pattern the message contains* (weight ``alpha``) and *how much of the message the
pattern explains*: a banner pasted inside a chatty sentence still scores high,
and so does a fragment of a long error. Message words no pattern uses weigh
:data:`UNKNOWN_WEIGHT` in ``W(q)``, which keeps messages about other problems
away. ``factor`` discounts weaker kinds of pattern (sentences of a cause's
explanation).

Only patterns sharing a word with the message can score above zero, and only the
best few causes are wanted, so a search never scores every pattern:

- patterns are numbered lightest first, so the patterns too light or too heavy to
  reach the score to beat form a range of numbers, cut off every postings list;
- *accumulate* walks the postings of the message's rarest words in full and only
  checks the commonest ones on the candidates already found, once no pattern
  holding nothing but them could make the top (MaxScore);
- *bitset* splits the patterns (the bits of an integer per word) by which of the
  message's words they share, best branches first; a branch's lowest bit is its
  best pattern, which bounds the branch. It wins when the words are common.

Every bound is an upper bound of the true score, so results are exactly those of
:meth:`PatternIndex.search_exhaustive` (the tests and the benchmark check it).
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal

from selfhelp.matcher.normalize import PLACEHOLDERS, Normalized, Vocabulary, normalize, text_words

PatternKind = Literal["error", "title", "text", "example"]

#: Weight of the message's share in the score's denominator is 1 - ALPHA.
ALPHA = 0.7
#: Weight, in W(q), of a message word no pattern uses.
UNKNOWN_WEIGHT = 2.0
#: Score factor by pattern kind: sentences of a cause's explanation count less than its error texts, and a
#: labelled example (a partner's whole message, with its chatter) a little less than an error text.
KIND_FACTOR: dict[str, float] = {"error": 1.0, "title": 1.0, "text": 0.85, "example": 0.9}
#: Above this many postings to walk, a message is searched with bit sets (see PatternIndex.search).
BITSET_MIN_WORK = 3_000
#: Messages with more distinct known words than this are always searched by accumulation.
BITSET_MAX_TERMS = 14
#: The bit-set walk gives up (and accumulation takes over) after this many nodes.
BITSET_MAX_NODES = 3_000
#: Words shorter than this are never typo-corrected ("CPS" could be anything).
MIN_TYPO_LEN = 4
#: Words this short are only corrected for swapped letters ("exsit"), not for a changed one ("march").
SHORT_WORD = 5
#: How similar (rapidfuzz ratio, 0-100) an unknown word must be to a known one to count as a typo of it.
TYPO_CUTOFF = 80.0


@dataclass(frozen=True)
class Pattern:
    """One text that points at a cause."""

    flow: str
    node: str
    title: str
    text: str
    kind: PatternKind = "error"

    @property
    def key(self) -> tuple[str, str]:
        """The cause it points at: (flow id, node id)."""
        return (self.flow, self.node)


@dataclass(frozen=True)
class Hit:
    """The best pattern of one cause for a message."""

    score: float
    """0-100."""
    pattern: Pattern
    words: tuple[str, ...]
    """The pattern's words (stems) found in the message."""
    coverage: float = 0.0
    """How much of the pattern the message contains (0-1, by weight; a weaker kind of pattern never reaches 1)."""
    weight: float = 0.0
    """The pattern's weight (the sum of its words' weights, divided by its kind's factor)."""


@dataclass(frozen=True)
class QueryTerms:
    """A message's words as the index sees them."""

    weights: dict[str, float]
    """Known stems and their weight in the message (reduced for typo-corrected words)."""
    total: float
    """W(q): the message's total weight, unknown words included."""
    corrections: dict[str, str]
    """Typo corrections made: the word as typed -> the known word it was read as."""
    readings: tuple[tuple[str, str], ...] = ()
    """The vocabulary's readings made: (the words as written, the phrase they were read as)."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (if it runs) for the duration.

    Building an index allocates millions of tuples, sets and lists that live on, none of them in a
    cycle; every few hundred allocations the collector would walk them all again, which took about
    half of a 100,000-pattern build.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _one_left_out(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one letter left out."""
    return any(word[:i] + word[i + 1 :] == typed for i in range(len(word)))


class PatternIndex:
    """Patterns of one or many flows, ready to score messages against."""

    def __init__(self, patterns: Iterable[Pattern], vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        """Synonyms read as one phrase in patterns and messages alike."""
        with _collector_paused():
            self._build(patterns)

    def _build(self, patterns: Iterable[Pattern]) -> None:
        """Read the patterns, weigh their words, number them lightest first and list each word's patterns."""
        found, self._surfaces, words_by_cause = self._read(patterns)
        n_docs = len(words_by_cause) or 1
        # A word's document frequency is the number of causes using it: one count per cause's set of words.
        causes_per_word: Counter[str] = Counter()
        for words in words_by_cause.values():
            causes_per_word.update(words)
        self.idf: dict[str, float] = {t: math.log(1 + n_docs / n) for t, n in causes_per_word.items()}
        self.top_weight = max(self.idf.values(), default=0.0)
        """The weightiest word's weight (a word of one cause only): the scale of this index's weights."""
        # Patterns are numbered lightest first, so that "patterns whose weight is in a range" is a range of
        # numbers, which every (sorted) postings list can be cut to with a bisection.
        # A pattern's weight is divided by its kind's factor: a weaker kind scores lower for the same words.
        idf = self.idf.__getitem__
        weights = [sum(map(idf, tokens)) / KIND_FACTOR[p.kind] for p, tokens, _ in found]
        order = sorted(range(len(weights)), key=weights.__getitem__)
        ranked = list(map(found.__getitem__, order))
        self.patterns: list[Pattern] = list(map(itemgetter(0), ranked))
        self._tokens: list[frozenset[str]] = list(map(itemgetter(1), ranked))
        self._weight = list(map(weights.__getitem__, order))
        keys = list(map(itemgetter(2), ranked))
        self._keys = list(dict.fromkeys(keys))
        cause_ids = {key: c for c, key in enumerate(self._keys)}
        self._cause = list(map(cause_ids.__getitem__, keys))
        self.cause_words: dict[tuple[str, str], frozenset[str]] = {k: frozenset(words_by_cause[k]) for k in self._keys}
        """Every word of each cause's patterns: a message's other known words belong to other causes."""
        self._postings = self._postings_of(self._tokens)
        # The lightest pattern holding each word (its first posting): bounds what unseen patterns can score.
        self._min_weight = {t: self._weight[ids[0]] for t, ids in self._postings.items()}
        self._bitsets: dict[str, int] = {}
        total_postings = sum(map(len, self._postings.values()))
        # Keep the bit sets of the commonest words only: at most about 2,000 of them.
        self._bitset_min_postings = max(64, total_postings // 2000)
        if total_postings > BITSET_MIN_WORK:
            for term, ids in self._postings.items():
                if len(ids) >= self._bitset_min_postings:
                    self._bits(term)
        # Typos are corrected towards the patterns' words and the vocabulary's variants ("missmatch" -> "mismatch",
        # which the vocabulary then reads as "do not match").
        self._variant_words = self.vocabulary.words
        self._surfaces = {**self._variant_words, **self._surfaces}
        self._by_length: dict[int, list[str]] = {}
        for surface in self._surfaces:
            if len(surface) >= MIN_TYPO_LEN and surface not in PLACEHOLDERS:
                self._by_length.setdefault(len(surface), []).append(surface)
        self._typos: dict[str, tuple[str, float] | None] = {}

    def _read(
        self, patterns: Iterable[Pattern]
    ) -> tuple[list[tuple[Pattern, frozenset[str], tuple[str, str]]], dict[str, str], dict[tuple[str, str], set[str]]]:
        """The patterns kept with their words and cause, every word as written -> its stem, each cause's words.

        A pattern without words, or with the same words as another of its cause, adds nothing and is dropped.
        """
        found: list[tuple[Pattern, frozenset[str], tuple[str, str]]] = []
        seen: set[tuple[tuple[str, str], frozenset[str]]] = set()
        surfaces: dict[str, str] = {}
        words_by_cause: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        apply = self.vocabulary.apply_words
        for pattern in patterns:
            stems, written, _ = apply(*text_words(pattern.text))
            # Placeholders are parameters, not words: an example GUID in a pattern must not attract every GUID.
            tokens = frozenset(stems) - PLACEHOLDERS
            key = (pattern.flow, pattern.node)
            if not tokens or (key, tokens) in seen:
                continue  # the same words for the same cause add nothing
            seen.add((key, tokens))
            found.append((pattern, tokens, key))
            words_by_cause[key].update(tokens)
            # A surface's token is always its stem, so updating keeps each surface's first place and its token.
            surfaces.update(zip(written, stems, strict=True))
        return found, surfaces, words_by_cause

    @staticmethod
    def _postings_of(tokens: list[frozenset[str]]) -> dict[str, list[int]]:
        """Each word's patterns, by number (so in ascending order)."""
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for i, words in enumerate(tokens):
            for token in words:
                postings[token].append(i)
        return dict(postings)

    def __len__(self) -> int:
        return len(self.patterns)

    def words_of(self, text: str) -> Normalized:
        """A text normalised as the index reads it (its vocabulary applied)."""
        return self.vocabulary.apply(normalize(text))[0] if self.vocabulary else normalize(text)

    # --- the message side ------------------------------------------------------------

    def _correct(self, surface: str) -> tuple[str, float] | None:
        """The known stem an unknown word is a typo of, and the similarity (0-1); cached."""
        if surface in self._typos:
            return self._typos[surface]
        found: tuple[str, float] | None = None
        if len(surface) >= MIN_TYPO_LEN and surface.isalpha():
            from rapidfuzz import fuzz, process  # imported here: only typos need it

            if len(surface) <= SHORT_WORD:
                # One letter changed in a short word is often another word ("march", "match"): only swapped
                # letters, or one left out ("tenat", "actve").
                same = [w for w in self._by_length.get(len(surface), ()) if sorted(w) == sorted(surface)]
                near = same + [w for w in self._by_length.get(len(surface) + 1, ()) if _one_left_out(surface, w)]
            else:
                near = [w for n in range(len(surface) - 2, len(surface) + 3) for w in self._by_length.get(n, ())]
            best = process.extractOne(surface, near, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            if best is not None:
                found = (self._surfaces[best[0]], best[1] / 100)
        if len(self._typos) < 100_000:
            self._typos[surface] = found
        return found

    def terms(self, norm: Normalized) -> QueryTerms:
        """Weigh a normalised message's words against the index's words and vocabulary.

        Typos are corrected first, so a misspelt variant is read by the vocabulary like the variant itself;
        a corrected word counts by its similarity.
        """
        tokens, corrections, similarity = self._corrected(norm)
        tokens, _, readings = self.vocabulary.apply_words(tokens, norm.surfaces)
        weights: dict[str, float] = {}
        total = 0.0
        for token in dict.fromkeys(tokens):
            if token in self.idf:
                weights[token] = self.idf[token] * similarity.get(token, 1.0)
                total += self.idf[token]
            elif token not in PLACEHOLDERS:  # a pasted GUID or number is neither for nor against a cause
                total += UNKNOWN_WEIGHT
        return QueryTerms(weights, total, corrections, tuple(readings))

    def _corrected(self, norm: Normalized) -> tuple[tuple[str, ...], dict[str, str], dict[str, float]]:
        """The message's stems with typos corrected, the corrections (as typed -> stem) and each corrected stem's
        similarity (the stems a corrected vocabulary variant is read as included)."""
        tokens = list(norm.tokens)
        corrections: dict[str, str] = {}
        similarity: dict[str, float] = {}
        for i, (token, surface) in enumerate(zip(norm.tokens, norm.surfaces, strict=True)):
            known = token in self.idf or token in PLACEHOLDERS or surface in self._variant_words
            if known or (near := self._correct(surface)) is None:
                continue
            stem, sim = near
            tokens[i] = stem
            corrections[surface] = stem
            for read_as in self.vocabulary.canon(stem):
                similarity[read_as] = max(similarity.get(read_as, 0.0), sim)
        return tuple(tokens), corrections, similarity

    # --- scoring ----------------------------------------------------------------------

    def search(
        self,
        text: str | Normalized,
        *,
        floor: float = 20.0,
        limit: int = 4,
        keys: set[tuple[str, str]] | None = None,
        strategy: Literal["auto", "accumulate", "bitset"] = "auto",
        terms: QueryTerms | None = None,
    ) -> list[Hit]:
        """The ``limit`` best causes scoring at least ``floor``, each with its best pattern, best first.

        Args:
            text: the message, raw or already normalised.
            floor: scores below this are not reported (and let the index skip work).
            limit: how many causes to return.
            keys: only these causes, as (flow, node); default: all.
            strategy: how to find them (the results are the same): ``accumulate`` walks postings lists,
                ``bitset`` intersects bit sets of patterns (faster when the message's words are common);
                ``auto`` picks by the work each would do.
            terms: the message's :meth:`terms`, when the caller has them already.
        """
        if terms is None:
            terms = self.terms(normalize(text) if isinstance(text, str) else text)
        q = terms
        if q.total <= 0 or not q.weights or limit <= 0:
            return []
        order = sorted(q.weights, key=lambda t: (-q.weights[t], t))
        # rest[j]: the weight of order[j:], the most a pattern first seen at term j can share with the message.
        rest = [0.0] * (len(order) + 1)
        for j in range(len(order) - 1, -1, -1):
            rest[j] = rest[j + 1] + q.weights[order[j]]
        if strategy == "auto":
            work = sum(len(self._postings[t]) for t in order)
            use_bits = keys is None and work > BITSET_MIN_WORK and len(order) <= BITSET_MAX_TERMS
            strategy = "bitset" if use_bits else "accumulate"
        if strategy == "bitset" and keys is None:
            best = self._search_bitsets(q, order, rest, floor, limit)
            if best is not None:
                return self._hits(best, q, limit)
        return self._top(self._accumulate(q, order, rest, floor, limit, keys), q, floor, limit, keys)

    def _accumulate(
        self,
        q: QueryTerms,
        order: list[str],
        rest: list[float],
        floor: float,
        limit: int,
        keys: set[tuple[str, str]] | None,
    ) -> dict[int, float]:
        """The shared weight of every pattern that may make the top ``limit`` (term at a time, with MaxScore)."""
        shared: dict[int, float] = {}
        theta = floor
        lo, hi = self._id_range(theta, rest[0], q.total)
        j = 0
        while j < len(order):
            term = order[j]
            postings = self._postings[term]
            if shared and len(postings) > 64 and len(postings) > len(shared) // 2:
                # Before a long postings list: could a pattern not seen yet still make the top ``limit``?
                theta = self._kth_lower_bound(shared, q.total, theta, limit, keys)
                lo, hi = self._id_range(theta, rest[0], q.total)
                min_weight = min(self._min_weight[t] for t in order[j:])
                bound = 100.0 * rest[j] / (ALPHA * max(rest[j], min_weight) + (1 - ALPHA) * q.total)
                if bound < theta:
                    break
            if lo > 0 or hi < len(self._weight):
                postings = postings[bisect_left(postings, lo) : bisect_left(postings, hi)]
            w = q.weights[term]
            get = shared.get
            for i in postings:
                shared[i] = get(i, 0.0) + w
            j += 1
        if j < len(order):
            # The remaining (common) words only add to patterns already found; drop those that cannot make it.
            shared = self._prune(shared, rest[j], q.total, theta)
            tokens = self._tokens
            for term in order[j:]:
                w = q.weights[term]
                for i in shared:
                    if term in tokens[i]:
                        shared[i] += w
        return shared

    def _bits(self, term: str) -> int:
        """The patterns holding ``term``, as the bits of an integer (cached for common words)."""
        bits = self._bitsets.get(term)
        if bits is None:
            buf = bytearray((len(self._weight) + 7) // 8)
            for i in self._postings[term]:
                buf[i >> 3] |= 1 << (i & 7)
            bits = int.from_bytes(buf, "little")
            if len(self._postings[term]) >= self._bitset_min_postings:
                self._bitsets[term] = bits
        return bits

    def _search_bitsets(
        self, q: QueryTerms, order: list[str], rest: list[float], floor: float, limit: int
    ) -> dict[int, tuple[float, int]] | None:
        """Each top cause's best (score, pattern), found by splitting the patterns by which words they share.

        A depth-first walk decides, word by word, "has it" or "hasn't": a node is the set of patterns
        (an integer's bits) sharing exactly the words chosen so far. Patterns are numbered lightest first,
        so a node's lowest bit is its best pattern, which bounds the whole node. Returns ``None`` when the
        walk grows past its budget (the caller then accumulates instead).
        """
        beta = (1 - ALPHA) * q.total
        weight, cause = self._weight, self._cause
        lo, hi = self._id_range(floor, rest[0], q.total)
        if lo >= hi:
            return {}
        has = [self._bits(t) for t in order]
        hasnt = [~b for b in has]
        ws = [q.weights[t] for t in order]
        depth = len(order)
        best: dict[int, tuple[float, int]] = {}
        theta = floor
        budget = BITSET_MAX_NODES
        # (depth, patterns, shared weight); the "has it" branch is pushed last so it is explored first.
        stack: list[tuple[int, int, float]] = [(0, ((1 << hi) - 1) ^ ((1 << lo) - 1), 0.0)]
        while stack:
            d, mask, m = stack.pop()
            budget -= 1
            if budget < 0:
                return None
            most = m + rest[d]
            first = (mask & -mask).bit_length() - 1
            if 100.0 * most / (ALPHA * max(most, weight[first]) + beta) < theta:
                continue
            if d < depth:
                if (out := mask & hasnt[d]) != 0:
                    stack.append((d + 1, out, m))
                if (inside := mask & has[d]) != 0:
                    stack.append((d + 1, inside, m + ws[d]))
                continue
            # A leaf: every pattern here shares exactly m; lighter ones score higher.
            while mask:
                low = mask & -mask
                i = low.bit_length() - 1
                score = 100.0 * m / (ALPHA * weight[i] + beta)
                if score < theta:
                    break
                c = cause[i]
                old = best.get(c)
                if old is None or score > old[0] or (score == old[0] and i < old[1]):
                    best[c] = (score, i)
                    if len(best) >= limit:
                        theta = max(theta, sorted((s for s, _ in best.values()), reverse=True)[limit - 1])
                mask ^= low
        return best

    def search_exhaustive(
        self,
        text: str | Normalized,
        *,
        floor: float = 20.0,
        limit: int = 4,
        keys: set[tuple[str, str]] | None = None,
    ) -> list[Hit]:
        """:meth:`search` without the index: every pattern scored. For tests and the benchmark's check."""
        norm = normalize(text) if isinstance(text, str) else text
        q = self.terms(norm)
        if q.total <= 0 or not q.weights or limit <= 0:
            return []
        order = sorted(q.weights, key=lambda t: (-q.weights[t], t))
        shared: dict[int, float] = {}
        for i, tokens in enumerate(self._tokens):
            m = 0.0
            for t in order:  # the same order of additions as search(), so the same floats
                if t in tokens:
                    m += q.weights[t]
            if m > 0:
                shared[i] = m
        return self._top(shared, q, floor, limit, keys)

    def _best_scores(
        self, shared: dict[int, float], total: float, cut: float, keys: set[tuple[str, str]] | None
    ) -> dict[int, tuple[float, int]]:
        """Each cause's best (score, pattern) among the candidates scoring at least ``cut``."""
        weight, cause = self._weight, self._cause
        beta = (1 - ALPHA) * total
        scored = [(s, i) for i, m in shared.items() if (s := 100.0 * m / (ALPHA * weight[i] + beta)) >= cut]
        best: dict[int, tuple[float, int]] = {}
        for s, i in scored:
            c = cause[i]
            old = best.get(c)
            # Ties go to the earlier pattern, so results never depend on dict order.
            if old is None or s > old[0] or (s == old[0] and i < old[1]):
                best[c] = (s, i)
        if keys is not None:
            best = {c: v for c, v in best.items() if self._keys[c] in keys}
        return best

    def _kth_lower_bound(
        self, shared: dict[int, float], total: float, cut: float, limit: int, keys: set[tuple[str, str]] | None
    ) -> float:
        """The ``limit``-th best cause score so far (or ``cut``): final scores only grow, so it is a lower bound."""
        scores = sorted((s for s, _ in self._best_scores(shared, total, cut, keys).values()), reverse=True)
        return scores[limit - 1] if len(scores) >= limit else cut

    def _id_range(self, theta: float, known: float, total: float) -> tuple[int, int]:
        """The numbers [lo, hi) of the patterns whose weight lets them reach ``theta`` at all.

        A pattern shares at most min(W(p), known) with the message, so its score is at most
        100 * min(W, known) / (alpha * W + (1 - alpha) * total): too light or too heavy a pattern cannot reach theta.
        """
        beta = (1 - ALPHA) * total
        if theta <= 0:
            return 0, len(self._weight)
        w_lo = theta * beta / (100.0 - ALPHA * theta) if theta < 100.0 / ALPHA else math.inf
        w_hi = (100.0 * known / theta - beta) / ALPHA
        # A hair of slack either side: a bound must never cut a pattern that rounding put on the line.
        return bisect_left(self._weight, w_lo * (1 - 1e-9)), bisect_right(self._weight, w_hi * (1 + 1e-9))

    def _prune(self, shared: dict[int, float], rest: float, total: float, theta: float) -> dict[int, float]:
        """Drop candidates that cannot reach ``theta`` even if they hold every remaining word."""
        weight = self._weight
        beta = (1 - ALPHA) * total
        return {
            i: m for i, m in shared.items() if 100.0 * min(m + rest, weight[i]) / (ALPHA * weight[i] + beta) >= theta
        }

    def _top(
        self, shared: dict[int, float], q: QueryTerms, floor: float, limit: int, keys: set[tuple[str, str]] | None
    ) -> list[Hit]:
        return self._hits(self._best_scores(shared, q.total, floor, keys), q, limit)

    def _hits(self, best: dict[int, tuple[float, int]], q: QueryTerms, limit: int) -> list[Hit]:
        ranked = sorted(
            best.values(),
            key=lambda si: (-si[0], self.patterns[si[1]].flow, self.patterns[si[1]].node),
        )[:limit]
        out = []
        for s, i in ranked:
            shared = tuple(sorted(t for t in self._tokens[i] if t in q.weights))
            coverage = sum(q.weights[t] for t in shared) / self._weight[i]
            out.append(Hit(min(s, 100.0), self.patterns[i], shared, min(coverage, 1.0), self._weight[i]))
        return out
