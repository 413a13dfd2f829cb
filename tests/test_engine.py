"""The session engine: stepping, validation of answers, back, restart, save and resume."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import pytest

from selfhelp.checks import given
from selfhelp.flow.models import CauseNode, CheckNode, Condition, Flow, InputNode, MatchNode, OutcomeNode
from selfhelp.matcher.results import MatchResult
from selfhelp.session.engine import (
    CONTINUE_LABEL,
    NONE_OF_THESE_LABEL,
    SKIP_MATCH_LABEL,
    Session,
    SessionMismatch,
    condition_holds,
    flow_hash,
)
from tests.conftest import GUID, checked_flow

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def mini() -> Flow:
    return checked_flow(HERE / "engine_flows" / "mini.yaml")


# --- stepping ---------------------------------------------------------------------


def test_starts_at_the_start_node(mini: Flow) -> None:
    session = Session(mini)
    step = session.step()
    assert step.node_id == "kind"
    assert step.kind == "question"
    assert [c.label for c in step.choices] == ["I have an error message", "Something else"]
    assert step.input is None and step.outcome is None and not session.finished


def test_choice_keeps_its_value_and_moves_on(mini: Flow) -> None:
    session = Session(mini)
    assert session.choose(1).ok
    assert session.current.node == "tenant"
    assert session.values == {"problem": "other"}


def test_out_of_range_choice_is_refused_and_changes_nothing(mini: Flow) -> None:
    session = Session(mini)
    before = session.to_json()
    reply = session.choose(5)
    assert not reply.ok and "1 to 2" in (reply.reason or "")
    assert session.to_json() == before


def test_invalid_input_is_explained_and_changes_nothing(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    history = session.to_json()
    reply = session.submit("not-a-guid")
    assert not reply.ok and reply.reason == "A tenant ID is a GUID."
    assert session.to_json() == history
    assert not session.submit("   ").ok  # required
    assert session.submit(f"  {GUID}\n").ok
    assert session.values["tenant_id"] == GUID


def test_input_spec_describes_the_checks(mini: Flow) -> None:
    session = Session(mini, presets={"tenant_id": GUID})
    session.choose(1)
    spec = session.step().input
    assert spec is not None and spec.kind == "input"
    assert spec.required and spec.expects == ("required", "a GUID")
    assert spec.default == GUID  # a known value is offered again


def test_optional_input_may_be_blank_but_must_fit_when_given(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    session.submit(GUID)
    assert session.current.node == "domain"
    assert not session.submit("not a domain").ok
    assert not session.submit("a" * 50 + ".example.com").ok  # over max 60
    assert session.submit("").ok
    assert session.finished and session.outcome is not None
    assert session.outcome.result.value == "contact_support"


def test_branch_conditions_route_on_kept_values(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)  # problem = error
    session.choose_label(SKIP_MATCH_LABEL)
    assert session.current.node == "tenant"
    session.submit(GUID)
    assert session.current.node == "contact"  # the branch for problem == error


def test_branches_after_an_input_see_the_answer_just_given(tmp_path: Path) -> None:
    flow_file = tmp_path / "branch.yaml"
    flow_file.write_text(
        """id: branch
title: Branch
description: Branches on the answer just typed.
version: "1"
start: ask
nodes:
  ask:
    kind: input
    text: "**Your tenant ID?** Leave it empty if you don't have it."
    store: tenant_id
    next:
      - when: {value: tenant_id, is_set: false}
        goto: without
      - goto: with
  with:
    kind: outcome
    result: resolved
    text: With a tenant ID.
  without:
    kind: outcome
    result: contact_support
    text: Without one.
