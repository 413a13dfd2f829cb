"""Start-up from the first-paint cache: the question painted at once, the flows loaded behind it.

The loader is held back by a gate, so the tests can act while the session is
still loading, as a quick user would, and then let it finish.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.worker import WorkerFailed

from selfhelp.cli import main
from selfhelp.commands.common import UsageError
from selfhelp.flow.catalog import Catalog
from selfhelp.session.engine import Session
from selfhelp.session.step import ChoiceView
from selfhelp.tui import app as tui_app
from selfhelp.tui import first_paint
from selfhelp.tui.app import Loaded
from selfhelp.tui.first_paint import FirstScreen, first_screen
from selfhelp.tui.screens.picker import FlowPickerScreen
from selfhelp.tui.widgets.messages import StepMessage, UserMessage
from tests.tui.conftest import CPOR, at, conversation, screen_text, toasts

SUBSCRIPTION = "I get an error about the subscription"


class Gate:
    """A loader that returns (or raises) ``result`` only once the test opens the gate."""

    def __init__(self, result: Loaded | BaseException) -> None:
        self.result = result
        self.started = threading.Event()
        self.open = threading.Event()

    def __call__(self) -> Loaded:
        self.started.set()
        assert self.open.wait(10), "the test never let the load finish"
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


def cached(catalog: Catalog, flow_id: str = CPOR) -> FirstScreen:
    flow = catalog.flows[flow_id].flow
    return first_screen(flow, Session(flow).step())


async def loading(pilot, gate: Gate) -> None:
    """Wait until the first question is painted and the load behind it has begun."""
    for _ in range(500):
        if gate.started.is_set():
            return
        await pilot.pause(0.01)
    raise AssertionError("the load never started")


async def finish(pilot, gate: Gate) -> None:
    gate.open.set()
    with contextlib.suppress(WorkerFailed):  # the app handles a failed load (a test says how)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_first_question_is_painted_from_the_cache_and_nothing_moves_when_the_session_comes(
    make_app, catalog
) -> None:
    gate = Gate(Loaded(catalog, CPOR))
    app = make_app(catalog=None, flow_id=CPOR, preview=cached(catalog), loader=gate)
    async with app.run_test(size=(80, 24)) as pilot:
        await loading(pilot, gate)
        screen = conversation(app)
        assert screen.session is None
        painted = screen_text(app)
        assert "What is happening with your CPOR claim?" in painted
        assert "1. I get an error about the customer tenant ID or subdomain" in painted
        assert "Path: Your CPOR claim" in painted
        messages = list(screen.query(StepMessage))
        await finish(pilot, gate)
        assert screen.session is not None and at(app) == "what-happening"
        assert list(screen.query(StepMessage)) == messages  # the very same widgets: nothing repainted
        assert screen_text(app) == painted
    slow = make_app(flow_id=CPOR)  # a start without the cache shows exactly the same
    async with slow.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert screen_text(slow) == painted


async def test_an_answer_picked_before_the_session_is_ready_is_applied_once_it_is(make_app, catalog) -> None:
    gate = Gate(Loaded(catalog, CPOR))
    app = make_app(catalog=None, flow_id=CPOR, preview=cached(catalog), loader=gate)
    expected = Session(catalog.flows[CPOR].flow)
    expected.choose(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await loading(pilot, gate)
        screen = conversation(app)
        await pilot.press("down", "down", "up")  # moving through the choices works at once
        assert screen.query_one("#choices").highlighted == 1
        await pilot.press("2")
        await pilot.pause()
        assert screen.session is None
        assert screen.query_one("#answer").disabled  # no second answer aimed at a step about to change
        assert "One moment: opening the flow…" in screen_text(app)
        await pilot.press("4")  # ignored: the answer box waits
        await finish(pilot, gate)
        assert at(app) == expected.current.node
        assert [m.answer for m in screen.query(UserMessage)] == [SUBSCRIPTION]
        assert not screen.query_one("#answer").disabled
        assert "One moment" not in screen_text(app)


async def test_while_loading_only_the_answer_is_kept_and_the_other_actions_are_disabled(make_app, catalog) -> None:
    gate = Gate(Loaded(catalog, CPOR))
    app = make_app(catalog=None, flow_id=CPOR, preview=cached(catalog), loader=gate)
    async with app.run_test(size=(80, 24)) as pilot:
        await loading(pilot, gate)
        screen = conversation(app)
        # Shown in the footer, but disabled until the session is there: pressing them does nothing.
        assert [screen.check_action(a, ()) for a in ("back", "restart", "toggle_agent")] == [None, None, None]
        assert app.check_action("pick_flow", ()) is None
        await pilot.press("2", "escape", "ctrl+r", "f2")
        await finish(pilot, gate)
        assert at(app) == "sub-is-guid"  # the answer was given; nothing undone, restarted or toggled
        assert [m.answer for m in screen.query(UserMessage)] == [SUBSCRIPTION]
        assert not screen.query("UserMessage.-undone") and not screen.agent
        assert [screen.check_action(a, ()) for a in ("back", "restart", "toggle_agent")] == [True, True, True]
        assert app.check_action("pick_flow", ()) is True
        await pilot.press("escape")  # and now they work
        await pilot.pause()
        assert at(app) == "what-happening"


async def test_a_flow_changed_since_it_was_cached_is_shown_as_it_is_and_the_early_answer_dropped(
    make_app, catalog
) -> None:
    real = cached(catalog)
    stale = dataclasses.replace(
        real,
        step=dataclasses.replace(
            real.step, title="An old question", choices=(ChoiceView("Old A", "x"), ChoiceView("Old B", "y"))
        ),
    )
    gate = Gate(Loaded(catalog, CPOR))
    app = make_app(catalog=None, flow_id=CPOR, preview=stale, loader=gate)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loading(pilot, gate)
        assert "1. Old A" in screen_text(app)
        await pilot.press("2")
        await finish(pilot, gate)
        screen = conversation(app)
        text = screen_text(app)
        assert at(app) == "what-happening" and not screen.query(UserMessage)  # not applied to other choices
        assert "Old A" not in text and "An old question" not in text
        assert "1. I get an error about the customer tenant ID or subdomain" in text
        assert len(screen.query(StepMessage)) == 2  # the intro and the question, once each
        assert any("changed since it was last opened" in toast for toast in toasts(app))


async def test_a_load_that_fails_closes_the_app_with_the_error(make_app, catalog) -> None:
    gate = Gate(UsageError("no flow 'cpor-customer-association'; see 'selfhelp list'"))
    app = make_app(catalog=None, flow_id=CPOR, preview=cached(catalog), loader=gate)
    async with app.run_test(size=(80, 24)) as pilot:
        await loading(pilot, gate)
        await finish(pilot, gate)
    assert isinstance(app.load_error, UsageError)
    assert app.return_code == 2


async def test_several_flows_found_behind_a_single_cached_one_open_the_picker(make_app, catalog, two_flows) -> None:
    gate = Gate(Loaded(two_flows, None))
    app = make_app(catalog=None, preview=cached(catalog), loader=gate)
    async with app.run_test(size=(80, 24)) as pilot:
        await loading(pilot, gate)
        await finish(pilot, gate)
        assert isinstance(app.screen, FlowPickerScreen)


def test_run_paints_from_the_cache_only_when_it_is_warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SELFHELP_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[tuple[Catalog | None, dict]] = []

    def fake_run_app(catalog: Catalog | None, **kw: object) -> int:
        calls.append((catalog, kw))
        return 0

    monkeypatch.setattr(tui_app, "run_app", fake_run_app)
    hits: list[bool] = []
    real_lookup = first_paint.lookup
    monkeypatch.setattr(first_paint, "lookup", lambda *a: hits.append(real_lookup(*a) is not None) or real_lookup(*a))
    assert main(["run", CPOR]) == 0  # cold: the flow's own file painted, the catalog loaded behind it
    calls[0][1]["loader"]()  # which writes the cache (in the app, behind the first paint)
    assert main(["run", CPOR]) == 0  # warm: painted from the cache, loaded behind it
    assert main(["--agent", "run", CPOR]) == 0  # agent mode needs the whole flow for its map: loaded first
    (cold, cold_kw), (warm, warm_kw), (agent, _) = calls
    assert hits == [False, True]  # agent mode does not look
    assert cold is None and cold_kw["preview"] == warm_kw["preview"]  # the same screen, from the file or the cache
    assert warm is None and warm_kw["preview"].flow_id == CPOR
    loaded = warm_kw["loader"]()
    assert loaded.flow_id == CPOR and CPOR in loaded.catalog.flows and loaded.warnings == []
    assert isinstance(agent, Catalog)


@pytest.mark.parametrize("argv", [["run", CPOR], ["--agent", "run", CPOR]], ids=["cold", "agent"])
def test_a_cold_run_writes_the_cache_only_after_the_first_paint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """Cold, the load behind the paint writes it; in agent mode (loaded first), the job run after the paint."""
    cache = tmp_path / "cache" / "first-paint.json"
    monkeypatch.setenv("SELFHELP_CACHE_DIR", str(cache.parent))
    seen: list[bool] = []

    def fake_run_app(catalog: Catalog | None, **kw: object) -> int:
        seen.append(cache.exists())  # the app starts (and paints) before anything is written
        behind = kw["loader"] if catalog is None else kw["after_paint"]
        behind()  # type: ignore[operator]
        seen.append(cache.exists())
        return 0

    monkeypatch.setattr(tui_app, "run_app", fake_run_app)
    assert main(argv) == 0
    assert seen == [False, True]


FIRST_PAINT_CHILD = """
import json, sys
from selfhelp.tui import app as tui_app

