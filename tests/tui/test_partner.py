"""What a partner hit in the app (issue 11, items 1-14): each fixed, each proved here as the partner meets it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, TextArea

from selfhelp.session.engine import Session
from selfhelp.session.store import SessionStore
from selfhelp.tui.app import quit_hint
from selfhelp.tui.screens.modals import FieldsScreen, NoteScreen, SearchScreen
from tests.tui.conftest import (
    CPOR,
    GUID,
    TwoCauses,
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

MISMATCH = "The customer tenant ID and subdomain do not match"
REQUEST = "1c2d3e4f-0000-4a4a-8b8b-123456789abc"
TENANT = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"


def flat(app) -> str:
    """The screen's words as one line: the message bars and line wraps gone, so sentences read whole."""
    return " ".join(word for line in screen_text(app).splitlines() for word in line.split() if word not in "█▊")


async def to_support(pilot, *, claim: str = "CL-7", program: str = "Azure Incentives") -> None:
    """From the first question to the support outcome by "Something else", answering every field."""
    await pick(pilot, "Something else")
    await pick(pilot, "No, I still need help")
    await type_answer(pilot, claim)
    await paste(pilot, "Claim rejected")
    await pick(pilot, program)
    await type_answer(pilot, "1234567")
    await type_answer(pilot, "2025-07-01")
    await type_answer(pilot, "")
    await type_answer(pilot, GUID)


# --- 1. the support handoff says what is so, and its answers are ready to copy -------------------


async def test_the_support_outcome_says_where_to_open_the_request(app) -> None:
    async with app.run_test(size=(100, 60)) as pilot:
        await to_support(pilot)
        assert at(app) == "contact-support"
        text = flat(app)
        assert "open Help + support (the ? at the top right), then New request" in text
        assert "filled in on the support form" not in text
        assert choices_shown(conversation(app))[:4] == [
            "1. Copy all the answers for the support request",
            "2. Copy one answer at a time…",
            "3. Copy the whole case summary",
            "4. Save the case summary (Markdown and JSON)",
        ]