""",
        encoding="utf-8",
    )
    flow = checked_flow(flow_file)
    given_one, left_empty = Session(flow), Session(flow)
    assert given_one.submit(GUID).ok and left_empty.submit("").ok
    assert (given_one.current.node, left_empty.current.node) == ("with", "without")


def test_control_characters_are_removed_from_answers(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    assert session.submit(f"\x1b[31m{GUID}\x1b[0m\x07\u200b").ok
    assert session.values["tenant_id"] == GUID


def test_text_is_refused_where_a_choice_is_expected(mini: Flow) -> None:
    session = Session(mini)
    reply = session.submit("hello")
    assert not reply.ok and session.current.node == "kind"


# --- matching ---------------------------------------------------------------------


def test_confident_match_goes_straight_to_the_cause(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)
    reply = session.submit("Error: The customer tenant ID and subdomain do not match.")
    assert reply.ok and reply.match is not None and reply.match.verdict == "match"
    assert session.current.node == "mismatch"
    assert session.values["error_message"].startswith("Error:")
    assert session.match_result() is not None


def test_ambiguous_match_asks_which_and_can_be_undone(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)
    reply = session.submit("it says already claimed")
    assert reply.ok and reply.match is not None and reply.match.verdict == "ambiguous"
    step = session.step()
    assert session.current.node == "paste"
    assert [c.kind for c in step.choices] == ["candidate", "candidate", "none_of_these"]
    assert {c.target for c in step.choices[:2]} == {"claimed", "claimed-too"}
    assert step.input is None  # the pick is a choice, not more text
    assert not session.submit("more text").ok
    assert session.back()  # undo the question, stay on the paste step
    assert session.current.node == "paste" and session.step().pending is None
    session.submit("it says already claimed")
    session.choose_label(NONE_OF_THESE_LABEL)
    assert session.current.node == "tenant"


def test_picking_a_candidate_records_the_match(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)
    session.submit("already claimed")
    target = session.step().choices[1].target
    assert session.choose(1).ok
    assert session.current.node == target
    answer = session.history[-2].answer
    assert answer is not None and answer.kind == "match" and answer.match is not None


def test_no_match_falls_back_to_questions(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)
    reply = session.submit("The printer is on fire")
    assert reply.ok and reply.match is not None and reply.match.verdict == "none"
    assert session.current.node == "tenant"


def test_empty_paste_is_refused(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)
    assert not session.submit(" \n\t").ok
    assert session.current.node == "paste"


def test_cause_with_next_offers_continue(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)
    session.submit("The subscription has already been claimed")
    assert session.current.node == "claimed"
    assert [c.label for c in session.step().choices] == [CONTINUE_LABEL]
    session.choose(0)
    assert session.outcome is not None


# --- back, restart, path ----------------------------------------------------------


def test_back_shows_the_earlier_answer_and_drops_only_later_ones(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    session.submit(GUID)
    session.submit("contoso.com")
    assert session.finished
    assert session.back()
    assert session.current.node == "domain"
    assert session.step().previous_answer == "contoso.com"
    assert "domain" not in session.values and session.values["tenant_id"] == GUID
    assert session.back()
    assert session.step().previous_answer == GUID
    assert session.values == {"problem": "other"}
    assert session.back() and session.back() is False
    assert session.step().previous_answer == "Something else"


def test_answering_after_back_clears_the_earlier_answer(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    session.back()
    session.choose(0)
    assert session.current.node == "paste"
    assert session.history[0].undone is None
    assert session.values == {"problem": "error"}


def test_restart_keeps_presets_and_notes(mini: Flow) -> None:
    session = Session(mini, presets={"tenant_id": GUID})
    session.add_note("partner on the phone")
    session.choose(1)
    session.restart()
    assert [v.node for v in session.path()] == ["kind"]
    assert session.values == {"tenant_id": GUID}
    assert session.state.notes == ["partner on the phone"]


def test_condition_tests() -> None:
    values = {"a": "Yes", "empty": ""}
    assert condition_holds(Condition(value="a", equals="yes"), values)
    assert condition_holds(Condition(value="a", not_equals="no"), values)
    assert condition_holds(Condition(value="a", one_of=["x", "YES"]), values)
    assert condition_holds(Condition(value="missing", is_set=False), values)
    assert condition_holds(Condition(value="empty", is_set=False), values)
    assert not condition_holds(Condition(value="missing", equals="x"), values)
    assert condition_holds(Condition(value="missing", not_equals="x"), values)


# --- saving and resuming ------------------------------------------------------------


def test_session_round_trips_through_json(mini: Flow) -> None:
    session = Session(mini)
    session.choose(0)
    session.submit("already claimed")  # pending ambiguity survives too
    session.add_note("odd [bold]markup[/bold] 🙂")
    text = session.to_json()
    data = json.loads(text)
    assert data["flow_id"] == "mini" and data["flow_hash"] == flow_hash(mini)
    resumed, notice = Session.from_json(mini, text)
    assert notice is None
    assert resumed.to_json() == text
    assert resumed.step().pending is not None
    assert resumed.state.notes == ["odd [bold]markup[/bold] 🙂"]


def test_resume_refuses_another_flow_and_garbage(mini: Flow, cpor: Flow) -> None:
    session = Session(mini)
    with pytest.raises(SessionMismatch, match="for flow 'mini'"):
        Session.from_json(cpor, session.to_json())
    with pytest.raises(SessionMismatch, match="not a saved session"):
        Session.from_json(mini, "{not json")


def test_resume_on_a_changed_flow_keeps_answers_with_a_notice(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    session.submit(GUID)
    changed = mini.model_copy(update={"version": "2", "title": "Mini flow, edited"})
    resumed, notice = Session.from_json(changed, session.to_json())
    assert notice is not None and "changed" in notice
    assert resumed.values["tenant_id"] == GUID and resumed.current.node == "domain"
    assert resumed.state.flow_hash == flow_hash(changed)


def test_resume_refuses_when_the_path_no_longer_exists(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    session.submit(GUID)
    nodes = {k: v for k, v in mini.nodes.items() if k != "domain"}
    nodes["tenant"] = mini.nodes["tenant"].model_copy(update={"next": "contact"})
    changed = mini.model_copy(update={"nodes": nodes, "version": "3"})
    with pytest.raises(SessionMismatch, match="no longer"):
        Session.from_json(changed, session.to_json())


# --- the CPOR flow: every cause and every outcome ----------------------------------


def _answer_for(node: InputNode) -> str:
    kinds = {v.type.value for v in node.validators}
    if "guid" in kinds:
        return GUID
    if "domain" in kinds:
        return "contoso.onmicrosoft.com"
    if "regex" in kinds and "required" not in kinds:
        return ""  # an optional field in a set form (a date): left empty, as a partner may
    return "CLAIM-12345"


def _explore(flow: Flow) -> dict[str, list[tuple[str, str]]]:
    """Breadth-first over real sessions: the shortest list of actions reaching each node."""
    paths: dict[str, list[tuple[str, str]]] = {flow.start: []}
    queue = deque([[]])
    while queue:
        actions: list[tuple[str, str]] = queue.popleft()
        session = _replay(flow, actions)
        node = session.node
        moves: list[tuple[str, str]] = [("choose", c.label) for c in session.step().choices]
        if isinstance(node, InputNode):  # a fitting answer, and the other kinds the engine may also accept
            moves += [("submit", a) for a in dict.fromkeys([_answer_for(node), "", "contoso", "2025-07-01"])]
        if isinstance(node, MatchNode):
            for _, cause in flow.candidate_causes(node):
                moves.append(("submit", cause.errors[0]))
        if isinstance(node, CheckNode):  # each result of the check, as if the check had given it
            moves += [("check", result) for result in node.results]
        for move in moves:
            try:
                trial = _replay(flow, [*actions, move])
            except AssertionError:
                continue  # an answer this step refuses: no way on there
            if trial.current.node not in paths:
                paths[trial.current.node] = [*actions, move]
                queue.append([*actions, move])
    return paths


def _replay(flow: Flow, actions: list[tuple[str, str]]) -> Session:
    session = Session(flow)
    for verb, arg in actions:
        if verb == "check":
            request = session.check_request()
            assert request is not None
            reply = session.apply_check(given(request, arg))
        else:
            reply = session.choose_label(arg) if verb == "choose" else session.submit(arg)
        assert reply.ok, (verb, arg, reply.reason)
    return session


def test_cpor_every_node_is_reachable_through_the_engine(cpor: Flow) -> None:
    paths = _explore(cpor)
    assert set(paths) == set(cpor.nodes)


REQUIRED_CAUSES = [
    "tenant-subdomain-mismatch",
    "product-not-on-tenant",
    "subscription-not-dynamics",
    "subscription-is-csp",
    "products-not-provisioned",
    "subscription-already-claimed",
    "identifier-not-subscription-id",
    "competing-claim",
    "poe-info-requested",
]


def test_cpor_has_the_fixed_ids_and_sources(cpor: Flow) -> None:
    assert cpor.id == "cpor-customer-association"
    for cause in REQUIRED_CAUSES:
        assert isinstance(cpor.nodes[cause], CauseNode)
        assert cpor.nodes[cause].errors  # type: ignore[union-attr]
    assert all(node.source for node in cpor.nodes.values())
    results = {n.result.value for n in cpor.nodes.values() if isinstance(n, OutcomeNode)}
    assert {"resolved", "contact_support", "wait"} <= results


@pytest.mark.parametrize("cause", REQUIRED_CAUSES)
def test_cpor_each_cause_is_reached_by_pasting_its_error(cpor: Flow, cause: str) -> None:
    node = cpor.nodes[cause]
    assert isinstance(node, CauseNode)
    session = Session(cpor)
    session.choose_label("I have an error message to paste")
    reply = session.submit(f"Error: {node.errors[0]}.")
    assert reply.ok
    assert session.current.node == cause, reply.match


def test_cpor_contact_support_collects_the_scoping_form_fields(cpor: Flow) -> None:
    contact = [n for n in cpor.nodes.values() if isinstance(n, OutcomeNode) and n.result.value == "contact_support"]
    assert contact
    fields = {c.field for n in contact for c in n.collect}
    assert {"incentives_program", "customer_tenant_id", "claim_ids", "problem_description"} <= fields
    assert "product_dynamics_subscriptionids" in fields


def test_cpor_subscription_walk_collects_values_for_support(cpor: Flow) -> None:
    paths = _explore(cpor)
    contact_id = next(
        nid for nid, n in cpor.nodes.items() if isinstance(n, OutcomeNode) and n.result.value == "contact_support"
    )
    session = _replay(cpor, paths[contact_id])
    assert session.finished and session.outcome is not None
    assert session.outcome.result.value == "contact_support"
    # going back from the end and restarting both work on the real flow
    assert session.back() and not session.finished
    session.restart()
    assert session.current.node == cpor.start and session.values == {}


def test_jump_goes_anywhere_and_back_undoes_it(mini: Flow) -> None:
    session = Session(mini)
    assert not session.jump("nowhere").ok
    assert session.jump("claimed").ok
    assert session.current.node == "claimed"
    answer = session.history[0].answer
    assert answer is not None and answer.kind == "jump"
    assert session.back() and session.current.node == "kind"


def test_a_jump_survives_resume_on_a_changed_flow(mini: Flow) -> None:
    session = Session(mini)
    session.jump("domain")
    changed = mini.model_copy(update={"version": "9"})
    resumed, notice = Session.from_json(changed, session.to_json())
    assert notice is not None and resumed.current.node == "domain"


class _ParamsOnly:
    """A matcher that finds no cause but reports the variable parts of the message."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        return MatchResult(query=text, verdict="none", params={"guid": [GUID]})


