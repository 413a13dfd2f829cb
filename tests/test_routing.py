"""Routing between flows: a paste that belongs to another flow's cause, and redirect outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfhelp.flow.catalog import shipped_flows_dir
from selfhelp.flow.models import Flow
from selfhelp.flow.validate import check_file
from selfhelp.matcher.results import MatchResult
from selfhelp.session.engine import Route, Session, SessionMismatch

FLOWS = shipped_flows_dir()
REJECTED_POE = "Rejected - Insufficient Proof of Execution"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def load(name: str) -> Flow:
    report = check_file(FLOWS / f"{name}.yaml")
    assert report.flow is not None, [d.format() for d in report.diagnostics]
    return report.flow


@pytest.fixture(scope="module")
def catalog() -> dict[str, Flow]:
    names = ["cpor-customer-association", "cpor-claim-status", "cpor-create-claim", "pal-partner-admin-link"]
    return {name: load(name) for name in names}


def at_paste(catalog: dict[str, Flow], **kwargs: object) -> Session:
    session = Session(catalog["cpor-customer-association"], catalog=catalog.values(), **kwargs)  # type: ignore[arg-type]
    assert session.choose_label("I have an error message to paste").ok
    return session


def test_a_rejected_claim_pasted_in_the_cpor_flow_routes_to_claim_status(catalog: dict[str, Flow]) -> None:
    session = at_paste(catalog, presets={"claim_id": "12345"})
    reply = session.submit(REJECTED_POE)
    assert reply.ok
    assert reply.route is not None
    assert (reply.route.flow, reply.route.node) == ("cpor-claim-status", "rejected-insufficient-poe")
    assert reply.route.notice == (
        "This looks like “Rejected for insufficient proof of execution”: it belongs to Claim status, "
        "which is opened there. Your message and answers so far come with you."
    )
    # Nothing changed here: the session waits at its paste step.
    assert [v.node for v in session.history] == ["what-happening", "paste-error"]
    assert session.current.pending is None

    routed = session.follow(reply.route)
    assert routed.flow.id == "cpor-claim-status"
    assert routed.current.node == "rejected-insufficient-poe"
    assert routed.values == {"claim_id": "12345", "error_message": REJECTED_POE}
    assert routed.step().choices[0].label == "Dispute the rejection"


def test_without_a_catalog_the_single_flow_api_is_unchanged(catalog: dict[str, Flow]) -> None:
    session = Session(catalog["cpor-customer-association"])
    session.choose_label("I have an error message to paste")
    reply = session.submit(REJECTED_POE)
    assert reply.route is None
    # Alone, the flow can only say the message is not one of its causes (its `elsewhere:` phrases): the
    # questions take over, rather than the wrong PoE cause the issue reports.
    assert reply.match is not None and reply.match.verdict == "none"
    assert session.current.node == "which-error"


def test_a_routed_session_goes_back_to_the_flows_first_step_and_resumes(catalog: dict[str, Flow]) -> None:
    session = at_paste(catalog)
    routed = session.follow(session.submit(REJECTED_POE).route)  # type: ignore[arg-type]
    assert routed.match_result() is not None
    assert routed.match_result().query == REJECTED_POE  # type: ignore[union-attr]
    saved = routed.to_json()
    resumed, notice = Session.from_json(catalog["cpor-claim-status"], saved)
    assert notice is None
    assert resumed.current.node == "rejected-insufficient-poe"
    assert resumed.back()
    assert resumed.current.node == "claim-status"
    assert resumed.step().previous_answer is None  # the paste is not offered as an answer to the question
    assert resumed.values == {}


def test_the_pasted_message_fills_in_the_other_flows_support_form(catalog: dict[str, Flow]) -> None:
    routed = at_paste(catalog).follow(at_paste(catalog).submit(REJECTED_POE).route)  # type: ignore[arg-type]
    routed.choose_label("I still need help")
    assert routed.current.node == "ask-claim-id"
    assert routed.submit("").ok
    assert routed.current.node == "ask-location-mpnid"  # the description is not asked again


def test_causes_close_in_two_flows_are_offered_and_the_other_flows_one_routes(catalog: dict[str, Flow]) -> None:
    session = at_paste(catalog)
    reply = session.submit("Partner Action Required")
    assert reply.ok and reply.route is None
    labels = [c.label for c in session.step().choices]
    assert labels == [
        "Partner Action Required (Claim status)",
        "More proof of execution (PoE) requested",
        "None of these",
    ]
    picked = session.choose(0)
    assert picked.route is not None
    assert (picked.route.flow, picked.route.node) == ("cpor-claim-status", "partner-action-required")
    assert session.current.pending is None and session.current.node == "paste-error"


def test_picking_this_flows_own_candidate_stays_here(catalog: dict[str, Flow]) -> None:
    session = at_paste(catalog)
    session.submit("Partner Action Required")
    reply = session.choose(1)
    assert reply.ok and reply.route is None
    assert session.current.node == "poe-info-requested"


def test_a_message_of_this_flow_is_matched_here(catalog: dict[str, Flow]) -> None:
    session = at_paste(catalog)
    reply = session.submit("The customer tenant ID and subdomain do not match")
    assert reply.route is None
    assert session.current.node == "tenant-subdomain-mismatch"


class OneFlowMatcher:
    """A matcher that cannot match across flows: routing needs ``match_flows``."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        return MatchResult(query=text, verdict="none")