async def test_all_the_form_answers_copy_at_once(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await to_support(pilot)
        await pick_action(pilot, "Copy all the answers")
        copied = app.clipboard
        assert copied.startswith(
            "Select the Incentives program you need assistance with.\nAzure Incentives\n\n"
            "Please provide the location MPN ID enrolled in the above Incentives program.  "
            "Note that this is different than your V-org MPN ID.\n1234567\n\n"
            "What is the start date of the earning period in question?\n2025-07-01\n\n"
            "What is the end date of the earning period in question?\n(not given)\n\n"
            "Please provide the claim ID(s) in question.\nCL-7\n\n"
            f"Please enter the Customer Tenant ID you need help with.\n{GUID}\n\n"
        )
        assert "Problem description\nClaim rejected\n" in copied


async def test_one_answer_copies_alone(app) -> None:
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await to_support(pilot)
        await pick_action(pilot, "Copy one answer")
        assert isinstance(app.screen, FieldsScreen)
        fields = app.screen.query_one("#field-list", OptionList)
        fields.focus()
        fields.highlighted = 4  # the claim IDs, fifth on the form
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == "CL-7"
        assert any("Copied the answer to “Please provide the claim ID(s) in question.”" in t for t in toasts(app))


# --- 3. nothing support merely likes to have blocks the way -------------------------------------------


async def test_the_tenant_path_reaches_support_without_the_tenant_id(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I get an error about the customer tenant ID")
        await pick(pilot, "No, I've checked")
        assert at(app) == "ask-tenant-id"
        assert "Optional: leave it empty and press Enter to skip." in screen_text(app)
        await type_answer(pilot, "")
        assert at(app) == "ask-customer-domain"
        await type_answer(pilot, "contoso")  # a bare subdomain, as the claim form takes it
        assert at(app) == "ask-claim-id"
        assert conversation(app).session.values["customer_domain"] == "contoso"


# --- 5. a restart never overwrites the summary saved before it -------------------------------------------


async def test_a_restarted_run_saves_its_own_summary(app, tmp_path: Path) -> None:
    folder = tmp_path / "summaries"
    async with app.run_test(size=(100, 40)) as pilot:
        await to_support(pilot, claim="FIRST-RUN")
        await pick_action(pilot, "Save the case summary")
        await pick_action(pilot, "Save the case summary")  # the same run: its file is updated
        [first] = sorted(folder.glob("*.md"))
        await pilot.press("ctrl+r")
        await pilot.pause()
        await to_support(pilot, claim="SECOND-RUN")
        await pick_action(pilot, "Save the case summary")
    saved = sorted(folder.glob("*.md"))
    assert len(saved) == 2
    assert "FIRST-RUN" in first.read_text(encoding="utf-8"), "the first run's summary is kept as it was"
    [second] = [p for p in saved if p != first]
    assert second.name == first.name.replace(".md", "-2.md") and "SECOND-RUN" in second.read_text(encoding="utf-8")


# --- 2. every program of the form, found by typing; the M365 workload and the dates asked --------------


async def test_every_program_is_offered_and_found_by_typing(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "Something else")
        await pick(pilot, "No, I still need help")
        await type_answer(pilot, "")
        await paste(pilot, "Claim rejected")
        assert at(app) == "ask-program"
        assert len(choices_shown(conversation(app))) == 38
        await pilot.press("x", "b", "o")
        await pilot.press("enter")
        await pilot.pause()
        assert conversation(app).session.values["program"] == "Xbox Game Pass Incentive Program"


async def test_microsoft_365_asks_the_workload_and_every_answer_lands_in_a_field(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I get an error about the customer tenant ID")
        await pick(pilot, "No, I've checked")
        await type_answer(pilot, GUID)
        await type_answer(pilot, "contoso")
        assert at(app) == "check-tenant-domain"  # both given: selfhelp offers to check them
        await pick(pilot, "No, don't check")
        await type_answer(pilot, "CL-7")
        await paste(pilot, "Tenant mismatch")
        await pick(pilot, "OSU - Microsoft 365")
        assert at(app) == "ask-m365-workload"
        await type_answer(pilot, "Teams")
        await type_answer(pilot, "1234567")
        await type_answer(pilot, "2025-07-01")
        await type_answer(pilot, "2025-09-30")
        assert at(app) == "contact-support"
        await pick_action(pilot, "Copy all the answers")
        copied = app.clipboard
        assert "Please provide the M365 workload (if applicable).\nTeams\n" in copied
        assert "What is the end date of the earning period in question?\n2025-09-30\n" in copied
        assert "Problem description\nTenant mismatch\n\nCustomer subdomain: contoso\n" in copied


# --- 4. the tenant GUID, not the request id, and said to come from the paste -------------------------


async def test_the_tenant_guid_is_prefilled_and_labelled(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, f"Request ID: {REQUEST}. {MISMATCH}. Directory ID: {TENANT}")
        assert at(app) == "tenant-subdomain-mismatch"
        await pick(pilot, "No, I've checked")
        assert conversation(app).query_one("#answer-input", Input).value == TENANT
        assert "Filled in from your pasted message: check it before you send it." in flat(app)


# --- 7, 8. subscription errors: paste first, "I'm not sure" everywhere, one Yes/No order -------------------


async def test_subscription_errors_offer_the_paste_first_and_never_demand_the_id(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I get an error about the subscription")
        assert choices_shown(conversation(app))[0] == "1. Paste the exact error message instead (quickest)"
        await pick(pilot, "Yes, it's a GUID")
        assert at(app) == "sub-product-on-tenant"  # the checks come first: the ID is asked on the support path
        passing = {
            "sub-product-on-tenant": "Yes",
            "sub-is-dynamics": "Yes",
            "sub-is-csp": "No",
            "sub-provisioned": "Yes",
        }
        for question, answer in passing.items():
            assert at(app) == question
            assert choices_shown(conversation(app)) == ["1. Yes", "2. No", "3. I'm not sure"]
            await pick(pilot, answer)
        assert at(app) == "sub-already-claimed"
        assert choices_shown(conversation(app)) == ["1. Yes", "2. No", "3. I'm not sure"]


# --- 6. a next step after 5 business days ------------------------------------------------------------------------


async def test_a_review_past_5_business_days_has_a_next_step(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "My claim is Under Review")
        await pick(pilot, "It has been more than 5 business days")
        assert at(app) == "review-overdue"
        await pick(pilot, "No, nothing new")
        assert at(app) == "ask-claim-id"


# --- 10. one clear message after "None of these" ---------------------------------------------------------------


async def test_none_of_these_says_one_thing(make_app, catalog) -> None:
    app = make_app(session=Session(catalog.flows[CPOR].flow, matcher=TwoCauses()))
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, "The subscription was rejected")
        await pick(pilot, "None of these")
        assert at(app) == "which-error"
        notices = [str(n.text) for n in conversation(app).query("NoticeMessage")]
        assert notices == [
            "That message fits 2 known causes.",
            "None of the suggested causes fits: a few questions will narrow it down.",
        ]


# --- 11. the agent's search: Enter takes the first result, and the pasted error goes with it ------------------


async def test_search_enter_after_down_opens_the_first_result_with_the_error(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("ctrl+f")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        search.query_one(Input).value = MISMATCH
        await pilot.pause(0.5)
        await pilot.press("down")  # from the text box to the results, on the first one
        await pilot.press("enter")
        await pilot.pause()
        assert at(app) == "tenant-subdomain-mismatch"
        session = conversation(app).session
        assert session.values["error_message"] == MISMATCH
        await pick(pilot, "No, I've checked")
        await type_answer(pilot, GUID)
        await type_answer(pilot, "")
        await type_answer(pilot, "CL-7")
        assert at(app) == "ask-program", "the problem description is not asked again"


# --- 12. everything reachable at 60x20, and with the map open at 80x24 ---------------------------------------


async def test_at_60x20_hidden_choices_have_a_cue_and_are_reachable(app) -> None:
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "▼ more choices below: ↓ or scroll" in text
        assert "Something else" not in text
        await pilot.press(*["down"] * 5)
        await pilot.pause()
        text = screen_text(app)
        assert "6. Something else" in text and "▲ more choices above: ↑ or scroll" in text


async def test_with_the_map_open_at_80x24_every_choice_and_quit_and_help_show(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("6. Something else" in line for line in lines)
        assert "^q Quit" in lines[-1] and "f1 Help" in lines[-1]


# --- 13. notes, the footer, the map's titles ---------------------------------------------------------------------


async def test_ctrl_j_adds_a_line_to_a_note_and_esc_keeps_the_draft(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("a", "ctrl+j", "b")
        await pilot.press("escape")
        await pilot.pause()
        assert conversation(app).session.state.notes == []
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.query_one("#note-text", TextArea).text == "a\nb", "the draft is offered again"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert conversation(app).session.state.notes == ["a\nb"]
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.query_one("#note-text", TextArea).text == "", "a kept note is no draft"


async def test_after_a_restart_the_footer_offers_no_save_and_saving_works_at_the_outcome(app, tmp_path: Path) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await to_support(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "Save" not in footer and "Copy" not in footer
        await pilot.press("ctrl+s")  # not at a support outcome: nothing to save, nothing written
        await pilot.pause()
        assert not (tmp_path / "summaries").exists()
        await to_support(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(list((tmp_path / "summaries").glob("*.md"))) == 1


async def test_map_titles_use_the_width_there_is(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        assert "The customer tenant ID and subdomain don't match" in screen_text(app)


# --- 14. quitting names the session and how to continue it ------------------------------------------------------


async def test_quitting_names_the_session_saved(make_app, tmp_path: Path) -> None:
    app = make_app(flow_id=CPOR, store=SessionStore(tmp_path / "sessions"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "Something else")
        session = conversation(app).session
    assert app.saved_session is session
    short = session.id[:12]
    assert quit_hint(session) == f"Session {short} saved. Continue it with: selfhelp resume {short}"
    session.choose(0)  # "Yes, that answers it": finished
    assert quit_hint(session) == f"Session {short} saved. Print its case summary with: selfhelp summary {short}"
