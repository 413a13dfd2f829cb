"""The command palette (Ctrl+P): open any flow, or run any action of the screen on show."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: Palette entries for actions: (title, help, action run on the screen, or app.* on the app).
ACTIONS: list[tuple[str, str, str]] = [
    ("Back", "Undo the last answer", "back"),
    ("Start again", "Restart the flow from its first question", "restart"),
    ("Flow map", "Show or hide the agent's map of the flow", "toggle_agent"),
    ("Search flows", "Find a step or an error message in every flow", "search"),
    ("Add a note", "A note for the case summary", "note"),
    ("Copy the case summary", "Copy it to the clipboard as plain text", "copy_summary"),
    ("Save the case summary", "Write it as Markdown and JSON", "save_summary"),
    ("Choose another topic", "Go to the flow picker", "app.pick_flow"),
    ("Insights", "What saved sessions show: outcomes, drop-off, unmatched pastes", "app.insights"),
    ("Help: keys", "Every key and its binding id", "app.help"),
]


class SelfHelpCommands(Provider):
    """Flows and actions for the command palette."""

    def _entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        entries: list[tuple[str, str, Callable[[], object]]] = []
        catalog = getattr(app, "catalog", None)
        if catalog is not None:
            for flow_id, loaded in sorted(catalog.flows.items()):
                entries.append(
                    (f"Open flow: {loaded.flow.title}", f"Start {flow_id}", partial(app.open_flow, flow_id))  # type: ignore[attr-defined]
                )
        screen = self.screen
        for title, help_text, action in ACTIONS:
            # Only what can run now: an action hidden (False) or disabled (None, as while the flows load) is left out.
            if action.startswith("app."):
                if app.check_action(action.removeprefix("app."), ()):
                    entries.append((title, help_text, partial(app.run_action, action.removeprefix("app."))))
            elif hasattr(screen, f"action_{action}") and screen.check_action(action, ()):
                entries.append((title, help_text, partial(screen.run_action, action)))
        return entries

    async def discover(self) -> Hits:
        for title, help_text, command in self._entries():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
