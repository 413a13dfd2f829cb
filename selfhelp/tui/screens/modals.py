"""Screens shown over the conversation: help (F1), a note, and the search across flows."""

from __future__ import annotations

import time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from selfhelp.base.text import shown
from selfhelp.flow.catalog import Catalog
from selfhelp.tui.agent import SearchHit, search

#: Keys that belong to widgets rather than bindings, for the help screen.
WIDGET_KEYS: list[tuple[str, str]] = [
    ("↑ ↓ Enter", "move through the choices and pick one"),
    ("1 … 9", "pick a choice by its number"),
    ("Tab / Shift+Tab", "move between the answer box, the choices and the flow map"),
    ("Enter", "send a typed or pasted answer"),
    ("Shift+Enter, Ctrl+J", "start a new line in a pasted message"),
    ("Ctrl+P", "command palette: open a flow, run an action"),
]

#: Seconds the search waits after a keystroke: typing on cancels it, so only the query the user pauses at runs.
SEARCH_DELAY = 0.12


class HelpScreen(ModalScreen[None]):
    """Every key, with the binding id to remap it in the settings file."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close", id="close-help")]

    def __init__(self, rows: list[tuple[str, str, str]], config_path: str) -> None:
        super().__init__()
        self.rows = rows
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        lines: list[Content] = [Content.assemble(("Keys", "bold"), "   (binding id, for remapping, in ‹›)")]
        width = min(max(len(k) for k, _, _ in self.rows), 14)
        for keys, description, binding_id in self.rows:
            remap = f"  ‹{binding_id}›" if binding_id else ""
            lines.append(Content.assemble((f"{keys:<{width}}  ", "bold"), description, (remap, "italic")))
        lines.append(Content(""))
        for keys, description in WIDGET_KEYS:
            lines.append(Content.assemble((f"{keys}: ", "bold"), description))
        lines.append(Content(""))
        lines.append(Content(f"Remap keys by id in {shown(self.config_path)}, e.g.\nkeymap:\n  back: ctrl+z"))
        lines.append(Content.assemble(("Esc", "bold"), " closes this help."))
        with VerticalScroll(id="help-box"):
            yield Static(Content("\n").join(lines), id="help-text")


class NoteScreen(ModalScreen[str | None]):
    """A note for the case summary: Ctrl+S or the key shown keeps it, Escape closes it and keeps the draft."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", "Keep note", id="keep-note"),
        Binding("escape", "cancel", "Close (draft kept)", id="cancel-note"),
        # A terminal sends Ctrl+J as a line feed: in a note it means a new line, as in the paste box.
        Binding("ctrl+j", "new_line", "New line", show=False, id="note-new-line"),
    ]

    def __init__(self, draft: str = "") -> None:
        super().__init__()
        self.draft = draft
        """The text in the box when it was closed without keeping it (Esc): offered again next time."""

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(Content("Add a note for the case summary (Ctrl+S keeps it, Esc closes; a draft is kept)"))
            yield TextArea(self.draft, id="note-text", soft_wrap=True)

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.move_cursor(area.document.end)
        area.focus()

    def action_keep(self) -> None:
        self.dismiss(self.query_one("#note-text", TextArea).text)

    def action_cancel(self) -> None:
        self.draft = self.query_one("#note-text", TextArea).text
        self.dismiss(None)

    def action_new_line(self) -> None:
        self.query_one("#note-text", TextArea).insert("\n")


class FieldsScreen(ModalScreen[int | None]):
    """The support form's fields with their answers: the one picked is copied alone."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close", id="close-fields")]

    def __init__(self, fields: list[tuple[str, str | None, bool]]) -> None:
        super().__init__()
        self.fields = fields
        """(label, answer or ``None``, required) of each field, in the form's order."""

    def compose(self) -> ComposeResult:
        with Vertical(id="fields-box"):
            yield Static(Content("Pick a field to copy its answer (Enter), then paste it into that field. Esc closes."))
            yield OptionList(
                *(
                    Option(
                        Content.assemble(
                            (shown(label), "bold"),
                            "\n  ",
                            shown(value) if value else ("(missing: required)" if required else "(not given)", "italic"),
                        )
                    )
                    for label, value, required in self.fields
                ),
                id="field-list",
            )

    @on(OptionList.OptionSelected, "#field-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)


class SearchScreen(ModalScreen[SearchHit | None]):
    """Search the steps and error patterns of every flow; paste an error to be routed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close", id="close-search")]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.hits: list[SearchHit] = []
        """The results shown, for the query in :attr:`searched`."""
        self.searched = ""
        """The query whose results are shown."""

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Static(Content("Search every flow: words of a step, or paste an error message"))
            yield Input(placeholder="e.g. subscription, or The customer tenant ID and subdomain do not match")
            yield Static(id="search-status")
            yield OptionList(id="search-results")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    # A cross-flow match of a long paste takes milliseconds to tens of them: on the UI thread, every keystroke
    # would wait for it. Exclusive: a newer keystroke cancels the search still waiting.
    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str) -> None:
        time.sleep(SEARCH_DELAY)
        worker = get_current_worker()
        if worker.is_cancelled:
            return
        hits = search(self.catalog, query)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list[SearchHit]) -> None:
        """Show the results of ``query``, unless the box holds another query by now (or the search is closed:
        a search still running when Enter picked a result comes back to a screen that is gone)."""
        if not self.is_attached or self.app.screen is not self or query != self.query_one(Input).value:
            return
        self.hits, self.searched = hits, query
        results = self.query_one("#search-results", OptionList)
        results.set_options(
            Option(
                Content.assemble(
                    (shown(h.title), "bold"), f"  [{h.flow_id} › {h.node_id}, {h.kind}]  ", (shown(h.why), "italic")
                )
            )
            for h in self.hits
        )
        status = f"{len(self.hits)} found" if query.strip() else ""
        if query.strip() and not self.hits:
            status = "Nothing found"
        self.query_one("#search-status", Static).update(Content(status))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value != self.searched:
            # Enter before the search came back: the user asks for the answer now, so search here.
            self._show(event.value, search(self.catalog, event.value))
        if self.hits:
            results = self.query_one("#search-results", OptionList)
            self.dismiss(self.hits[results.highlighted or 0])

    def key_down(self, event: Key) -> None:
        """Down in the text box moves to the list, on its first result (the list's own Down moves within it)."""
        if isinstance(self.focused, Input):
            event.stop()
            event.prevent_default()
            results = self.query_one("#search-results", OptionList)
            if results.option_count and results.highlighted is None:
                results.highlighted = 0  # Enter then picks the first result, as the partner sees it marked
            results.focus()

    @on(OptionList.OptionSelected, "#search-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[event.option_index])
