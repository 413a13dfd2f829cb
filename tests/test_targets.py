"""Where a node leads, defined once: ``Flow.targets`` and the validator's raw graph agree on every flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfhelp.flow.graph import FlowGraph
from selfhelp.flow.models import MatchNode
from selfhelp.flow.validate import FileReport, check_bytes, check_file

ROOT = Path(__file__).resolve().parent.parent

#: Every YAML file under flows/ and tests/ but scenario files; the ones that are not valid flows are skipped.
YAML_FILES = sorted(
    p for folder in ("flows", "tests") for p in (ROOT / folder).rglob("*.yaml") if not p.name.endswith(".test.yaml")
)

#: A valid flow (candidate-not-cause is waived) whose match step lists a cause without patterns and an outcome.
LISTED = b"""\
id: listed
title: Listed candidates
version: "1"
start: paste
nodes:
  paste:
    kind: match
    candidates: [late, silent, done, early, late]
    no_match: ask
    lint_off: {candidate-not-cause: "done is listed on purpose"}
  ask:
    kind: question
    choices:
      - {label: Late, goto: late}
      - {label: Silent, goto: silent}
      - {label: Other}
    lint_off: {choice-without-target: "a placeholder answer"}
  early: {kind: cause, text: Too early., errors: [too early], next: done}
  silent: {kind: cause, text: No pattern., next: done}
  late:
    kind: cause
    text: Too late.
    errors: [too late]
    next:
      - {when: {value: error_message, is_set: true}, goto: done}
      - goto: ask
  done: {kind: outcome, result: resolved}
"""


def valid_reports() -> list[FileReport]:
    reports = [check_file(p) for p in YAML_FILES]
    return [r for r in reports if r.ok and r.flow is not None and r.loaded is not None]


def graph_targets(report: FileReport) -> dict[str, list[str]]:
    assert report.loaded is not None
    graph = FlowGraph.from_raw(report.loaded.data)
    return {nid: [e.target for e in node.edges] for nid, node in graph.nodes.items()}


def model_targets(report: FileReport) -> dict[str, list[str]]:
    flow = report.flow
    assert flow is not None
    return {nid: flow.targets(node) for nid, node in flow.nodes.items()}


def test_the_raw_graph_and_the_model_give_the_same_targets_for_every_flow() -> None:
    reports = valid_reports()
    checked = {r.flow.id for r in reports if r.flow is not None}
    # The glob found the flows this test is about (a wrong folder would make it pass on nothing).
    assert {"cpor-customer-association", "good", "mini", "tui-second"} <= checked
    for report in reports:
        assert graph_targets(report) == model_targets(report), report.display


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ("[late, silent, done, early, late]", ["ask", "late", "early", "late"]),
        ("null", ["ask", "early", "late"]),
        ("[silent]", ["ask"]),
    ],
)
def test_a_match_step_leads_to_the_causes_it_can_match(candidates: str, expected: list[str]) -> None:
    raw = LISTED.replace(b"[late, silent, done, early, late]", candidates.encode())
    if candidates == "[silent]":
        raw = raw.replace(b"lint_off: {candidate-not-cause:", b"lint_off: {match-no-patterns:")
    report = check_bytes(raw, "listed.yaml")
    assert report.ok, [d.format() for d in report.diagnostics]
    assert model_targets(report)["paste"] == expected
    assert graph_targets(report)["paste"] == expected
    assert graph_targets(report) == model_targets(report)


def test_listed_candidates_that_cannot_be_matched_are_still_checked() -> None:
    report = check_bytes(LISTED.replace(b"[late, silent, done, early, late]", b"[silent, nowhere]"), "listed.yaml")
    found = {(d.rule, d.line) for d in report.diagnostics if not d.suppressed}
    # "nowhere" does not exist; "silent" has no patterns, so the step has nothing to match.
    assert found == {("dangling-target", 8), ("match-no-patterns", 6), ("unreachable-node", 18)}


def test_a_cause_listed_without_patterns_is_no_way_on() -> None:
    report = check_bytes(LISTED.replace(b"      - {label: Silent, goto: silent}\n", b""), "listed.yaml")
    found = {(d.rule, d.line) for d in report.diagnostics if not d.suppressed}
    # Only the match step lists "silent", and matching can never pick it: nobody reaches it.
    assert found == {("unreachable-node", 18)}
    assert report.flow is not None
    paste = report.flow.node("paste")
    assert isinstance(paste, MatchNode) and "silent" not in report.flow.targets(paste)
