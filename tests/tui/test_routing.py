"""Routing between flows in the app: a paste that belongs to another flow, and redirect outcomes."""

from __future__ import annotations

from tests.tui.conftest import (
    at,
    choices_shown,
    conversation,
    paste,
    pick,
    pick_action,
    screen_text,
    toasts,
    type_answer,
)

REJECTED_POE = "Rejected - Insufficient Proof of Execution"


async def test_a_rejected_claim_pasted_in_the_cpor_flow_opens_claim_status_in_place(app) -> None:
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pick(pilot, "I have an error message to paste")
        old = conversation(app).session
        await paste(pilot, REJECTED_POE)
        screen = conversation(app)
        assert screen.session is not old
        assert screen.session.flow.id == "cpor-claim-status"
        assert at(app) == "rejected-insufficient-poe"
        text = screen_text(app)
        assert "This looks like “Rejected for insufficient proof of execution”: it belongs to Claim status" in text
        assert "You: Rejected - Insufficient Proof of Execution" in text  # the paste, carried and shown
        assert any(toast.startswith("This looks like “Rejected for insufficient") for toast in toasts(app))
        # The paste goes with the partner: support does not ask for the description again.
        await pick(pilot, "I still need help")
        assert at(app) == "ask-claim-id"
        await type_answer(pilot, "")
        assert at(app) == "ask-location-mpnid"
        assert conversation(app).session.values["error_message"] == REJECTED_POE
        # The routed session is saved like any other.
        app.wait_for_saves()
        assert app.store.path_for(conversation(app).session.id).is_file()


async def test_causes_of_two_flows_are_offered_and_the_other_flows_one_opens_it(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message to paste")
        await paste(pilot, "Partner Action Required")
        assert choices_shown(conversation(app))[:2] == [
            "1. Partner Action Required (Claim status)",
            "2. More proof of execution (PoE) requested",
        ]
        await pick(pilot, "Partner Action Required (Claim status)")
        assert conversation(app).session.flow.id == "cpor-claim-status"
        assert at(app) == "partner-action-required"


async def test_a_redirect_outcome_opens_its_flow_with_the_answers(make_app) -> None:
    app = make_app(flow_id="cpor-claim-status")
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have a message to paste")
        await paste(pilot, "The 30-day dispute period has passed")
        assert at(app) == "dispute-too-late"
        await pick(pilot, "Create a new claim")
        assert at(app) == "open-create-claim"
        assert choices_shown(conversation(app))[0] == "1. Open Creating a customer association"
        await pick_action(pilot, "Open Creating a customer association")
        screen = conversation(app)
        assert screen.session.flow.id == "cpor-create-claim"
        assert at(app) == "where-are-you"
        assert screen.session.values == {"error_message": "The 30-day dispute period has passed"}
        assert "Opened Creating a customer association. Your answers so far come with you." in screen_text(app)


async def test_a_redirect_to_a_flow_not_loaded_offers_no_way_there(make_app, catalog) -> None:
    from selfhelp.flow.catalog import Catalog

    alone = Catalog(flows={"cpor-claim-status": catalog.flows["cpor-claim-status"]})
    app = make_app(catalog=alone)
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I want to dispute a rejected claim")
        await pick(pilot, "No")
        await pick(pilot, "Create a new claim")
        assert at(app) == "open-create-claim"
        assert not any("Open " in label for label in choices_shown(conversation(app)))
