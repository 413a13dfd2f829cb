"""Text snapshots of key screens at 80x24, the smallest size the app supports.

pytest-textual-snapshot pins an old syrupy that would downgrade pytest, so these
compare the screen as plain text (what a person reads, colours dropped) with
golden files in ``snapshots/``. After a deliberate change of the look, rewrite
them with ``SELFHELP_UPDATE_SNAPSHOTS=1 pytest tests/tui/test_snapshots.py`` and
review the diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from selfhelp.session.engine import Session
from tests.tui.conftest import CPOR, GUID, TwoCauses, paste, pick, screen_text, type_answer

SNAPSHOTS = Path(__file__).parent / "snapshots"
SIZE = (80, 24)


def assert_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("SELFHELP_UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        if not os.environ.get("SELFHELP_UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written: review it and run again")
        return
    expected = path.read_text(encoding="utf-8").removesuffix("\n")
    if text != expected:
        diff = "\n".join(
            difflib.unified_diff(expected.splitlines(), text.splitlines(), "expected", "actual", lineterm="")
        )
        pytest.fail(f"screen differs from {path.name}:\n{diff}")


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def test_first_question(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_snapshot("first_question", screen_text(app))


async def test_picker(make_app, two_flows) -> None:
    app = make_app(catalog=two_flows)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_snapshot("picker", screen_text(app))


async def test_paste_step(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "I have an error message")
        await settle(pilot)
        assert_snapshot("paste_step", screen_text(app))


async def test_invalid_input(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "I get an error about the customer tenant")
        await pick(pilot, "No, I've checked")
        await type_answer(pilot, "12345")
        await settle(pilot)
        assert_snapshot("invalid_input", screen_text(app))


async def test_ambiguous_match(make_app, catalog) -> None:
    app = make_app(session=Session(catalog.flows[CPOR].flow, matcher=TwoCauses()))
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, "The subscription was rejected")
        await settle(pilot)
        assert_snapshot("ambiguous_match", screen_text(app))


async def test_went_back(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "Something else")
        await pilot.press("escape")
        await settle(pilot)
        assert_snapshot("went_back", screen_text(app))


async def test_contact_support_outcome(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "Something else")
        await pick(pilot, "No, I still need help")
        await type_answer(pilot, "CL-7")
        await paste(pilot, "Claim rejected")
        await pick(pilot, "Azure Incentives")
        await type_answer(pilot, "1234567")
        await type_answer(pilot, "")  # no earning period dates
        await type_answer(pilot, "")
        await type_answer(pilot, GUID)
        await settle(pilot)
        text = screen_text(app)
        # The session id and times in the summary change on every run: blank them.
        session = app.screen.session
        text = text.replace(session.id, "<session-id>")
        assert_snapshot("contact_support", text)


async def test_help(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        assert_snapshot("help", screen_text(app).replace(str(Path.home()), "~"))


async def test_agent_mode(make_app) -> None:
    app = make_app(flow_id=CPOR, agent=True)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "I get an error about the customer tenant")
        await settle(pilot)
        assert_snapshot("agent_mode", screen_text(app))


# --- the partner's three key screens at the supported size and the smallest usable one (issue 11) ---------

PARTNER_SIZES = [(80, 24), (60, 20)]


@pytest.mark.parametrize("size", PARTNER_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_partner_picker(make_app, two_flows, size: tuple[int, int]) -> None:
    app = make_app(catalog=two_flows)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert_snapshot(f"partner_picker_{size[0]}x{size[1]}", screen_text(app))


@pytest.mark.parametrize("size", PARTNER_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_partner_cause(app, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, "The customer tenant ID and subdomain do not match")
        await settle(pilot)
        assert_snapshot(f"partner_cause_{size[0]}x{size[1]}", screen_text(app))


@pytest.mark.parametrize("size", PARTNER_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_partner_support_outcome(app, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await pick(pilot, "Something else")
        await pick(pilot, "No, I still need help")
        await type_answer(pilot, "CL-7")
        await paste(pilot, "Claim rejected")
        await pick(pilot, "Azure Incentives")
        await type_answer(pilot, "1234567")
        await type_answer(pilot, "")
        await type_answer(pilot, "")
        await type_answer(pilot, GUID)
        await settle(pilot)
        text = screen_text(app).replace(app.screen.session.id, "<session-id>")
        assert_snapshot(f"partner_support_{size[0]}x{size[1]}", text)
