"""The validator's blind spots, strict types and cascades: one mistake, one report, where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfhelp.flow.validate import check_bytes

GOOD = (Path(__file__).parent / "bad_flows" / "good.yaml").read_bytes()


def found(raw: bytes) -> list[tuple[str, int, int]]:
    """(rule, line, column) of every problem, in report order."""
    return [(d.rule, d.line, d.column) for d in check_bytes(raw, "f.yaml").diagnostics]


def edit(old: bytes, new: bytes) -> bytes:
    """good.yaml with one edit (the text to replace must be there exactly once)."""
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


# --- strict types -----------------------------------------------------------------------


MAX_LENGTH = b"      - type: guid\n        message: A tenant ID is a GUID.\n"


@pytest.mark.parametrize(
    ("old", "new", "where", "hint"),
    [
        # After good.yaml's guid validator (lines 31-32): a max_length validator with its number quoted.
        (
            MAX_LENGTH,
            MAX_LENGTH + b'      - {type: max_length, max: "4000"}\n',
            (33, 33),
            "write the number without quotes",
        ),
        (
            b"    store: tenant_id\n",
            b'    store: tenant_id\n    multiline: "yes"\n',
            (30, 16),
            "write true or false, without quotes",
        ),
        (b"    store: tenant_id\n", b"    store: tenant_id\n    multiline: 1\n", (30, 16), "write true or false"),
        (b"value: has_error, equals", b"value: has_error, is_set: 0, equals", (34, 42), "write true or false"),
        (
            b"        value: tenant_id\n",
            b'        value: tenant_id\n        required: "no"\n',
            (57, 19),
            "write true or false, without quotes",
        ),
        (
            b"start: ask\n",
            b'start: ask\nmatching: {match_threshold: "80"}\n',
            (10, 29),
            "write the number without quotes",
        ),
    ],
)
def test_numbers_and_true_false_are_not_converted_from_text(
    old: bytes, new: bytes, where: tuple[int, int], hint: str
) -> None:
    [diag] = check_bytes(edit(old, new), "f.yaml").diagnostics
    assert (diag.rule, diag.line, diag.column, diag.hint) == ("invalid-value", *where, hint)


def test_numbers_and_true_false_written_as_such_are_fine() -> None:
    raw = edit(b"    store: tenant_id\n", b"    store: tenant_id\n    multiline: true\n")
    raw = raw.replace(MAX_LENGTH, MAX_LENGTH + b"      - {type: max_length, max: 4000}\n")
    raw = raw.replace(b"start: ask\n", b"start: ask\nmatching: {match_threshold: 80, candidate_threshold: 55.5}\n")
    assert check_bytes(raw, "f.yaml").diagnostics == []


def test_a_bad_link_gets_the_hint_for_addresses_not_for_ids() -> None:
    raw = edit(
        b"    result: resolved\n", b"    result: resolved\n    links:\n      - {title: Docs, url: www.example.com}\n"
    )
    [diag] = check_bytes(raw, "f.yaml").diagnostics
    assert (diag.rule, diag.line, diag.column) == ("invalid-value", 51, 28)
    assert diag.hint == "a link's url is an http:// or https:// address, with no spaces"


def test_bad_ids_and_value_names_keep_their_own_hints() -> None:
    [diag] = check_bytes(edit(b"    store: has_error\n", b"    store: Has-Error\n"), "f.yaml").diagnostics
    assert diag.hint == "value names are lower-case letters, digits and _, and do not start with a digit"
    raw = edit(b"        goto: paste\n", b"        goto: Paste\n")
    ids = [d.hint for d in check_bytes(raw, "f.yaml").diagnostics if d.rule == "invalid-value"]
    assert ids == ["ids are lower-case letters, digits, - and _"]


# --- cascades ---------------------------------------------------------------------------


def test_a_misspelt_choices_is_reported_once() -> None:
    # Before: unknown-field, missing-field, dead-end and five unreachable-node warnings.
    raw = edit(b"    store: has_error\n    choices:\n", b"    store: has_error\n    choice:\n")
    [diag] = check_bytes(raw, "f.yaml").diagnostics
    assert (diag.rule, diag.line, diag.column, diag.hint) == ("unknown-field", 15, 5, "did you mean 'choices'?")


def test_a_question_without_choices_is_a_missing_field_only() -> None:
    # The question keeps its text and store, loses its choices: no dead end, nothing unreachable on top.
    start = GOOD.index(b"    choices:\n")
    end = GOOD.index(b"  paste:\n")
    raw = GOOD[:start] + GOOD[end:]
    assert found(raw) == [("missing-field", 11, 3)]


def test_choices_that_are_not_a_list_are_reported_once() -> None:
    raw = edit(
        b'      - label: "Yes"\n        value: "yes"\n        goto: paste\n'
        b'      - label: "No"\n        value: "no"\n        goto: tenant\n',
        b'      label: "Yes"\n      goto: paste\n',
    )
    assert [r for r, _, _ in found(raw)] == ["invalid-value"]


def test_a_misspelt_goto_is_not_also_a_choice_without_target() -> None:
    raw = edit(b"        goto: tenant\n", b"        gotoo: tenant\n")
    [diag] = check_bytes(raw, "f.yaml").diagnostics
    assert (diag.rule, diag.line, diag.hint) == ("unknown-field", 21, "did you mean 'goto'?")


def test_a_misspelt_next_is_not_also_a_dead_end() -> None:
    raw = edit(b"    next:\n      - when", b"    nxt:\n      - when")
    assert [(r, line) for r, line, _ in found(raw)] == [("unknown-field", 33)]


def test_a_misspelt_no_match_is_not_also_a_missing_fallback() -> None:
    raw = edit(b"    no_match: tenant\n", b"    no_mach: tenant\n")
    assert [(r, line) for r, line, _ in found(raw)] == [("unknown-field", 25)]


def test_a_cause_of_unknown_kind_does_not_also_hide_the_patterns() -> None:
    # "caus" may well be the cause with the patterns the match step would find.
    raw = edit(b"    kind: cause\n", b"    kind: caus\n")
    assert [r for r, _, _ in found(raw)] == ["unknown-kind"]


LOOP = b"""\
id: loop
title: Loop
version: "1"
start: try
nodes:
  try:
    kind: cause
    text: Try again.
    next: ask
  ask:
    kind: question
    text: Fixed?
    choices:
      - {label: "No", goto: try}
      - {label: "Yes", goto: done}
  done:
    kind: outcom
    result: resolved
