"""The fast index build (chunk-wise normalisation, vocabulary by first words) changes no result."""

from __future__ import annotations

import math
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from selfhelp.flow.validate import check_file
from selfhelp.matcher.index import KIND_FACTOR, Pattern, PatternIndex
from selfhelp.matcher.matcher import FLOOR, best_hits, flow_patterns
from selfhelp.matcher.normalize import PLACEHOLDERS, Vocabulary, normalize, text_words

FLOWS = sorted((Path(__file__).resolve().parent.parent / "flows").glob("*.yaml"))

ATOMS = [
    "customer", "Tenant", "ID", "claimed", "doesn't", "PoE", "SubscriptionAlreadyClaimed", "HTTPServer", "iPhone",
    "365", "2024-01-31", "10:00", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "contoso.com", "a@b.com",
    "https://x.y/z", "AADSTS50076", "re-enter", "customer's", "\u2019", "\u00e9", "`", "-", ",", ":", "  ", "\t",
    "\n", "\r", "\x1b[31m", "the", "cloud", "solution", "provider",
]  # fmt: skip


def test_text_words_by_hand() -> None:
    assert text_words("The customer's tenant doesn't match") == (
        ("customer", "tenant", "not", "match"),
        ("customer", "tenant", "not", "match"),
    )
    # A CamelCase hint anywhere splits every identifier of the text, "HTTPServer" included.
    assert text_words("HTTPServer said SubscriptionAlreadyClaimed")[1] == (
        "http", "server", "subscription", "already", "claimed",
    )  # fmt: skip
    assert text_words("HTTPServer down")[1] == ("httpserver", "down")
    # A date and its time are one date (the one mask that spans a space).
    assert text_words("on 2024-01-31 10:00 it failed")[0] == ("<date>", "fail")
    assert text_words("Dynamics 365 Sales")[0] == ("dynamic", "<number>", "sal")
    assert text_words("Caf\u00e9 doesn\u2019t exist")[1] == ("caf\u00e9", "not", "exist")


@given(st.lists(st.sampled_from(ATOMS), max_size=14).map(" ".join) | st.lists(st.sampled_from(ATOMS)).map("".join))
@settings(max_examples=400, deadline=None)
def test_text_words_equals_normalize(text: str) -> None:
    norm = normalize(text)
    assert text_words(text) == (norm.tokens, norm.surfaces)


def reference_apply(vocabulary: Vocabulary, tokens: tuple[str, ...], surfaces: tuple[str, ...]) -> tuple[list, list]:
    """The vocabulary read as it was before: at each place, the longest variant, else the word."""
    out_t: list[str] = []
    out_s: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(vocabulary._longest, len(tokens) - i), 0, -1):
            found = vocabulary._map.get(tokens[i : i + n])
            if found is not None:
                out_t += found[1]
                out_s += found[2]
                i += n
                break
        else:
            out_t.append(tokens[i])
            out_s.append(surfaces[i])
            i += 1
    return out_t, out_s


