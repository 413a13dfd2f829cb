"""A flow's labelled examples (``matching: examples:``), as the matcher uses them."""

from __future__ import annotations

import os
from pathlib import Path

from selfhelp.flow.examples import flow_examples
from selfhelp.flow.models import Flow
from selfhelp.flow.validate import check_file
from selfhelp.matcher import FuzzyMatcher

FLOW = """\
id: tiny
title: A tiny flow
version: "1"
start: paste
matching:
  match_threshold: 43
  candidate_threshold: 36
{examples}
nodes:
  paste:
    kind: match
    text: Paste the error.
    no_match: support
  mismatch:
    kind: cause
    title: The tenant ID and subdomain don't match
    text: The tenant ID and subdomain must belong to the same customer.
    errors:
      - tenant ID and subdomain do not match
    next: support
  claimed:
    kind: cause
    title: The subscription has already been claimed
    text: The subscription you provided has already been claimed.
    errors:
      - The subscription has already been claimed
    next: support
  support:
    kind: outcome
    result: contact_support
"""

EXAMPLES = """\
flow: tiny
examples:
  - text: the portal keeps saying the directory and the onmicrosoft name belong to two different companies
    cause: mismatch
    source: a support case
  - text: |
      Date: Fri, 20 Nov 2026 10:00:00 GMT
      x-ms-correlation-id: 8c1b2e55-0d2f-4a61-9a3e-51c2f0b1f1aa
      co-op claim 4411 was declined, the tax invoice is missing
    cause: null
"""


def tiny(tmp_path: Path, *, with_examples: bool = True) -> Flow:
    setting = "  examples: tiny.examples.yaml" if with_examples else ""
    path = tmp_path / "tiny.yaml"
    path.write_text(FLOW.format(examples=setting), encoding="utf-8")
    (tmp_path / "tiny.examples.yaml").write_text(EXAMPLES, encoding="utf-8")
    report = check_file(path, examples=True)
    assert report.ok, [d.format() for d in report.diagnostics]
    assert report.flow is not None
    return report.flow


PARAPHRASE = "partner center says the directory and the onmicrosoft name belong to different companies"
NEAR_MISS = "our co-op claim got declined because the tax invoice is missing"


def test_a_message_worded_like_an_example_lands_on_its_cause(tmp_path: Path) -> None:
    result = FuzzyMatcher().match_flow(tiny(tmp_path), PARAPHRASE)
    assert result.verdict == "match" and [m.node for m in result.matches] == ["mismatch"]
    # The explanation shows the example it resembles.
    assert result.matches[0].pattern.startswith("the portal keeps saying the directory")


def test_without_the_examples_the_same_message_gets_no_cause(tmp_path: Path) -> None:
    result = FuzzyMatcher().match_flow(tiny(tmp_path, with_examples=False), PARAPHRASE)
    assert result.verdict == "none"


def test_an_example_labelled_null_keeps_a_near_miss_off_the_causes(tmp_path: Path) -> None:
    result = FuzzyMatcher().match_flow(tiny(tmp_path), NEAR_MISS)
    assert result.verdict == "none" and result.matches == []


def test_log_lines_of_an_example_are_not_indexed(tmp_path: Path) -> None:
    [_, near_miss] = flow_examples(tiny(tmp_path))
    assert near_miss.cause is None and near_miss.text.startswith("Date: Fri, 20 Nov 2026")
    patterns = FuzzyMatcher().index(tiny(tmp_path)).patterns
    [indexed] = [p for p in patterns if p.kind == "example" and "co-op" in p.text]
    assert indexed.text == "co-op claim <number> was declined, the tax invoice is missing"


def test_an_edited_examples_file_is_read_again_and_a_broken_one_counts_as_none(tmp_path: Path) -> None:
    flow = tiny(tmp_path)
    assert len(flow_examples(flow)) == 2
    examples = tmp_path / "tiny.examples.yaml"
    examples.write_text("flow: tiny\nexamples:\n  - {text: one more, cause: claimed}\n", encoding="utf-8")
    os.utime(examples, ns=(1, 1))  # a different mtime, whatever the clock's resolution
    assert [e.text for e in flow_examples(flow)] == ["one more"]
    examples.write_text("flow: tiny\nexamples: [", encoding="utf-8")
    os.utime(examples, ns=(2, 2))
    assert flow_examples(flow) == ()
    examples.unlink()
    assert flow_examples(flow) == ()
    # Matching still works on the flow's own patterns.
    result = FuzzyMatcher().match_flow(flow, "The subscription has already been claimed")
    assert result.verdict == "match" and result.matches[0].node == "claimed"


