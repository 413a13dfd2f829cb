"""The conversation's own behaviour: back, restart, match verdicts, literal text, resume, picker, keys."""

from __future__ import annotations

from selfhelp.session.engine import Session
from selfhelp.session.store import SessionStore
from selfhelp.tui.config import UIConfig, load_config
from selfhelp.tui.screens.conversation import ConversationScreen
from selfhelp.tui.screens.modals import HelpScreen
from tests.tui.conftest import CPOR, GUID, TwoCauses, at, conversation, paste, pick, screen_text, toasts


async def test_back_returns_the_step_with_its_answer_and_shows_what_was_undone(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I get an error about the subscription")
        await pick(pilot, "No, it looks different")
        await pilot.press("escape")
        await pilot.pause()
        assert at(app) == "sub-is-guid"
        text = screen_text(app)
        assert "↩ Went back: your answer “No, it looks different” is undone." in text
        assert "No, it looks different  ← your earlier answer" in text
        undone = conversation(app).query("UserMessage.-undone")
        assert [m.answer for m in undone] == ["No, it looks different"]
        await pick(pilot, "I'm not sure")
        assert at(app) == "identifier-not-subscription-id"


def notices(app) -> list[str]:
    """The notices of the conversation (went back, started again, ...) as the user reads them, oldest first."""
    return [str(message.render()) for message in conversation(app).query("NoticeMessage")]


async def test_an_unsent_paste_is_kept_on_back_and_offered_again(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message to paste")
        assert at(app) == "paste-error"
        area = conversation(app).query_one("#paste")
        area.focus()
        area.insert("The subscription is not\nactive")  # typed, not sent
        await pilot.press("escape")
        await pilot.pause()
        assert at(app) == "what-happening"
        assert notices(app)[-1] == (
            "↩ Went back: your answer “I have an error message to paste” is undone."
            " Your unsent text is kept for when you come back."
        )
        await pick(pilot, "I have an error message to paste")
        assert conversation(app).query_one("#paste").text == "The subscription is not\nactive"
        assert "Your unsent text is back." in str(conversation(app).query_one("#hint").render())
        # Back again without touching it: still a draft, still kept.
        await pilot.press("escape")
        await pilot.pause()
        await pick(pilot, "I have an error message to paste")
        assert conversation(app).query_one("#paste").text == "The subscription is not\nactive"


async def test_an_unsent_typed_answer_is_kept_on_back_but_an_earlier_answer_is_not_a_draft(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I get an error about the customer tenant ID")
        await pick(pilot, "Check the tenant ID and subdomain for me")
        assert at(app) == "ask-tenant-id"
        conversation(app).query_one("#answer-input").value = "0f8fad5b-d9cb"  # half typed
        await pilot.press("escape")
        await pilot.pause()
        assert at(app) == "tenant-subdomain-mismatch"
        assert notices(app)[-1] == (
            "↩ Went back: your answer “Check the tenant ID and subdomain for me” is undone."
            " Your unsent text is kept for when you come back."
        )
        await pick(pilot, "Check the tenant ID and subdomain for me")
        box = conversation(app).query_one("#answer-input")
        assert box.value == "0f8fad5b-d9cb"
        # Sent, it is an answer: going back offers it as the earlier answer, and says nothing of a draft.
        box.value = GUID
        await pilot.press("enter")
        await pilot.pause()
        assert at(app) == "ask-customer-domain"
        await pilot.press("escape")
        await pilot.pause()
        assert at(app) == "ask-tenant-id"
        assert conversation(app).query_one("#answer-input").value == GUID
        assert notices(app)[-1] == "↩ Went back: your answer “0f8fad5b-d9cb-469f-a165-70867728950e” is undone."


async def test_back_at_the_first_step_says_so(app) -> None:
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert at(app) == "what-happening"
        assert any("nothing to go back to" in toast for toast in toasts(app))


async def test_restart_goes_to_the_first_question(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "Something else")
        await pick(pilot, "Yes, that answers")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert at(app) == "what-happening"
        assert "⟲ Started again from the first step." in screen_text(app)
        assert len(conversation(app).session.history) == 1


async def test_ambiguous_match_offers_the_candidates_and_none_of_these(make_app, catalog) -> None:
    session = Session(catalog.flows[CPOR].flow, matcher=TwoCauses())
    app = make_app(session=session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, " subscription \x1b[1mrejected\x1b[0m \u202e")
        text = screen_text(app)
        assert "Did you mean one of these?" in text and "fits 2 known causes" in text
        # The paste waits with the suggestions, kept as it is shown.
        assert session.current.pending is not None and session.current.pending.query == "subscription rejected"
        assert conversation(app).query("UserMessage").last().answer == "subscription rejected"
        labels = [c.label for c in session.step().choices]
        assert labels == [
            "The subscription provided is not for Dynamics",
            "The subscription provided is for CSP",
            "None of these",
        ]
        await pilot.press("escape")  # back dismisses the suggestions, the paste step stays
        await pilot.pause()
        assert at(app) == "paste-error" and session.current.pending is None
        await paste(pilot, "subscription rejected")
        await pick(pilot, "The subscription provided is for CSP")
        assert at(app) == "subscription-is-csp"


async def test_pasted_markup_shows_literally_and_the_screen_shows_the_answer_as_kept(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, "  [bold red]boom[/] \x1b[31mred\x07 \u202e[link=x]y[/link]\x1b[0m \u202e\n")
        # Markup stays as typed; the escape sequences go whole (no "[31m" left), the bidi overrides and the
        # bell too, and the ends are trimmed once they are gone: the screen shows what the session kept.
        kept = "[bold red]boom[/] red [link=x]y[/link]"
        assert f"You: {kept}" in screen_text(app)
        session = conversation(app).session
        [answer] = [v.answer for v in session.history if v.answer is not None and v.answer.kind == "match"]
        assert answer.text == kept
        assert conversation(app).query("UserMessage").last().answer == kept


async def test_resume_shows_every_answer_and_continues(make_app, catalog, tmp_path) -> None:
    store = SessionStore(tmp_path / "sessions")
    app = make_app(flow_id=CPOR, store=store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I get an error about the customer tenant")
        await pick(pilot, "No, I've checked")
    [saved] = store.unfinished().sessions
    assert saved.steps == 2 and saved.node == "ask-tenant-id"
    session, notice = store.resume(saved.id, catalog)
    assert notice is None  # same flow: no notice of its own; the app shows whatever notice it is given
    app = make_app(session=session, notice="The flow changed since.")
    async with app.run_test(size=(100, 40)):
        screen = conversation(app)
        assert [m.answer for m in screen.query("UserMessage")] == [
            "I get an error about the customer tenant ID or subdomain",
            "No, I've checked the details with my customer and still get the error",
        ]
        assert at(app) == "ask-tenant-id"
        assert screen.query_one("#answer-input").has_focus
        assert "⚠ The flow changed since." in screen_text(app)


async def test_resume_while_a_did_you_mean_waits_shows_the_paste_and_back_undoes_it(make_app, catalog) -> None:
    session = Session(catalog.flows[CPOR].flow, matcher=TwoCauses())
    session.choose_label("I have an error message to paste")
    session.submit("subscription rejected")
    resumed, _ = Session.from_json(catalog.flows[CPOR].flow, session.to_json(), matcher=TwoCauses())
    app = make_app(session=resumed)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = conversation(app)
        assert [m.answer for m in screen.query("UserMessage")] == [
            "I have an error message to paste",
            "subscription rejected",
        ]
        await pilot.press("escape")  # dismiss the suggestions: the paste is what is undone
        await pilot.pause()
        undone = [m.answer for m in screen.query("UserMessage") if m.has_class("-undone")]
        assert undone == ["subscription rejected"] and at(app) == "paste-error"


async def test_picker_filters_and_opens_a_flow(make_app, two_flows) -> None:
    app = make_app(catalog=two_flows)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "What do you need help with?" in screen_text(app)
        await pilot.press(*"payout")
        await pilot.pause()
        assert app.screen.shown == ["tui-second"]
        await pilot.press("enter")
        await pilot.pause()
        assert at(app) == "ask"


async def test_picker_by_arrows(make_app, two_flows) -> None:
    from selfhelp.flow.catalog import Catalog

    # Two topics only (the shipped catalog has several): "Customer association issues", then "Payout questions".
    app = make_app(catalog=Catalog(flows={k: two_flows.flows[k] for k in (CPOR, "tui-second")}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "enter")  # into the list, to the second topic, open it
        await pilot.pause()
        assert conversation(app).session.flow.id == "tui-second"


async def test_another_topic_from_a_flow_opened_directly(make_app, two_flows) -> None:
    """``selfhelp run FLOW``, then "Choose another topic" (the first screen cannot be switched away from)."""
    app = make_app(catalog=two_flows, flow_id=CPOR)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(2):  # and again, from the flow opened in the picker
            app.action_pick_flow()
            await pilot.pause()
            assert "What do you need help with?" in screen_text(app)
            await pilot.press(*"payout", "enter")
            await pilot.pause()
            assert conversation(app).session.flow.id == "tui-second"
        assert len(app.screen_stack) <= 2  # screens are replaced, not piled up


async def test_help_lists_every_key_with_its_id_and_a_remap_works(make_app) -> None:
    app = make_app(flow_id=CPOR, config=UIConfig(keymap={"back": "ctrl+z", "restart": "f5"}))
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "Something else")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in ("Undo the last answer", "‹back›", "Start again", "‹restart›", "Quit", "flow map", "1 … 9"):
            assert words in text
        assert "^z" in text and "f5" in text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert at(app) == "what-happening"


async def test_command_palette_runs_an_action(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "Something else")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"start again")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConversationScreen)
        assert at(app) == "what-happening"


async def test_no_color_keeps_every_meaning_in_words(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(flow_id=CPOR)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await pick(pilot, "I get an error about the customer tenant")
        await pick(pilot, "Yes, that fixed")
        assert "✔ Resolved" in screen_text(app)


def test_a_broken_settings_file_is_reported_not_fatal(tmp_path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("keymap: [not, a, mapping]\n")
    config, problem = load_config(path)
    assert config.keymap == {} and problem is not None and "keymap" in problem
    path.write_text("keymap:\n  back: ctrl+z\n")
    assert load_config(path) == (UIConfig(keymap={"back": "ctrl+z"}), None)