def test_a_guid_in_the_pasted_error_prefills_the_tenant_input(mini: Flow) -> None:
    session = Session(mini, matcher=_ParamsOnly())
    session.choose(0)
    session.submit(f"Tenant {GUID} is not valid for this claim")
    assert session.current.node == "tenant"
    spec = session.step().input
    assert spec is not None and spec.default == GUID
    assert "tenant_id" not in session.values  # offered, not answered for the user


def test_without_a_pasted_guid_there_is_no_prefill(mini: Flow) -> None:
    session = Session(mini, matcher=_ParamsOnly())
    session.choose(1)
    spec = session.step().input
    assert spec is not None and spec.default is None


def test_cpor_tenant_guid_in_the_pasted_error_prefills_the_tenant_id(cpor: Flow) -> None:
    session = Session(cpor)
    session.choose_label("I have an error message to paste")
    tenant = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
    assert session.submit(f"Customer tenant ID {tenant} and subdomain fabrikam.com do not match").ok
    assert session.current.node == "tenant-subdomain-mismatch"
    session.choose(1)  # checked with the customer, still failing
    assert session.current.node == "ask-tenant-id"
    spec = session.step().input
    assert spec is not None and spec.default == tenant
    assert session.submit(spec.default).ok
    spec = session.step().input
    assert session.current.node == "ask-customer-domain" and spec is not None and spec.default == "fabrikam.com"