class ReferenceIndex(PatternIndex):
    """The build as it was written before it was made fast: one pattern at a time, through normalize()."""

    def __init__(self, patterns: list[Pattern], vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.patterns = []
        self._tokens = []
        seen: set[tuple[tuple[str, str], frozenset[str]]] = set()
        surfaces: dict[str, str] = {}
        for pattern in patterns:
            norm = normalize(pattern.text)
            stems, written = reference_apply(vocabulary, norm.tokens, norm.surfaces)
            tokens = frozenset(stems) - PLACEHOLDERS
            if not tokens or (pattern.key, tokens) in seen:
                continue
            seen.add((pattern.key, tokens))
            self.patterns.append(pattern)
            self._tokens.append(tokens)
            for surface, token in zip(written, stems, strict=True):
                surfaces.setdefault(surface, token)
        docs: dict[str, set[tuple[str, str]]] = {}
        for pattern, tokens in zip(self.patterns, self._tokens, strict=True):
            for token in tokens:
                docs.setdefault(token, set()).add(pattern.key)
        n_docs = len({p.key for p in self.patterns}) or 1
        self.idf = {t: math.log(1 + n_docs / len(keys)) for t, keys in docs.items()}
        self.top_weight = max(self.idf.values(), default=0.0)
        weights = [
            sum(self.idf[t] for t in tokens) / KIND_FACTOR[p.kind]
            for p, tokens in zip(self.patterns, self._tokens, strict=True)
        ]
        order = sorted(range(len(weights)), key=lambda i: weights[i])
        self.patterns = [self.patterns[i] for i in order]
        self._tokens = [self._tokens[i] for i in order]
        self._weight = [weights[i] for i in order]
        self._postings = {}
        for i, tokens in enumerate(self._tokens):
            for token in tokens:
                self._postings.setdefault(token, []).append(i)
        self._bitsets = {}
        self._bitset_min_postings = max(64, sum(len(ids) for ids in self._postings.values()) // 2000)
        cause_ids: dict[tuple[str, str], int] = {}
        self._cause = [cause_ids.setdefault(p.key, len(cause_ids)) for p in self.patterns]
        self._keys = list(cause_ids)
        self._min_weight = {t: self._weight[ids[0]] for t, ids in self._postings.items()}
        self._variant_words = self.vocabulary.words
        surfaces = {**self._variant_words, **surfaces}
        self._by_length = {}
        for surface in surfaces:
            if len(surface) >= 4 and surface not in PLACEHOLDERS:
                self._by_length.setdefault(len(surface), []).append(surface)
        self._surfaces = surfaces
        vocab: dict[tuple[str, str], set[str]] = {}
        for pattern, tokens in zip(self.patterns, self._tokens, strict=True):
            vocab.setdefault(pattern.key, set()).update(tokens)
        self.cause_words = {k: frozenset(v) for k, v in vocab.items()}
        self._typos = {}


def generated(n: int, rng: random.Random) -> list[Pattern]:
    subjects = ["customer tenant ID", "Subscription", "PoE document", "claim", "Cloud Solution Provider", "SKU 365"]
    predicates = ["does not match", "has already been claimed", "is not active", "was cancelled", "isn't provisioned"]
    places = ["", " in Partner Center", " on 2024-01-31 10:00", " for contoso.com", " (AADSTS50076)", " for iPhone"]
    return [
        Pattern("gen", f"c{i // 4}", "", f"The {rng.choice(subjects)} {rng.choice(predicates)}{rng.choice(places)}",
                "text" if i % 5 == 0 else "error")
        for i in range(n)
    ]  # fmt: skip


def state(index: PatternIndex) -> dict[str, object]:
    return {
        "patterns": index.patterns, "tokens": index._tokens, "weight": index._weight, "idf": index.idf,
        "postings": index._postings, "cause": index._cause, "keys": index._keys, "min_weight": index._min_weight,
        "by_length": index._by_length, "surfaces": list(index._surfaces.items()), "cause_words": index.cause_words,
    }  # fmt: skip


def test_the_index_equals_the_reference_build_on_shipped_flows_and_generated_patterns() -> None:
    rng = random.Random(5)
    patterns: list[Pattern] = []
    vocabulary = Vocabulary()
    for path in FLOWS:
        flow = check_file(path).flow
        if flow is not None:
            patterns += flow_patterns(flow)
            vocabulary = vocabulary.merged(Vocabulary(flow.matching.vocabulary))
    assert len(patterns) > 50
    patterns += generated(3_000, rng)
    fast, slow = PatternIndex(patterns, vocabulary), ReferenceIndex(patterns, vocabulary)
    assert state(fast) == state(slow)
    queries = [p.text for p in rng.sample(patterns, 150)] + ["the customer tenant doesnt match", "PoE was rejected"]
    for query in queries:
        want = [(h.pattern, h.score, h.words) for h in slow.search_exhaustive(query, floor=FLOOR, limit=8)]
        assert [(h.pattern, h.score, h.words) for h in fast.search(query, floor=FLOOR, limit=8)] == want
        assert best_hits(fast, query, None).hits == best_hits(slow, query, None).hits