def test_a_matcher_without_match_flows_never_routes(catalog: dict[str, Flow]) -> None:
    session = at_paste(catalog, matcher=OneFlowMatcher())
    reply = session.submit(REJECTED_POE)
    assert reply.route is None
    assert session.current.node == "which-error"


def test_a_redirect_outcome_opens_its_flow_with_the_answers(catalog: dict[str, Flow]) -> None:
    session = Session(catalog["cpor-claim-status"], catalog=catalog.values())
    session.choose_label("I have a message to paste (an e-mail or a claim comment)")
    session.submit("The 30-day dispute period has passed")
    assert session.current.node == "dispute-too-late"
    session.choose_label("Create a new claim")
    route = session.redirect()
    assert route == Route(flow="cpor-create-claim", flow_title="Creating a customer association")
    assert route.notice == "Opened Creating a customer association. Your answers so far come with you."
    opened = session.follow(route)
    assert opened.current.node == "where-are-you"
    assert opened.values == {"error_message": "The 30-day dispute period has passed"}


def test_no_redirect_without_the_flow_or_away_from_a_redirect_outcome(catalog: dict[str, Flow]) -> None:
    alone = Session(catalog["cpor-claim-status"])
    alone.jump("open-create-claim")
    assert alone.redirect() is None  # cpor-create-claim is not loaded
    session = Session(catalog["cpor-claim-status"], catalog=catalog.values())
    assert session.redirect() is None
    session.jump("resolved-docs")
    assert session.redirect() is None


def test_following_an_unknown_flow_or_step_is_refused(catalog: dict[str, Flow]) -> None:
    session = Session(catalog["cpor-claim-status"], catalog=catalog.values())
    with pytest.raises(SessionMismatch, match="no flow 'nope' is loaded"):
        session.follow(Route(flow="nope", flow_title="Nope"))
    with pytest.raises(SessionMismatch, match="has no step 'nope'"):
        session.follow(Route(flow="cpor-create-claim", flow_title="x", node="nope"))


def test_notes_go_along(catalog: dict[str, Flow]) -> None:
    session = at_paste(catalog)
    session.add_note("Partner called twice.")
    routed = session.follow(session.submit(REJECTED_POE).route)  # type: ignore[arg-type]
    assert routed.state.notes == ["Partner called twice."]
    assert routed.id != session.id


def test_a_step_with_candidates_keeps_to_them(tmp_path: Path, catalog: dict[str, Flow]) -> None:
    flow = catalog["cpor-customer-association"]
    node = flow.nodes["paste-error"].model_copy(update={"candidates": ["poe-info-requested"]})
    scoped = flow.model_copy(update={"nodes": {**flow.nodes, "paste-error": node}})
    session = Session(scoped, catalog=catalog.values())
    session.choose_label("I have an error message to paste")
    assert session.submit(REJECTED_POE).route is None


def test_the_case_summary_of_a_routed_session_tells_the_paste(catalog: dict[str, Flow]) -> None:
    from selfhelp.session.handoff import build_summary

    routed = at_paste(catalog).follow(at_paste(catalog).submit(REJECTED_POE).route)  # type: ignore[arg-type]
    summary = build_summary(routed)
    [first] = summary.steps
    assert (first.node, first.answer, first.kind) == ("claim-status", REJECTED_POE, "route")


def test_a_resumed_session_still_routes(tmp_path: Path, catalog: dict[str, Flow]) -> None:
    from selfhelp.flow.catalog import flow_sources, load_catalog
    from selfhelp.session.store import SessionStore

    store = SessionStore(tmp_path)
    session = at_paste(catalog)
    store.save(session)
    resumed, _ = store.resume(session.id, load_catalog(flow_sources(environ={})))
    reply = resumed.submit(REJECTED_POE)
    assert reply.route is not None and reply.route.flow == "cpor-claim-status"
