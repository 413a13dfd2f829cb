"""The choice list: arrows and Enter, mouse clicks, or the number keys 1-9."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
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

    def show_choices(self, labels: list[str], *, earlier: str | None = None) -> None:
        """Replace the options by ``labels``, numbered; the earlier answer (after going back) is marked."""
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
