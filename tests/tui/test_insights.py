"""The Insights screen (agent mode, F3): the saved sessions' figures in Textual's own widgets."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, ProgressBar, Sparkline

from selfhelp.session.engine import Session
from selfhelp.session.store import SessionStore
from selfhelp.tui.screens.insights import InsightsScreen, bar
from tests.tui.conftest import CPOR, screen_text

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def saved_sessions(catalog, folder: Path) -> None:
    """Three sessions driven through the engine: one resolved, two abandoned (one after an unmatched paste)."""
    flow = catalog.flows[CPOR].flow
    store = SessionStore(folder)
    walks = [
        ("I get an error about the customer tenant ID or subdomain", "Yes, that fixed it"),
        ("I have an error message to paste", f"paste:Printer {GUID} is jammed again, ask jane@contoso.com"),
        ("I get an error about the subscription",),
    ]
    for i, moves in enumerate(walks):
        session = Session(flow)
        for move in moves:
            reply = session.submit(move[6:]) if move.startswith("paste:") else session.choose_label(move)
            assert reply.ok, reply.reason
        session.state.created = session.state.updated = f"2026-11-0{i + 1}T10:00:00+00:00"
        store.save(session)
        store.release(session.id)


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_f3_in_agent_mode_shows_the_figures_masked(make_app, catalog, tmp_path: Path) -> None:
    saved_sessions(catalog, tmp_path / "sessions")
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InsightsScreen)
        assert screen.report is not None and screen.report.sessions == 3
        assert cells(screen.query_one("#outcomes", DataTable))[0][:4] == ["resolved", "1", "100.0%", "█" * 24]
        assert screen.query_one("#deflection", ProgressBar).progress == 100
        assert screen.query_one("#timeline", Sparkline).data == [1, 1, 1]
        assert cells(screen.query_one("#dropoff", DataTable)) == [
            ["cpor-customer-association", "Is it a subscription ID?", "1", "50.0%", "█" * 24],
            ["cpor-customer-association", "What the message is about", "1", "50.0%", "█" * 24],
        ]
        unmatched = cells(screen.query_one("#unmatched", DataTable))
        assert unmatched == [["1", "Printer <guid> is jammed again, ask <email>"]]
        assert "jane@contoso.com" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InsightsScreen)


async def test_partners_have_no_insights_key(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert not isinstance(app.screen, InsightsScreen)
        assert app.check_action("insights", ()) is False


def test_bars_scale_to_the_longest() -> None:
    assert bar(10, 10, width=8) == "████████"
    assert bar(1, 100, width=8) == "█"
    assert bar(5, 10, width=8) == "████"
    assert bar(0, 10) == ""


async def test_a_failed_read_is_said_on_the_screen(make_app, monkeypatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise PermissionError("the sessions folder is not readable")

    monkeypatch.setattr("selfhelp.authoring.insights.build_insights", fail)
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Could not read the saved sessions: the sessions folder is not readable" in screen_text(app)
