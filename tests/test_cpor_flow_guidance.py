"""The CPOR flow asks only what helps, and names the sibling article of what it borrows (issue 11, items 7 and 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfhelp.flow.catalog import shipped_flows_dir
from selfhelp.flow.models import Flow, OutcomeNode
from selfhelp.flow.validate import check_file
from selfhelp.session.engine import Session

SHARED_ARTICLES = Path(__file__).resolve().parents[2] / "shared" / "articles"
CPOR_ARTICLE = "incentives-customer-association-customer-association-issues.md"
MANAGING_ARTICLE = "incentives-customer-association-managing-customer-associations.md"

#: Words of *Managing customer associations* that *Customer association issues* never uses.
MANAGING_WORDS = ["Partner Action Required", "Missing Customer Acknowledgement", "dashboard"]
#: The CPOR nodes whose text borrows them, written out by hand.
BORROWING_NODES = {"poe-info-requested", "subscription-already-claimed", "wait-competing-claim", "open-claim-status"}
CITATION = "*Managing customer associations*"
POE_REQUESTED = "I was asked for more information or proof of execution (PoE) in the claim's comments"


def load(flow_id: str) -> Flow:
    flow = check_file(shipped_flows_dir() / f"{flow_id}.yaml").flow
    assert flow is not None
    return flow


@pytest.fixture(scope="module")
def cpor() -> Flow:
    return load("cpor-customer-association")


# --- item 7: the subscription ID is asked where it helps support -------------------------------------------


def test_only_the_support_path_asks_for_the_subscription_id(cpor: Flow) -> None:
    assert {nid for nid, node in cpor.nodes.items() if getattr(node, "store", None) == "subscription_id"} == {
        "support-subscription-id"
    }


@pytest.mark.parametrize(
    "answers",
    [
        ["I get an error about the subscription", "Yes, it's a GUID like that"],
        ["I get an error about the subscription", "I'm not sure", "I've checked, and it is a subscription ID"],
    ],
)
def test_the_subscription_checks_start_without_asking_for_the_id(cpor: Flow, answers: list[str]) -> None:
    session = Session(cpor)
    for label in answers:
        assert session.choose_label(label).ok
    assert session.current.node == "sub-product-on-tenant"
    assert "subscription_id" not in session.values


def test_support_asks_for_the_subscription_id_after_the_checks_whatever_the_program(cpor: Flow) -> None:
    session = Session(cpor)
    for label in ["I get an error about the subscription", "No, it looks different", "No, I still need help"]:
        assert session.choose_label(label).ok
    assert session.choose_label("No, I still have the issue").ok
    assert session.submit("CL-1").ok
    assert session.submit("The identifier provided is not a subscription ID").ok
    assert session.choose_label("Azure Incentives").ok
    for answer in ["1234567", "", "", ""]:  # location MPN ID, no earning dates, no tenant ID
        assert session.submit(answer).ok
    assert session.current.node == "support-subscription-id"
    assert session.submit("3b2f1c9e-8d4a-4b6e-9f1a-2c3d4e5f6a7b").ok
    assert session.current.node == "contact-support"


def test_support_for_another_problem_does_not_ask_for_a_subscription_id(cpor: Flow) -> None:
    session = Session(cpor)
    for label in ["Something else", "No, I still need help"]:
        assert session.choose_label(label).ok
    for answer in ["CL-1", "Nothing works"]:
        assert session.submit(answer).ok
    assert session.choose_label("Azure Incentives").ok
    for answer in ["1234567", "", "", ""]:
        assert session.submit(answer).ok
    assert session.current.node == "contact-support"


# --- item 9: borrowed guidance names its article, and Partner Action Required opens its flow ------------------


def test_every_node_borrowing_the_managing_article_names_it(cpor: Flow) -> None:
    borrowing = {nid for nid, node in cpor.nodes.items() if any(w in node.text for w in MANAGING_WORDS)}
    assert borrowing == BORROWING_NODES
    for nid in sorted(borrowing):
        assert CITATION in " ".join(cpor.nodes[nid].text.split()), nid


@pytest.mark.skipif(not SHARED_ARTICLES.is_dir(), reason="the shared articles are not beside this checkout")
@pytest.mark.parametrize("words", MANAGING_WORDS)
def test_the_borrowed_words_are_the_managing_articles_not_this_ones(words: str) -> None:
    assert words.lower() not in (SHARED_ARTICLES / CPOR_ARTICLE).read_text(encoding="utf-8").lower()
    assert words.lower() in (SHARED_ARTICLES / MANAGING_ARTICLE).read_text(encoding="utf-8").lower()


def test_partner_action_required_opens_the_claim_status_flow(cpor: Flow) -> None:
    session = Session(cpor)
    assert session.choose_label(POE_REQUESTED).ok
    assert session.choose_label("My claim's status is Partner Action Required: open Claim status").ok
    node = cpor.nodes[session.current.node]
    assert session.current.node == "open-claim-status"
    assert isinstance(node, OutcomeNode) and node.result.value == "redirect"
    assert node.redirect_flow == "cpor-claim-status"
    status = load("cpor-claim-status")
    assert status.source is not None and status.source.title == "Managing customer associations"
    assert "partner-action-required" in status.nodes
