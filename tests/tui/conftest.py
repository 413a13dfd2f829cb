"""Shared set-up of the app tests: the shipped catalog, an app factory, and Pilot helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rich.cells import cell_len
from textual.widgets import OptionList

from selfhelp.flow.catalog import Catalog, FlowSource, flow_sources, load_catalog
from selfhelp.flow.models import Flow
from selfhelp.matcher.results import MatchCandidate, MatchResult
from selfhelp.session.store import SessionStore
from selfhelp.tui.app import SelfHelpApp
from selfhelp.tui.screens.conversation import ConversationScreen

HERE = Path(__file__).parent
CPOR = "cpor-customer-association"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
SVG = "{http://www.w3.org/2000/svg}"


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


@pytest.fixture
def app(make_app: Callable[..., SelfHelpApp]) -> SelfHelpApp:
    """The app at the first question of the CPOR flow, where a partner starts (saving under ``tmp_path``)."""
    return make_app(flow_id=CPOR)


class TwoCauses:
    """A matcher that always finds the message ambiguous between two subscription causes."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        found = [
            MatchCandidate(flow=flow.id, node=n, title=flow.nodes[n].title or n, score=70.0, pattern="p")
            for n in ("subscription-not-dynamics", "subscription-is-csp")
        ]
        return MatchResult(query=text, verdict="ambiguous", matches=found)


def screen_text(app: SelfHelpApp) -> str:
    """What the terminal shows, as plain text (no colours): what a person reads.

    Read back from ``App.export_screenshot``, the SVG a user would save: every run of text in it sits on
    one terminal line (its clip path names the line) at a column its ``x`` gives in character widths.
    """
    width, height = app.size
    svg = ElementTree.fromstring(app.export_screenshot(simplify=True))
    # Each line's clip rectangle is exactly the terminal's width: it gives the width of one character.
    line_clip = next(c for c in svg.iter(f"{SVG}clipPath") if re.search(r"-line-\d+$", c.get("id", "")))
    char_width = float(line_clip.find(f"{SVG}rect").get("width")) / width
    runs: dict[int, list[tuple[int, str]]] = {}
    for run in svg.iter(f"{SVG}text"):
        clip = re.fullmatch(r"url\(#.+-line-(\d+)\)", run.get("clip-path", ""))
        if clip is None:
            continue  # the window title, not the terminal
        column = round(float(run.get("x")) / char_width)
        runs.setdefault(int(clip[1]), []).append((column, (run.text or "").replace("\xa0", " ")))
    lines = []
    for y in range(height):
        line = ""
        for column, text in sorted(runs.get(y, [])):
            line += " " * (column - cell_len(line)) + text
        lines.append(line.rstrip())
    return "\n".join(lines)


def toasts(app: SelfHelpApp) -> list[str]:
    """The notifications on screen, each as its toast reads (before the toast wraps it to its width).

    ``App.run_test`` shows no toasts unless it is called with ``notifications=True``.
    """
    # ``Toast`` is the documented CSS type of a notification's widget; Textual does not export the class.
    return [str(toast.render()) for toast in app.screen.query("Toast")]


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
    """Pick an outcome's action (copy, save, start again, ...) by the number shown in front of it."""
    screen = conversation(pilot.app)
    shown = choices_shown(screen)
    numbers = [m[1] for text in shown if (m := re.match(rf"(\d)\. {re.escape(label)}", text))]
    assert len(numbers) == 1, f"{label!r} not (uniquely) among {shown}"
    screen.query_one("#choices").focus()
    await pilot.press(numbers[0])
    await pilot.pause()


def choices_shown(screen: ConversationScreen) -> list[str]:
    """The options of the choice list as the user reads them, numbers included (``"1. Copy ..."``)."""
    choices = screen.query_one("#choices", OptionList)
    assert choices.display, "the step shows no choices"
    return [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]


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


async def settle_until(pilot, done: Callable[[], bool], *, rounds: int = 50) -> None:
    """Let the app run until ``done()`` holds, a bounded number of short pauses (a loaded machine is slow)."""
    for _ in range(rounds):
        if done():
            return
        await pilot.pause(0.05)
    assert done(), "the app never got there"