from selfhelp.tui import first_paint

real_run = tui_app.SelfHelpApp.run
real_lookup = first_paint.lookup
seen = {}

def lookup(*args):
    hit = real_lookup(*args)
    seen["cached"] = hit is not None
    return hit

first_paint.lookup = lookup

def run(self, *args, **kwargs):
    def painted():
        seen["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] == "pydantic" or m in (
            "yaml", "selfhelp.flow.models", "selfhelp.session.engine", "selfhelp.flow.catalog",
            "selfhelp.flow.validate"))
        self.exit()
    self.on_first_step = painted
    return real_run(self, headless=True)

tui_app.SelfHelpApp.run = run
from selfhelp.commands import common as terminal
terminal.terminal_missing = lambda: None  # the app runs headless here: it needs no terminal
from selfhelp.cli import main
main(["run", "cpor-customer-association"])
print(json.dumps(seen))
"""


def test_with_a_warm_cache_nothing_heavy_is_imported_before_the_first_paint(tmp_path: Path) -> None:
    """The first start (cold) loads its flow before painting and leaves the cache warm; the next paints with the
    stdlib only.

    A settings file is there: it is read behind the first paint, whatever reading it takes.
    """
    settings = tmp_path / "config.yaml"
    settings.write_text("keymap:\n  back: ctrl+z\n")
    env = {
        **os.environ,
        "SELFHELP_CACHE_DIR": str(tmp_path / "cache"),
        "SELFHELP_DATA_DIR": str(tmp_path / "data"),
        "SELFHELP_CONFIG": str(settings),
    }
    runs = []
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_PAINT_CHILD], env=env, check=True, capture_output=True, text=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cold, warm = runs
    assert cold["cached"] is False and "selfhelp.session.engine" in cold["loaded"]
    assert warm == {"cached": True, "loaded": []}
