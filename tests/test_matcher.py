"""The fuzzy error matcher: normalisation and masking, the index, verdicts, bad input, across flows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfhelp.flow.models import Flow
from selfhelp.flow.validate import check_file
from selfhelp.matcher import FuzzyMatcher
from selfhelp.matcher.index import Hit, Pattern, PatternIndex
from selfhelp.matcher.matcher import Thresholds, decide, flow_patterns
from selfhelp.matcher.normalize import normalize
from selfhelp.matcher.results import MAX_QUERY_CHARS
from selfhelp.session.engine import Session

ROOT = Path(__file__).resolve().parent.parent
CPOR_PATH = ROOT / "flows" / "cpor-customer-association.yaml"
GUID = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"


@pytest.fixture(scope="module")
def cpor() -> Flow:
    flow = check_file(CPOR_PATH).flow
    assert flow is not None
    return flow


def make_flow(flow_id: str, causes: dict[str, list[str]], **matching: float) -> Flow:
    """A minimal flow whose causes have the given error patterns."""
    nodes: dict[str, dict] = {"start": {"kind": "match", "text": "Paste it."}}
    for node, errors in causes.items():
        nodes[node] = {"kind": "cause", "title": node.replace("-", " "), "text": "", "errors": errors}
    return Flow.model_validate(
        {"id": flow_id, "title": flow_id, "version": "1", "start": "start", "matching": matching, "nodes": nodes}
    )


# --- normalisation and masking ---------------------------------------------------------------------


def test_variable_parts_are_masked_and_returned_as_parameters() -> None:
    norm = normalize(
        f"Tenant {{{GUID}}} does not match contoso.onmicrosoft.com; mail bob@contoso.com on 2024-03-01, "
        "claim 88213, ref AADSTS50076, see https://partner.microsoft.com/x?y=1"
    )
    assert norm.params == {
        "guid": [GUID],  # as pasted: the case is kept, the braces are not
        "domain": ["contoso.onmicrosoft.com"],
        "email": ["bob@contoso.com"],
        "date": ["2024-03-01"],
        "number": ["88213"],
        "id": ["AADSTS50076"],
        "url": ["https://partner.microsoft.com/x?y=1"],
    }
    assert GUID.lower() not in norm.masked and "<guid>" in norm.masked and "<domain>" in norm.tokens


def test_quotes_dashes_width_case_and_contractions_compare_equal() -> None:
    plain = normalize("The customer tenant ID and subdomain do not match")
    fancy = normalize("“ＴＨＥ Customer tenant ID — and subdomain don’t match!”")
    bare = normalize("the customer tenant id and subdomain dont match")
    assert plain.tokens == fancy.tokens == bare.tokens
    assert "not" in plain.tokens  # negation carries meaning and is kept


def test_control_bidi_and_zero_width_characters_are_removed() -> None:
    norm = normalize("sub\u200bscription\x1b[31m already\u202e claimed\x00")
    assert all(ch.isprintable() for ch in norm.text)
    assert "claim" in norm.tokens and "already" in norm.tokens


@given(st.text(max_size=300))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_normalize_never_fails_and_tokens_are_single_words(text: str) -> None:
    norm = normalize(text)
    assert all(tok and not any(ch.isspace() for ch in tok) for tok in norm.tokens)
    assert len(norm.tokens) == len(norm.surfaces)


# --- the index is exact ------------------------------------------------------------------------------

WORDS = ["customer", "tenant", "subscription", "product", "claim", "partner", "domain", "dynamics", "csp", "poe"]
VERBS = ["does not match", "has already been claimed", "is not active", "is missing", "was rejected", "is under review"]


def synthetic_index(n: int) -> PatternIndex:
    import random

    rng = random.Random(n)
    patterns = []
    for i in range(n):
        text = f"The {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(VERBS)} for the {rng.choice(WORDS)}"
        patterns.append(Pattern("f", f"c{i // 3}", "", text, "text" if i % 7 == 0 else "error"))
    return PatternIndex(patterns)


BIG = synthetic_index(3_000)


def keyed(hits: list) -> list[tuple[tuple[str, str], float]]:
    return [(h.pattern.key, round(h.score, 9)) for h in hits]


@given(st.lists(st.sampled_from([*WORDS, "not", "already", "claimed", "zzz", "tenamt"]), min_size=1, max_size=9))
@settings(max_examples=150, deadline=None)
def test_index_strategies_equal_scoring_every_pattern(words: list[str]) -> None:
    query = " ".join(words)
    slow = keyed(BIG.search_exhaustive(query))
    assert keyed(BIG.search(query, strategy="accumulate")) == slow
    assert keyed(BIG.search(query, strategy="bitset")) == slow
    assert keyed(BIG.search(query)) == slow


def test_the_bitset_walk_really_runs_and_its_budget_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import selfhelp.matcher.index as index_module

    query = "customer tenant does not match for the claim"
    expected = keyed(BIG.search_exhaustive(query))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("accumulated instead")

    with monkeypatch.context() as patch:
        patch.setattr(PatternIndex, "_accumulate", refuse)
        assert keyed(BIG.search(query, strategy="bitset")) == expected
    monkeypatch.setattr(index_module, "BITSET_MAX_NODES", 1)  # the walk gives up at once
    assert keyed(BIG.search(query, strategy="bitset")) == expected


def test_restricting_to_some_causes_equals_filtering_every_cause() -> None:
    keys = {("f", "c1"), ("f", "c2"), ("f", "c50")}
    query = "customer tenant does not match"
    expected = [h for h in BIG.search_exhaustive(query, limit=10_000) if h.pattern.key in keys]
    assert keyed(BIG.search(query, keys=keys)) == keyed(expected)


# --- verdicts on the CPOR flow -------------------------------------------------------------------------


def test_exact_error_is_a_confident_match_that_explains_itself(cpor: Flow) -> None:
    result = FuzzyMatcher().match_flow(cpor, f"Error: the customer tenant ID {GUID} and subdomain don't match.")
    assert result.verdict == "match"
    [top] = result.matches
    assert (top.flow, top.node) == ("cpor-customer-association", "tenant-subdomain-mismatch")
    assert top.score >= 60 and "subdomain" in top.pattern.lower()
    assert top.params == {"guid": [GUID]}
    assert {"tenant", "subdomain", "match"} <= set(top.words)


def test_typos_and_fragments_still_land(cpor: Flow) -> None:
    matcher = FuzzyMatcher()
    assert matcher.match_flow(cpor, "The subscripton has allready been claimed").matches[0].node == (
        "subscription-already-claimed"
    )
    assert matcher.match_flow(cpor, "not for dynamics").matches[0].node == "subscription-not-dynamics"


def test_unrelated_messages_get_no_match(cpor: Flow) -> None:
    matcher = FuzzyMatcher()
    for text in ["My incentive payment for March hasn't arrived", "Hello", "Error 403 Forbidden"]:
        assert matcher.match_flow(cpor, text).verdict == "none", text


def test_candidates_limit_the_causes(cpor: Flow) -> None:
    result = FuzzyMatcher().match_flow(cpor, "The subscription has already been claimed", ["subscription-is-csp"])
    assert all(m.node == "subscription-is-csp" for m in result.matches)


def test_two_close_causes_are_ambiguous_best_first() -> None:
    flow = make_flow(
        "twins",
        {
            "tenant-blocked": ["The tenant is blocked for this program"],
            "tenant-suspended": ["The tenant is suspended for this program"],
            "other": ["The invoice currency is wrong"],
        },
    )
    result = FuzzyMatcher().match_flow(flow, "the tenant for this program")
    assert result.verdict == "ambiguous"
    assert {m.node for m in result.matches} == {"tenant-blocked", "tenant-suspended"}
    assert result.matches[0].score >= result.matches[1].score


def test_flow_thresholds_override_the_defaults() -> None:
    causes = {"late": ["The payout is late this month"], "wrong": ["The invoice currency is wrong"]}
    text = "payout is late"
    assert FuzzyMatcher().match_flow(make_flow("lenient", causes), text).verdict == "match"
    strict = make_flow("strict", causes, match_threshold=99.5)
    assert FuzzyMatcher().match_flow(strict, text).verdict == "ambiguous"
    blind = make_flow("blind", causes, match_threshold=100, candidate_threshold=100)
    assert FuzzyMatcher().match_flow(blind, text).verdict == "none"


def test_decide_needs_a_lead_over_the_runner_up() -> None:
    index = PatternIndex([Pattern("f", "a", "A", "tenant blocked"), Pattern("f", "b", "B", "tenant blocked now")])
    hits = index.search("tenant blocked")
    verdict, shown = decide(hits, Thresholds(match=50, candidate=30, margin=50, window=50))
    assert verdict == "ambiguous" and [h.pattern.node for h in shown] == ["a", "b"]
    verdict, shown = decide(hits, Thresholds(match=50, candidate=30, margin=0))
    assert verdict == "match" and [h.pattern.node for h in shown] == ["a"]


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "\x00\x07\x1b[2J", "🙂🙂🙂 🔥", "שלום, המנוי כבר נתבע", "مرحبا", "\u202e\u200f", "a" * 50],
)
def test_junk_gets_a_verdict_without_crashing(cpor: Flow, text: str) -> None:
    result = FuzzyMatcher().match_flow(cpor, text)
    assert result.verdict == "none" and result.matches == []


def test_a_huge_paste_is_truncated_with_a_notice(cpor: Flow) -> None:
    text = "The subscription has already been claimed. " + "lorem ipsum " * 90_000  # about 1 MB
    result = FuzzyMatcher().match_flow(cpor, text)
    assert len(result.query) == MAX_QUERY_CHARS and result.notice and "first" in result.notice
    assert result.matches and result.matches[0].node == "subscription-already-claimed"


@given(st.text(max_size=500))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_gets_a_valid_result(cpor: Flow, text: str) -> None:
    result = FuzzyMatcher().match_flow(cpor, text)
    assert result.verdict in ("match", "ambiguous", "none")
    assert (result.verdict == "none") == (not result.matches)
    assert len(result.matches) <= 3 and all(0 <= m.score <= 100 for m in result.matches)


# --- across flows, caching, the engine ------------------------------------------------------------------


def test_matching_across_flows_routes_to_the_right_flow(cpor: Flow) -> None:
    pal = make_flow("pal", {"pec-lost": ["PEC was lost: the MPN ID linked via PAL is not the one of the CSP purchase"]})
    matcher = FuzzyMatcher()
    result = matcher.match_flows([cpor, pal], "earned credit lost, MPN ID linked via PAL differs from the CSP purchase")
    assert result.matches and (result.matches[0].flow, result.matches[0].node) == ("pal", "pec-lost")
    result = matcher.match_flows([cpor, pal], "The subscription provided is for CSP")
    assert (result.matches[0].flow, result.matches[0].node) == ("cpor-customer-association", "subscription-is-csp")


def test_indexes_are_built_lazily_and_cached(cpor: Flow) -> None:
    matcher = FuzzyMatcher()
    assert matcher._cache == {}
    first = matcher.index(cpor)
    assert matcher.index(cpor) is first
    assert matcher.index(cpor.model_copy(deep=True)) is not first  # another flow object: another index


def test_flow_patterns_include_errors_titles_explanations_and_examples(cpor: Flow) -> None:
    kinds = {p.kind for p in flow_patterns(cpor) if p.node == "competing-claim"}
    assert kinds == {"error", "title", "text", "example"}
    assert not any(p.text.lower().startswith("what to do") for p in flow_patterns(cpor))


def test_the_engine_uses_the_fuzzy_matcher_by_default(cpor: Flow) -> None:
    session = Session(cpor)
    assert isinstance(session.matcher, FuzzyMatcher)
    session.choose_label("I have an error message to paste")
    reply = session.submit("the customer hasnt provisioned the products for this subscription yet")
    assert reply.ok and session.current.node == "products-not-provisioned"


def test_importing_the_matcher_does_not_load_rapidfuzz() -> None:
    import subprocess

    code = "import sys, selfhelp.session.engine, selfhelp.matcher; print('rapidfuzz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@given(st.text(alphabet=st.sampled_from("abcdef0123456789-.@: xyz{}/"), max_size=80))
@settings(max_examples=200)
def test_the_mask_shortcut_changes_nothing(text: str) -> None:
    import importlib
    import re

    module = importlib.import_module("selfhelp.matcher.normalize")

    fast = module.mask(text)
    saved = module._MAYBE_VARIABLE
    module._MAYBE_VARIABLE = re.compile("")  # matches everything: every mask runs
    try:
        assert module.mask(text) == (" ".join(fast[0].split()), fast[1])
    finally:
        module._MAYBE_VARIABLE = saved


@given(
    st.lists(st.floats(min_value=0, max_value=100), max_size=6),
    st.floats(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=100),
)
def test_verdicts_follow_the_documented_rules(scores: list[float], match: float, candidate: float) -> None:
    candidate = min(candidate, match)
    hits = [Hit(s, Pattern("f", f"n{i}", "", "x"), ()) for i, s in enumerate(sorted(scores, reverse=True))]
    t = Thresholds(match=match, candidate=candidate)
    verdict, shown = decide(hits, t)
    if verdict == "none":
        assert shown == [] and (not hits or hits[0].score < candidate)
    elif verdict == "match":
        runner_up = hits[1].score if len(hits) > 1 else 0.0
        assert shown == hits[:1] and hits[0].score >= match and hits[0].score - runner_up >= t.margin
    else:
        assert 1 <= len(shown) <= 3 and shown[0] is hits[0]
        assert all(h.score >= candidate and hits[0].score - h.score <= t.window for h in shown)
