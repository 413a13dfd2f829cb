"""The choice list: arrows and Enter, mouse clicks, the number keys 1-9, or (in a long list) a few letters."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Key
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from selfhelp.base.text import shown


class ChoiceList(OptionList):
    """An option list whose options are numbered and can be picked with their number."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(n), f"pick({n - 1})", f"Pick choice {n}", show=False, id=f"pick-{n}") for n in range(1, 10)
    ]

    DEFAULT_CSS = """
    ChoiceList { height: auto; max-height: 12; border: none; border-left: tall $border-blurred; padding: 0; }
    ChoiceList:focus { border: none; border-left: tall $border; }
    """

    #: From this many choices, typed letters find a choice (fewer: every one has its number key).
    FIND_FROM = 10

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._labels: list[str] = []
        self.finding = ""
        """The letters typed so far to find a choice in a long list."""

    def show_choices(self, labels: list[str], *, earlier: str | None = None) -> None:
        """Replace the options by ``labels``, numbered; the earlier answer (after going back) is marked."""
        self._labels = labels
        self.finding = ""
        options = []
        highlight = 0
        for i, label in enumerate(labels):
            prompt = Content.assemble((f"{i + 1}. " if i < 9 else "   ", "bold"), shown(label))
            if earlier is not None and label == earlier:
                prompt = Content.assemble(prompt, ("  ← your earlier answer", "italic"))
                highlight = i
            options.append(Option(prompt, id=f"choice-{i}"))
        self.set_options(options)
        self.highlighted = highlight if options else None

    def action_pick(self, index: int) -> None:
        """Pick the ``index``-th option, as Enter would."""
        if 0 <= index < self.option_count:
            self.highlighted = index
            self.action_select()

    def on_key(self, event: Key) -> None:
        """In a long list, letters move to the first choice containing what was typed (Backspace takes one back)."""
        if len(self._labels) < self.FIND_FROM:
            return
        if event.key == "backspace" and self.finding:
            self._find(self.finding[:-1])
        elif event.is_printable and event.character and not event.character.isdigit():
            if event.character == " " and not self.finding:
                return
            # A letter that fits nothing after the ones typed starts a new search: typing on never gets stuck.
            if not self._find(self.finding + event.character):
                self._find(event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def _find(self, text: str) -> bool:
        """Highlight the first choice starting with ``text``, else the first containing it; ``False`` if none."""
        wanted = text.casefold()
        folded = [label.casefold() for label in self._labels]
        index = next((i for i, f in enumerate(folded) if f.startswith(wanted)), None)
        if index is None:
            index = next((i for i, f in enumerate(folded) if wanted in f), None)
        if index is None:
            return False
        self.finding = text
        self.highlighted = index
        return True
