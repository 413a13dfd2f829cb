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
    assert indexed.text == "co-op claim 4411 was declined, the tax invoice is missing"


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
