"""Shared set-up of the app tests: the shipped catalog, an app factory, and Pilot helpers."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from selfhelp.flow.catalog import Catalog, FlowSource, flow_sources, load_catalog
from selfhelp.session.store import SessionStore
from selfhelp.tui.app import SelfHelpApp
from selfhelp.tui.screens.conversation import ConversationScreen

HERE = Path(__file__).parent
CPOR = "cpor-customer-association"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped flows only (the CPOR flow)."""
    return load_catalog(flow_sources(environ={}))


@pytest.fixture(scope="session")
def two_flows() -> Catalog:
    """The shipped flows and the small test flow: the picker shows both."""
    return load_catalog([*flow_sources(environ={}), FlowSource(HERE / "flows", "option")])


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's settings or writes into the user's data folder."""
    monkeypatch.setenv("SELFHELP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SELFHELP_CONFIG", str(tmp_path / "no-config.yaml"))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def make_app(catalog: Catalog, tmp_path: Path) -> Callable[..., SelfHelpApp]:
    """Build an app that saves sessions and summaries under ``tmp_path``."""

    def build(**kwargs: object) -> SelfHelpApp:
        kwargs.setdefault("store", SessionStore(tmp_path / "sessions"))
        kwargs.setdefault("summaries_dir", tmp_path / "summaries")
        cat = kwargs.pop("catalog", catalog)
        return SelfHelpApp(cat, **kwargs)  # type: ignore[arg-type]

    return build


def screen_text(app: SelfHelpApp) -> str:
    """What the terminal shows, as plain text (no colours): what a person reads."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    console.print(update)
    return "\n".join(line.rstrip() for line in console.export_text(styles=False).splitlines())


def conversation(app: SelfHelpApp) -> ConversationScreen:
    screen = app.screen
    assert isinstance(screen, ConversationScreen), f"expected the conversation, got {screen!r}"
    return screen


async def pick(pilot, label: str) -> None:
    """Pick the choice whose label starts with ``label`` by pressing its number, as a user would."""
    screen = conversation(pilot.app)
    labels = [c.label for c in screen.session.step().choices]
    matches = [i for i, text in enumerate(labels) if text.startswith(label)]
    assert len(matches) == 1, f"{label!r} not (uniquely) among {labels}"
    screen.query_one("#choices").focus()
    await pilot.press(str(matches[0] + 1))
    await pilot.pause()


async def pick_action(pilot, label: str) -> None:
    """Pick an outcome's action (copy, save, start again, ...) by its number."""
    screen = conversation(pilot.app)
    labels = [text for _, text in screen._outcome_actions]
    index = next(i for i, text in enumerate(labels) if text.startswith(label))
    screen.query_one("#choices").focus()
    await pilot.press(str(index + 1))
    await pilot.pause()


async def type_answer(pilot, text: str) -> None:
    """Type into the one-line answer box and press Enter."""
    screen = conversation(pilot.app)
    box = screen.query_one("#answer-input")
    assert box.display, "the step does not take typed text"
    box.focus()
    box.value = text  # typing each key through Pilot is slow; the keys themselves are tested elsewhere
    await pilot.press("enter")
    await pilot.pause()


async def paste(pilot, text: str) -> None:
    """Paste (bracketed paste, as a terminal sends it) into the paste box and press Enter."""
    from textual import events

    screen = conversation(pilot.app)
    area = screen.query_one("#paste")
    assert area.display, "the step does not take a pasted message"
    area.focus()
    area.clear()
    # A terminal's paste reaches the app, which forwards it to the focused widget.
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def at(app: SelfHelpApp) -> str:
    """The id of the current step."""
    return conversation(app).session.current.node
