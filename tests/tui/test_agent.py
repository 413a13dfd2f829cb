"""Agent mode: the flow map, jumps, search across flows, notes into the summary."""

from __future__ import annotations

from collections.abc import Iterator

from textual.widgets.tree import TreeNode

from selfhelp.flow.validate import check_bytes
from selfhelp.session.handoff import build_summary
from selfhelp.tui.agent import error_store, search
from selfhelp.tui.widgets.flow_tree import FlowTree
from tests.tui.conftest import CPOR, at, conversation, pick, screen_text, settle_until, type_answer


def walk(node: TreeNode[str]) -> Iterator[TreeNode[str]]:
    """The node and everything under it, top to bottom as the map lists them."""
    yield node
    for child in node.children:
        yield from walk(child)


def step_entries(tree: FlowTree) -> dict[str, TreeNode[str]]:
    """Each step's own entry in the map: its first listing (later ones are ↪ links back to it)."""
    entries: dict[str, TreeNode[str]] = {}
    for node in walk(tree.root):
        if node.data is not None:
            entries.setdefault(node.data, node)
    return entries


async def test_map_marks_the_path_and_a_picked_node_is_jumped_to(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pick(pilot, "I get an error about the subscription")
        tree = conversation(app).query_one(FlowTree)
        entries = step_entries(tree)
        labels = {node_id: str(node.label) for node_id, node in entries.items()}
        assert labels["sub-is-guid"].startswith("▶ ?")
        assert labels["what-happening"].startswith("✓ ?")
        assert labels["competing-claim"].startswith("  !")
        tree.focus()
        tree.move_cursor(entries["competing-claim"])
        await pilot.press("enter")
        await pilot.pause()
        assert at(app) == "competing-claim"
        assert "Agent: Jumped to: Competing claim under review" in screen_text(app)
        await pilot.press("escape")  # a jump is undone like any answer
        await pilot.pause()
        assert at(app) == "sub-is-guid"


async def test_search_routes_a_pasted_error_and_notes_reach_the_summary(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("ctrl+f")
        await settle_until(pilot, lambda: bool(app.screen.query("#search-results")))
        # A message only the CPOR flow knows: "Partner Action Required" is also Claim status's, which may come first.
        search_box = app.screen.query_one("#search-box Input")
        search_box.value = "We require additional information to verify your CPOR association PoE"
        await pilot.pause()
        await pilot.press("enter")
        await settle_until(pilot, lambda: not app.screen.query("#search-results"))
        assert at(app) == "poe-info-requested"
        await pilot.press("ctrl+n")
        await settle_until(pilot, lambda: bool(app.screen.query("#note-text")))
        app.screen.query_one("#note-text").insert("Called the partner [b]twice[/b]")
        await pilot.press("ctrl+s")
        await settle_until(
            pilot, lambda: not app.screen.query("#note-text") and bool(conversation(app).session.state.notes)
        )
        session = conversation(app).session
        assert session.state.notes == ["Called the partner [b]twice[/b]"]
        assert "Called the partner [b]twice[/b]" in build_summary(session).to_text()
        assert "✎ Note: Called the partner [b]twice[/b]" in screen_text(app)


PASTED_REJECTION = "Rejected - Insufficient Proof of Execution on claim 4711"


async def test_a_search_hit_in_another_flow_carries_the_pasted_error_to_the_support_form(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("ctrl+f")
        await settle_until(pilot, lambda: bool(app.screen.query("#search-results")))
        app.screen.query_one("#search-box Input").value = PASTED_REJECTION
        await pilot.pause()
        await pilot.press("enter")
        await settle_until(pilot, lambda: not app.screen.query("#search-results"))
        await pilot.pause()
        screen = conversation(app)
        assert (screen.session.flow.id, at(app)) == ("cpor-claim-status", "rejected-insufficient-poe")
        assert screen.agent  # still the agent's view in the flow opened
        assert screen.session.values["error_message"] == PASTED_REJECTION
        await pick(pilot, "I still need help")
        assert at(app) == "ask-claim-id"
        await type_answer(pilot, "4711")
        # The description is what was pasted in the search: the flow goes on to the next field, not asking again.
        assert at(app) == "ask-location-mpnid"
        await type_answer(pilot, "1234567")
        assert at(app) == "contact-support"
        summary = build_summary(conversation(app).session).to_text()
        assert PASTED_REJECTION in summary
        assert "describe-problem" not in [v.node for v in conversation(app).session.path()]


async def test_the_map_toggles_in_partner_mode(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        assert not conversation(app).query(FlowTree)
        await pilot.press("f2")
        await pilot.pause()
        assert conversation(app).query_one(FlowTree).has_focus


def test_search_finds_words_and_error_matches_across_flows(two_flows) -> None:
    hits = search(two_flows, "payment is on hold")
    assert (hits[0].flow_id, hits[0].node_id) == ("tui-second", "late")
    assert hits[0].why == "error match: Payment is on hold"
    words = search(two_flows, "competing claim")
    assert any(h.node_id == "competing-claim" for h in words)
    assert search(two_flows, "   ") == []


def test_search_gives_one_verdict_across_flows(two_flows) -> None:
    # Each flow alone calls this a confident match; across both flows it is a "did you mean" between them.
    # Each part of the paste holds one flow's whole error (both score 100 since issue 10): the order is a tie.
    hits = search(two_flows, "Payout hold: the subscription is not active")
    assert sorted((h.flow_id, h.node_id, h.why) for h in hits if h.kind == "cause")[:2] == [
        ("cpor-customer-association", "products-not-provisioned", "error ambiguous: Subscription is not active"),
        ("tui-second", "late", "error ambiguous: Payout is on hold"),
    ]


def test_the_map_shows_the_causes_a_match_step_leads_to() -> None:
    report = check_bytes(
        b"""\
id: map
title: Map
version: "1"
start: paste
nodes:
  paste: {kind: match, title: Paste, no_match: done}
  why: {kind: cause, title: Why, text: It failed., errors: [it failed], next: done}
  done: {kind: outcome, title: Done, result: resolved}
  orphan: {kind: outcome, title: Orphan, result: resolved}
""",
        "map.yaml",
    )
    assert report.flow is not None
    tree = FlowTree(report.flow)

    def rows(node, depth: int = 0) -> list[str]:
        own = f"{'  ' * depth}{str(node.label).strip()}"
        return [own] + [r for child in node.children for r in rows(child, depth + 1)]

    assert [r for child in tree.root.children for r in rows(child)] == [
        "▶ ⌕ Paste",
        "  ■ Done",
        "  ! Why",
        "    ↪ Done",
        "Not reached from the start",
        "  ■ Orphan",
    ]


async def test_search_runs_off_the_ui_thread_and_shows_only_the_last_query(make_app, monkeypatch) -> None:
    import threading

    from selfhelp.tui.screens import modals

    searched: list[tuple[str, bool]] = []

    def recording(catalog, query):
        searched.append((query, threading.current_thread() is threading.main_thread()))
        return search(catalog, query)

    monkeypatch.setattr(modals, "search", recording)
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("ctrl+f")
        await settle_until(pilot, lambda: bool(app.screen.query("#search-results")))
        await pilot.press(*"competing")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, modals.SearchScreen)
        # Typed in one go: the searches of "c", "co", ... were cancelled while waiting; only the last one ran.
        assert searched == [("competing", False)]
        assert screen.searched == "competing"
        assert [h.node_id for h in screen.hits] == ["competing-claim", "wait-competing-claim"]
        assert str(screen.query_one("#search-status").render()) == "2 found"


def test_a_found_cause_keeps_the_paste_under_the_store_of_the_match_step_leading_to_it() -> None:
    report = check_bytes(
        b"""\
id: stores
title: Stores
version: "1"
start: first
nodes:
  first: {kind: match, title: First, candidates: [one], no_match: second}
  second: {kind: match, title: Second, store: later_paste, candidates: [two], no_match: done}
  one: {kind: cause, title: One, text: One., errors: [first failure], next: done}
  two: {kind: cause, title: Two, text: Two., errors: [second failure], next: done}
  lone: {kind: cause, title: Lone, text: Lone., errors: [lone failure], next: done}
  done: {kind: outcome, title: Done, result: resolved}
""",
        "stores.yaml",
    )
    assert report.flow is not None
    assert error_store(report.flow, "one") == "error_message"
    assert error_store(report.flow, "two") == "later_paste"
    # No match step leads to it: the flow's first paste step names the message all the same.
    assert error_store(report.flow, "lone") == "error_message"
    without = check_bytes(
        b"""\
id: none
title: None
version: "1"
start: why
nodes:
  why: {kind: cause, title: Why, text: It failed., errors: [it failed], next: done}
  done: {kind: outcome, title: Done, result: resolved}
""",
        "none.yaml",
    )
    assert without.flow is not None
    assert error_store(without.flow, "why") is None