def test_back_over_a_jump_offers_no_earlier_answer(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    session.jump("domain")
    session.back()
    assert session.current.node == "tenant" and session.step().previous_answer is None


def test_a_damaged_session_on_the_same_flow_is_refused(mini: Flow) -> None:
    session = Session(mini)
    session.choose(1)
    data = json.loads(session.to_json())
    data["history"][0]["node"] = "no-such-step"
    with pytest.raises(SessionMismatch, match="no-such-step"):
        Session.from_json(mini, json.dumps(data))
    data["history"] = []
    with pytest.raises(SessionMismatch, match="no steps"):
        Session.from_json(mini, json.dumps(data))


def test_none_of_these_without_a_fallback_returns_to_the_paste_box(mini: Flow) -> None:
    paste = mini.nodes["paste"].model_copy(update={"no_match": None})
    flow = mini.model_copy(update={"nodes": {**mini.nodes, "paste": paste}})
    session = Session(flow)
    session.choose(0)
    session.submit("already claimed")
    assert session.choose_label(NONE_OF_THESE_LABEL).ok
    assert session.current.node == "paste" and session.step().pending is None
    assert session.step().input is not None


def test_the_guid_named_tenant_is_prefilled_when_the_paste_holds_two(cpor: Flow) -> None:
    session = Session(cpor)
    session.choose_label("I have an error message to paste")
    request, tenant = "1c2d3e4f-0000-4a4a-8b8b-123456789abc", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
    paste = f"Request ID: {request}. The customer tenant ID and subdomain do not match. Directory ID: {tenant}"
    assert session.submit(paste).ok
    assert session.current.node == "tenant-subdomain-mismatch"
    session.choose_label("No, I've checked the details with my customer and still get the error")
    spec = session.step().input
    assert spec is not None and spec.default == tenant and spec.prefilled


def test_a_known_value_is_not_marked_as_prefilled(mini: Flow) -> None:
    known = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
    session = Session(mini, matcher=_ParamsOnly(), presets={"tenant_id": known})
    session.choose(0)
    session.submit(f"Tenant {GUID} is not valid for this claim")
    spec = session.step().input
    assert spec is not None and spec.default == known and not spec.prefilled, "a known value is not the paste's"


def test_a_jump_can_keep_a_value(mini: Flow) -> None:
    session = Session(mini)
    assert session.jump("domain", store="error_message", value="Tenant ID and subdomain do not match").ok
    assert session.values["error_message"] == "Tenant ID and subdomain do not match"
    session.back()
    assert "error_message" not in session.values