def test_a_flow_given_as_text_has_no_examples(tmp_path: Path) -> None:
    from selfhelp.flow.validate import check_bytes

    report = check_bytes(FLOW.format(examples="  examples: tiny.examples.yaml").encode(), "tiny.yaml")
    assert report.flow is not None and report.flow.origin is None and flow_examples(report.flow) == ()


def test_the_shipped_cpor_flow_indexes_its_examples() -> None:
    flow = check_file(Path(__file__).parent.parent / "flows" / "cpor-customer-association.yaml").flow
    assert flow is not None
    examples = flow_examples(flow)
    assert len(examples) >= 700 and sum(e.cause is None for e in examples) >= 200
    assert all(e.source and e.writer for e in examples)


# --- agreement among the nearest examples -----------------------------------------------------------------


def test_the_nearest_examples_vote_for_their_causes() -> None:
    from selfhelp.matcher.index import Pattern
    from selfhelp.matcher.neighbours import agreement, neighbours
    from selfhelp.matcher.normalize import Vocabulary, normalize

    examples = [
        Pattern("f", "claimed", "", "subscription already claimed", "example"),
        Pattern("f", "claimed", "", "this subscription is already claimed", "example"),
        Pattern("f", "claimed", "", "the subscription was already claimed", "example"),
        Pattern("f", "mismatch", "", "the tenant and the domain do not match", "example"),
        Pattern("f", "mismatch", "", "tenant id does not match the domain", "example"),
        Pattern("f", "mismatch", "", "the domain of the subscription is not the tenant's", "example"),
    ]
    near = neighbours(examples, Vocabulary())
    assert near is not None
    votes = agreement(near, [normalize("my subscription is already claimed")], None)
    # The far example that shares only "subscription" is among the nearest, but not close enough to vote.
    assert votes == {("f", "claimed"): 3}
    # Only the causes asked about vote.
    assert agreement(near, [normalize("subscription already claimed")], {("f", "mismatch")}) == {("f", "mismatch"): 1}
    assert neighbours([], Vocabulary()) is None


def test_agreement_lifts_a_cause_by_four_points_per_extra_example(tmp_path: Path) -> None:
    flow = tiny(tmp_path)
    examples = tmp_path / "tiny.examples.yaml"
    examples.write_text(
        "flow: tiny\nexamples:\n"
        "  - {text: the subscription got taken by an older claim, cause: claimed}\n"
        "  - {text: this subscription got taken by an older claim, cause: claimed}\n"
        "  - {text: subscription got taken by an older claim, cause: claimed}\n"
        "  - {text: the tenant and the onmicrosoft name do not match, cause: mismatch}\n",
        encoding="utf-8",
    )
    message = "my subscription got taken by an older claim"
    matcher = FuzzyMatcher()
    [with_votes] = [h for h in matcher.hits([flow], message) if h.pattern.node == "claimed"]
    from selfhelp.matcher.matcher import best_hits

    [alone] = [h for h in best_hits(matcher.index(flow), message, None).hits if h.pattern.node == "claimed"]
    # Three examples agree: two beyond the first, four points each (a score never passes 100).
    assert alone.score < 100.0 and with_votes.score == min(100.0, alone.score + 8.0)


def test_a_session_prepares_its_matcher_when_asked() -> None:
    from selfhelp.session.engine import Session

    class Recording(FuzzyMatcher):
        def __init__(self) -> None:
            super().__init__()
            self.prepared: list[str] = []

        def prepare(self, flow: Flow) -> None:
            self.prepared.append(flow.id)
            super().prepare(flow)

    flow = check_file(Path(__file__).parent.parent / "flows" / "cpor-customer-association.yaml").flow
    assert flow is not None
    matcher = Recording()
    Session(flow, matcher=matcher).prepare_matching()
    assert matcher.prepared == ["cpor-customer-association"]


def test_an_example_is_shown_masked_in_the_explanation(tmp_path: Path) -> None:
    flow = tiny(tmp_path)
    (tmp_path / "tiny.examples.yaml").write_text(
        "flow: tiny\nexamples:\n"
        "  - text: 'Subscription 7d3c1e52-9b0a-4f7e-8c11-2f5a6b7c8d9e was taken by an older claim of jo@fabrikam.com'\n"
        "    cause: claimed\n",
        encoding="utf-8",
    )
    result = FuzzyMatcher().match_flow(flow, "the subscription was taken by an older claim")
    assert result.verdict == "match" and result.matches[0].node == "claimed"
    assert result.matches[0].pattern == "Subscription <guid> was taken by an older claim of <email>"
