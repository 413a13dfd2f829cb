"""The flow picker: type to filter, then pick a flow with the arrows and Enter (or a click)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from selfhelp.base.text import fold, shown
from selfhelp.flow.catalog import Catalog

if TYPE_CHECKING:
    from selfhelp.tui.app import SelfHelpApp


class FlowPickerScreen(Screen[None]):
    """Every loaded flow, filtered by what is typed."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Content.assemble(("What do you need help with?", "bold")), id="picker-title")
            yield Input(placeholder="Type to filter the topics, ↓ to the list, Enter to open", id="filter")
            yield OptionList(id="flows")
        yield Footer()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#filter", Input).focus()

    def _fill(self, query: str) -> None:
        words = fold(query).split()
        self.shown = []
        options: list[Option | None] = []
        for flow_id, loaded in sorted(self.catalog.flows.items(), key=lambda kv: kv[1].flow.title.casefold()):
            flow = loaded.flow
            if not all(w in fold(f"{flow.id} {flow.title} {flow.description}") for w in words):
                continue
            self.shown.append(flow_id)
            prompt = Content.assemble((shown(flow.title), "bold"))
            if flow.description.strip():
                prompt = Content.assemble(prompt, "\n", (shown(" ".join(flow.description.split())), "dim"))
            if options:
                options.append(None)  # a separator line between topics
            options.append(Option(prompt, id=flow_id))
        flows = self.query_one("#flows", OptionList)
        flows.set_options(options)
        if not options:
            flows.add_option(Option(Content("No topic matches; clear the filter to see them all."), disabled=True))
        flows.highlighted = 0 if self.shown else None

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _open_first(self) -> None:
        if self.shown:
            self._open(self.shown[self.query_one("#flows", OptionList).highlighted or 0])

    def key_down(self, event: Key) -> None:
        """Down in the text box moves to the list (the list's own Down moves within it)."""
        if isinstance(self.focused, Input):
            event.stop()
            event.prevent_default()
            self.query_one("#flows", OptionList).focus()

    @on(OptionList.OptionSelected, "#flows")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._open(event.option.id)

    def _open(self, flow_id: str) -> None:
        app: SelfHelpApp = self.app  # type: ignore[assignment]
        app.open_flow(flow_id)
