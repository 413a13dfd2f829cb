"""The cold start: no usable first-paint cache, so the requested flow is loaded alone, painted, and the rest behind it.

Another flow file of the catalog is held back by a gate (checking it waits for
the test): the first question must be on screen, and answerable, before that
file has been read at all. Its problems are then told as a start that loads
every flow first tells them. Starts that cannot paint that way (no flow named,
a broken or unknown flow) load everything first and say what they always said.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from textual.app import App

from selfhelp.cli import main
from selfhelp.flow import validate
from selfhelp.flow.catalog import Catalog
from selfhelp.flow.validate import FileReport
from selfhelp.tui import app as tui_app
from selfhelp.tui.app import SelfHelpApp
from selfhelp.tui.widgets.messages import UserMessage
from tests.tui.conftest import CPOR, at, conversation, screen_text, toasts

HERE = Path(__file__).parent
SECOND = HERE / "flows" / "second.yaml"
BROKEN = HERE.parent / "bad_flows" / "dangling-target.yaml"
SHIPPED = ["cpor-claim-status", "cpor-create-claim", "cpor-customer-association", "pal-partner-admin-link"]


class SlowFile:
    """``validate.check_file``, waiting for the test before it checks ``slow.yaml``."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self._real = validate.check_file

    def __call__(self, path: Path, **kwargs: object) -> FileReport:
        if path.name == "slow.yaml":
            self.reached.set()
            assert self.release.wait(10), "slow.yaml was checked before the first paint"
        return self._real(path, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``--flows`` folder with a broken flow and a slow one; an empty cache (a cold start)."""
    monkeypatch.setenv("SELFHELP_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "more"
    folder.mkdir()
    shutil.copy(BROKEN, folder / "broken.yaml")
    shutil.copy(SECOND, folder / "slow.yaml")
    return folder


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> SlowFile:
    gate = SlowFile()
    monkeypatch.setattr(validate, "check_file", gate)
    return gate


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Catalog | None, dict]]:
    """What ``run_app`` was called with (it opens nothing)."""
    calls: list[tuple[Catalog | None, dict]] = []

    def fake_run_app(catalog: Catalog | None, **kw: object) -> int:
        calls.append((catalog, kw))
        return 0

    monkeypatch.setattr(tui_app, "run_app", fake_run_app)
    return calls


def skipped_line(folder: Path) -> str:
    broken = folder / "broken.yaml"
    return (
        f"selfhelp: skipped {broken}: {broken}:14:15: error dangling-target node 'ask' leads to 'dnoe', "
        "which does not exist"
    )


class Opened(Exception):
    """Raised by the stand-in ``run_app``: the test runs the app itself, from what it was given."""

    def __init__(self, catalog: Catalog | None, kw: dict) -> None:
        super().__init__("opened")
        self.catalog, self.kw = catalog, kw


def open_instead(catalog: Catalog | None, **kw: object) -> int:
    raise Opened(catalog, kw)


async def test_the_first_question_is_painted_and_answered_before_another_flow_file_is_read(
    make_app, more: Path, slow: SlowFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tui_app, "run_app", open_instead)
    with pytest.raises(Opened) as opened:
        main(["--flows", str(more), "run", CPOR])
    catalog, kw = opened.value.catalog, opened.value.kw
    assert catalog is None and kw["preview"].flow_id == CPOR and not slow.reached.is_set()
    app = make_app(catalog=None, flow_id=kw["flow_id"], preview=kw["preview"], loader=kw["loader"])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for _ in range(500):  # the load behind the paint starts, and waits at the slow file
            if slow.reached.is_set():
                break
            await pilot.pause(0.01)
        assert slow.reached.is_set()
        screen = conversation(app)
        assert screen.session is None and app.catalog is None
        painted = screen_text(app)
        assert "What is happening with your CPOR claim?" in painted
        assert "2. I get an error about the subscription" in painted
        await pilot.press("2")  # answered before the catalog is there: held
        await pilot.pause()
        assert "One moment: opening the flow…" in screen_text(app)
        slow.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert at(app) == "sub-is-guid"
        assert [m.answer for m in screen.query(UserMessage)] == ["I get an error about the subscription"]
        assert app.catalog is not None and sorted(app.catalog.flows) == [*SHIPPED, "tui-second"]
        # The broken file is told in the app, and printed when it closes (see the next test).
        assert app.load_warnings == [skipped_line(more)]
        assert any("skipped" in toast and "broken.yaml" in toast for toast in toasts(app))
        await pilot.press("escape")  # and the session is the real one: back works
        await pilot.pause()
        assert at(app) == "what-happening"


def test_a_cold_start_prints_the_same_lines_as_a_start_that_loads_first(
    more: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: on the terminal before the app opened. Now: once it has closed (the same line)."""

    def run_until_loaded(self: SelfHelpApp, **kwargs: object) -> int | None:
        real_loaded = SelfHelpApp._loaded

        def loaded_then_quit(app: SelfHelpApp, *args: object) -> None:
            real_loaded(app, *args)
            app.exit()

        monkeypatch.setattr(SelfHelpApp, "_loaded", loaded_then_quit)
        if self.preview is None:  # everything loaded before the app: nothing to wait for
            self.on_first_step = self.exit
        return App.run(self, headless=True)

    monkeypatch.setattr(SelfHelpApp, "run", run_until_loaded)
    assert main(["--flows", str(more), "run", CPOR]) == 0
    cold = capsys.readouterr()
    monkeypatch.setattr(tui_app, "run_app", lambda catalog, **kw: 0)
    assert main(["--agent", "--flows", str(more), "run", CPOR]) == 0  # agent mode loads everything first
    loading_first = capsys.readouterr()
    assert cold.err.splitlines() == loading_first.err.splitlines() == [skipped_line(more)]
    assert cold.out == ""  # nothing answered: no session saved, nothing to resume


def test_without_a_flow_id_everything_is_loaded_first(more: Path, started: list) -> None:
    assert main(["--flows", str(more)]) == 0  # plain `selfhelp`: the picker
    [(catalog, kw)] = started
    assert isinstance(catalog, Catalog) and kw["flow_id"] is None and kw.get("preview") is None


def test_a_broken_flow_is_refused_before_anything_is_painted(
    more: Path, started: list, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--flows", str(more), "run", "dangling-target"]) == 2
    assert started == []
    err = capsys.readouterr().err.splitlines()
    assert err == [skipped_line(more), "selfhelp: error: no flow 'dangling-target'; see 'selfhelp list'"]


def test_an_unknown_flow_is_refused_with_a_suggestion(
    more: Path, started: list, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--flows", str(more), "run", "tui-secnd"]) == 2
    assert started == []
    err = capsys.readouterr().err.splitlines()
    assert err == [skipped_line(more), "selfhelp: error: no flow 'tui-secnd'; did you mean 'tui-second'?"]


def test_a_flow_that_starts_at_an_outcome_is_loaded_first(tmp_path: Path, more: Path, started: list) -> None:
    (more / "broken.yaml").unlink()
    (more / "done.yaml").write_text(
        "id: done-at-once\ntitle: Done\nversion: '1'\nstart: done\nnodes:\n  done: {kind: outcome, result: resolved}\n"
    )
    assert main(["--flows", str(more), "run", "done-at-once"]) == 0
    [(catalog, kw)] = started
    assert isinstance(catalog, Catalog) and kw.get("preview") is None  # its first screen is made from a session
