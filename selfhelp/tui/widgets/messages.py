"""The messages of the conversation: the assistant's steps, the user's answers, and notices."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Markdown, Static

from selfhelp.base.text import shown


class StepMessage(Markdown):
    """One step of the flow as the assistant says it (flow Markdown, never markup)."""

    DEFAULT_CSS = """
    StepMessage {
        margin: 1 1 0 0;
        padding: 0 1;
        border-left: thick $primary;
        background: $boost;
    }
    StepMessage > *:first-child { margin-top: 0; }
    StepMessage > *:last-child { margin-bottom: 0; }
    StepMessage.outcome { border-left: thick $success; }
    StepMessage.outcome-contact_support { border-left: thick $warning; }
    """


class LeadMessage(Static):
    """Plain text after a bold lead (who said it, or a symbol), shown exactly as given."""

    DEFAULT_CSS = """
    LeadMessage {
        margin: 1 1 0 0;
        padding: 0 1;
    }
    """

    def __init__(self, lead: str, text: str, *, classes: str = "") -> None:
        super().__init__(Content.assemble((lead, "bold"), shown(text)), classes=classes)
        self.text = shown(text)
        """The text as shown (for tests and copy)."""


class UserMessage(LeadMessage):
    """What the user answered: shown exactly as given."""

    DEFAULT_CSS = """
    UserMessage {
        margin: 1 0 0 6;
        border-right: thick $accent;
        background: $accent 10%;
        text-align: right;
    }
    UserMessage.-multiline { text-align: left; }
    """

    def __init__(self, text: str, *, who: str = "You") -> None:
        multiline = "\n" in text.strip()
        super().__init__(f"{who}:" + ("\n" if multiline else " "), text, classes="-multiline" if multiline else "")

    @property
    def answer(self) -> str:
        """The answer as shown (for tests and copy)."""
        return self.text


class NoticeMessage(LeadMessage):
    """A remark from the app itself: a match verdict, an undone answer, a restart, a saved file."""

    DEFAULT_CSS = """
    NoticeMessage { color: $text-muted; }
    NoticeMessage.-warning { color: $text-warning; }
    NoticeMessage.-note { color: $text; border-left: outer $secondary; }
    """

    def __init__(self, symbol: str, text: str, *, variant: str = "") -> None:
        super().__init__(f"{symbol} ", text, classes=f"-{variant}" if variant else "")
