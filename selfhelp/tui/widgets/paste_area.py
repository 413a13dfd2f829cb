"""A text box for pasted error messages: a paste keeps its lines, Enter sends."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea

#: Keys that start a new line instead of sending (terminals differ in which they can tell apart).
NEWLINE_KEYS = frozenset({"shift+enter", "alt+enter", "ctrl+j"})


class PasteArea(TextArea):
    """A multi-line box that behaves like a chat input: Enter sends, Shift+Enter or Ctrl+J adds a line."""

    DEFAULT_CSS = """
    PasteArea { height: auto; min-height: 3; max-height: 8; }
    """

    @dataclass
    class Submitted(Message):
        """The user pressed Enter to send the text."""

        area: PasteArea
        value: str

        @property
        def control(self) -> PasteArea:
            return self.area

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)