"""


def test_a_loop_left_through_a_node_of_unknown_kind_is_no_trap_cycle() -> None:
    # "outcom" is most likely the outcome the loop is left by: the kind is the one mistake.
    assert found(LOOP) == [("unknown-kind", 17, 11)]
    # With no way out at all, the loop is still a trap (and "done", of unknown kind, is not called unreachable).
    assert sorted(r for r, _, _ in found(LOOP.replace(b'      - {label: "Yes", goto: done}\n', b""))) == [
        "trap-cycle",
        "unknown-kind",
    ]


def test_unrelated_schema_problems_leave_the_graph_rules_alone() -> None:
    # A title too long says nothing of where the node leads: the orphan is still unreachable.
    raw = edit(b"  done:\n    kind: outcome\n", b"  done:\n    kind: outcome\n    title: " + b"x" * 201 + b"\n")
    raw += b"  orphan: {kind: outcome, result: resolved}\n"
    assert [r for r, _, _ in found(raw)] == ["invalid-value", "unreachable-node"]


def test_a_broken_node_no_one_reaches_still_lets_the_rest_be_judged() -> None:
    raw = GOOD + b"  orphan:\n    kind: question\n    choice: []\n  lonely: {kind: outcome, result: resolved}\n"
    assert sorted((r, line) for r, line, _ in found(raw)) == [
        ("unknown-field", 59),
        ("unreachable-node", 57),
        ("unreachable-node", 60),
    ]


# --- what nodes say: more cases ----------------------------------------------------------


def test_labels_differing_only_in_case_or_spaces_are_duplicates() -> None:
    raw = edit(b'      - label: "No"\n', b'      - label: " yes "\n')
    assert found(raw) == [("duplicate-choice-label", 19, 16)]


def test_the_same_label_under_different_conditions_is_allowed() -> None:
    raw = edit(
        b"      - label: Not fixed\n        goto: support\n",
        b"      - label: Not fixed\n        goto: support\n        when: {value: has_error, equals: 'yes'}\n"
        b"      - label: Not fixed\n        goto: tenant\n        when: {value: has_error, equals: 'no'}\n",
    )
    assert found(raw) == []


def test_a_blank_cause_text_is_no_text() -> None:
    raw = edit(b"    text: The tenant ID and subdomain do not match.\n", b'    text: "   "\n')
    assert found(raw) == [("cause-no-text", 39, 5)]


NEXT = b'    next:\n      - when: {value: has_error, equals: "yes"}\n        goto: support\n      - goto: mismatch\n'


@pytest.mark.parametrize(
    ("first", "second", "rules"),
    [
        (b"is_set: true", b"is_set: false", []),
        (b'equals: "yes"', b'not_equals: "YES"', []),  # conditions compare text ignoring case
        (b'equals: "yes"', b'equals: "no"', [("next-no-fallback", 33, 5)]),
        (b"is_set: true", b"is_set: true", [("next-no-fallback", 33, 5)]),
    ],
)
def test_branches_that_plainly_cover_every_case_need_no_fallback(
    first: bytes, second: bytes, rules: list[tuple[str, int, int]]
) -> None:
    raw = edit(
        NEXT,
        b"    next:\n      - when: {value: has_error, " + first + b"}\n        goto: support\n"
        b"      - when: {value: has_error, " + second + b"}\n        goto: mismatch\n",
    )
    assert found(raw) == rules


def test_a_question_that_keeps_its_answer_may_lead_everywhere_to_one_node() -> None:
    # good.yaml's question keeps has_error: both answers may lead to the same step.
    raw = edit(b"        goto: paste\n", b"        goto: tenant\n")
    assert [r for r, _, _ in found(raw)] == ["unreachable-node"]  # only paste, which nothing leads to now
    raw = raw.replace(b"    store: has_error\n", b"").replace(b"value: has_error, equals", b"value: tenant_id, equals")
    assert sorted(r for r, _, _ in found(raw)) == ["choices-same-target", "unreachable-node"]


@pytest.mark.parametrize(
    "nodes",
    [
        # Found by tests/test_fuzz_yaml.py: a goto that is a list made the same-target check raise TypeError.
        b"  ask:\n    kind: question\n    choices:\n      - {label: a, goto: []}\n      - {label: b, goto: []}\n",
        b"  ask:\n    kind: input\n    store: x\n    next:\n      - {when: {value: x, equals: [1]}, goto: ask}\n",
        b"  ask:\n    kind: question\n    choices:\n      - {label: [a], goto: ask}\n"
        b"      - {label: {b: c}, when: [], goto: ask}\n",
    ],
)
def test_malformed_values_never_make_the_content_rules_raise(nodes: bytes) -> None:
    raw = b"id: x\ntitle: t\nversion: '1'\nstart: ask\nnodes:\n" + nodes
    report = check_bytes(raw, "f.yaml")
    assert report.flow is None and "invalid-value" in {d.rule for d in report.diagnostics}


def test_a_candidate_of_unknown_kind_is_not_also_a_candidate_not_cause() -> None:
    raw = b"""\
id: x
title: t
version: "1"
start: paste
nodes:
  paste: {kind: match, candidates: [why], no_match: done}
  why: {kind: caus, text: Why., errors: [it failed], next: done}
  done: {kind: outcome, result: resolved}
"""
    # Nor unreachable: a cause (with its patterns) is what the match step would lead to.
    assert found(raw) == [("unknown-kind", 7, 15)]
    # A candidate that is plainly an outcome still is one.
    assert ("candidate-not-cause", 6, 42) in found(raw.replace(b"[why]", b"[why, done]"))
