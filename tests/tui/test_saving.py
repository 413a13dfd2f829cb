"""The app saves after every step in a writer thread: that moment's state, a failure said once, none lost on quit."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from selfhelp.base import atomic
from selfhelp.session.store import SessionStore
from selfhelp.tui.config import UIConfig
from selfhelp.tui.screens.picker import FlowPickerScreen
from tests.tui.conftest import CPOR, at, conversation, pick

SUBSCRIPTION = "I get an error about the subscription"


class HeldDisk:
    """Stands in for ``write_atomic`` behind the writer: records the thread, can hold writes or fail them."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.threads: set[str] = set()
        self.fail: str | None = None
        self.real = atomic.write_atomic

    def __call__(self, path: Path, text: str) -> None:
        assert self.open.wait(10), "the test never let the write go on"
        self.threads.add(threading.current_thread().name)
        if self.fail:
            raise OSError(self.fail)
        self.real(path, text)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> HeldDisk:
    held = HeldDisk()
    monkeypatch.setattr(atomic, "write_atomic", held)
    return held


def saved_answers(store: SessionStore) -> list[str]:
    [summary] = store.list().sessions
    data = json.loads(summary.path.read_text())
    return [visit["answer"]["text"] for visit in data["history"] if visit["answer"]]


async def test_saves_are_written_by_the_writer_thread_with_the_latest_state(make_app, tmp_path, disk) -> None:
    store = SessionStore(tmp_path / "sessions")
    app = make_app(flow_id=CPOR, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        disk.open.clear()  # the disk is slow: the answers go on regardless
        await pick(pilot, SUBSCRIPTION)
        await pick(pilot, "Yes, it's a GUID")
        assert at(app) == "sub-product-on-tenant"  # the UI never waited for the disk
        disk.open.set()
        assert app.wait_for_saves(timeout=10)
        assert saved_answers(store) == [SUBSCRIPTION, "Yes, it's a GUID like that"]
        assert disk.threads == {"selfhelp-writer"}


async def test_quitting_waits_for_the_last_save(make_app, tmp_path, disk) -> None:
    store = SessionStore(tmp_path / "sessions")
    app = make_app(flow_id=CPOR, store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pick(pilot, SUBSCRIPTION)
        assert app.wait_for_saves(timeout=10)
        disk.open.clear()
        await pick(pilot, "Yes, it's a GUID")
        # Let the held write go on a little later, from another thread, while the app is closing.
        threading.Timer(0.2, disk.open.set).start()
    assert saved_answers(store) == [SUBSCRIPTION, "Yes, it's a GUID like that"]


async def test_a_failed_save_is_said_once_and_the_conversation_goes_on(make_app, tmp_path, disk) -> None:
    disk.fail = "disk full"
    app = make_app(flow_id=CPOR, store=SessionStore(tmp_path / "sessions"))
    said: list[str] = []
    app.notify = lambda message, **_: said.append(message)  # what the user is told
    async with app.run_test(size=(80, 24)) as pilot:
        await pick(pilot, SUBSCRIPTION)
        assert app.wait_for_saves(timeout=10)
        await pick(pilot, "Yes, it's a GUID")
        assert app.wait_for_saves(timeout=10)
        await pilot.pause()
        assert said == ["Could not save this session: disk full"]
        assert at(app) == "sub-product-on-tenant"
    assert app.save_problem is None  # told in the app: nothing left for the terminal


async def test_the_settings_are_read_behind_the_first_paint_and_applied_when_read(make_app) -> None:
    read = threading.Event()

    def settings() -> tuple[UIConfig, str | None]:
        read.set()
        return UIConfig(keymap={"back": "ctrl+z"}), "Settings file x ignored in part: an example"

    app = make_app(flow_id=CPOR, settings=settings)
    said: list[str] = []
    app.notify = lambda message, **_: said.append(message)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            if read.is_set() and app.config is not None:
                break
            await pilot.pause(0.01)
        assert app.config == UIConfig(keymap={"back": "ctrl+z"})
        assert said == ["Settings file x ignored in part: an example"]
        await pick(pilot, "Something else")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert at(app) == "what-happening"
        assert conversation(app).session is not None


async def test_the_settings_are_read_on_a_start_at_the_flow_picker_too(make_app, two_flows) -> None:
    app = make_app(catalog=two_flows, settings=lambda: (UIConfig(keymap={"help": "f9"}), None))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            if app.config is not None:
                break
            await pilot.pause(0.01)
        assert isinstance(app.screen, FlowPickerScreen)
        assert app.config == UIConfig(keymap={"help": "f9"})


async def test_a_session_open_in_another_selfhelp_is_not_overwritten_and_the_app_says_so(
    make_app, handoff_catalog, handoff_flow, store
) -> None:
    from selfhelp.session.engine import Session
    from tests.test_store_safety import Holder
    from tests.tui.conftest import toasts

    session = Session(handoff_flow)
    assert session.choose(1).ok  # "Something else": the name question is next
    store.save(session)
    store.release(session.id)
    holder = Holder(store.folder, session.id)  # another selfhelp resumes it and keeps it open
    try:
        before = store.path_for(session.id).read_bytes()
        mine, _ = SessionStore(store.folder).resume(session.id, handoff_catalog)
        app = make_app(catalog=handoff_catalog, session=mine, store=store, config=UIConfig())
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            app.query_one("#answer-input").value = "Grace"
            await pilot.press("enter")
            await pilot.pause()
            assert app.wait_for_saves(timeout=10)
            await pilot.pause()
            assert conversation(app).session.values["customer_name"] == "Grace"  # the app goes on
            [told] = toasts(app)
            assert told.startswith("Could not save this session: this session (")
            assert "is open in another selfhelp" in told
        assert store.path_for(session.id).read_bytes() == before  # the other selfhelp's file is untouched
    finally:
        holder.stop()
