"""The selfhelp app: a flow picker, then a conversation (with the agent's flow map on demand)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from selfhelp.catalog import Catalog
from selfhelp.engine import Session
from selfhelp.tui.commands import SelfHelpCommands
from selfhelp.tui.config import UIConfig, config_path, load_config
from selfhelp.tui.screens.conversation import ConversationScreen

if TYPE_CHECKING:
    from selfhelp.store import SessionStore


class SelfHelpApp(App[int]):
    """Walk a troubleshooting flow as a conversation."""

    CSS_PATH = "app.tcss"
    TITLE = "selfhelp"
    COMMANDS = App.COMMANDS | {SelfHelpCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit (your session is saved)"),
        Binding("f1", "help", "Help", id="help", tooltip="This list of keys"),
    ]

    def __init__(
        self,
        catalog: Catalog,
        *,
        flow_id: str | None = None,
        agent: bool = False,
        session: Session | None = None,
        notice: str | None = None,
        store: SessionStore | None = None,
        config: UIConfig | None = None,
        config_problem: str | None = None,
        summaries_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.flow_id = flow_id
        self.agent = agent
        self.session = session
        self.notice = notice
        self.store = store
        """Where sessions are saved after every step (``None``: not saved, as in some tests)."""
        self.config = config or UIConfig()
        self.config_problem = config_problem
        self.summaries_dir = summaries_dir
        """Where case summaries are saved (``None``: the data folder's ``summaries/``)."""
        self.on_first_step: Callable[[], None] | None = None
        """Called once, when the first step is on screen (the start-up benchmark uses it)."""
        self._save_failed = False
        self._saved_ids: set[str] = set()

    def get_default_screen(self) -> Screen:
        if self.session is not None:
            return ConversationScreen(self.session, agent=self.agent, notice=self.notice)
        flow_id = self.flow_id
        if flow_id is None and len(self.catalog.flows) == 1:
            flow_id = next(iter(self.catalog.flows))
        if flow_id is not None:
            return ConversationScreen(Session(self.catalog.flows[flow_id].flow), agent=self.agent, notice=self.notice)
        from selfhelp.tui.screens.picker import FlowPickerScreen

        return FlowPickerScreen(self.catalog)

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.config_problem:
            self.notify(self.config_problem, severity="warning", markup=False, timeout=10)

    # --- what screens ask of the app ------------------------------------------------------

    def open_flow(self, flow_id: str, *, jump_to: str | None = None, agent: bool | None = None) -> None:
        """Start a new session on ``flow_id`` (replacing the conversation on screen)."""
        loaded = self.catalog.get(flow_id)
        if loaded is None:
            self.notify(f"No flow {flow_id!r}.", severity="error", markup=False)
            return
        current = self.screen
        use_agent = agent if agent is not None else getattr(current, "agent", self.agent)
        screen = ConversationScreen(Session(loaded.flow), agent=use_agent, jump_to=jump_to)
        if isinstance(current, ConversationScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_pick_flow(self) -> None:
        """Go to the flow picker."""
        from selfhelp.tui.screens.picker import FlowPickerScreen

        self.switch_screen(FlowPickerScreen(self.catalog))

    def save(self, session: Session) -> None:
        """Save the session after a step; a failure is said once and never stops the conversation."""
        if self.store is None:
            return
        if not self._save_needed(session):
            return
        try:
            self.store.save(session)
            self._saved_ids.add(session.id)
        except OSError as exc:
            if not self._save_failed:
                self._save_failed = True
                self.notify(f"Could not save this session: {exc}", severity="warning", markup=False)

    def _save_needed(self, session: Session) -> bool:
        """A session still at its first step with nothing in it is not worth a file (and start-up stays fast)."""
        if len(session.history) > 1 or session.state.notes or session.current.pending is not None:
            return True
        return session.id in self._saved_ids or (self.store is not None and self.store.path_for(session.id).exists())

    def step_shown(self) -> None:
        """A step is on screen; the first time, tell whoever waits for it."""
        callback, self.on_first_step = self.on_first_step, None
        if callback is not None:
            self.call_after_refresh(callback)

    # --- actions ------------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key (F1)."""
        from selfhelp.tui.screens.modals import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.key_rows(), str(config_path())))

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, binding id) for the app's and the current screen's bindings, remaps applied."""
        grouped: dict[tuple[int, str], tuple[list[str], str, str]] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if active.node not in (self, self.screen) or not binding.description:
                continue
            what = binding.tooltip or binding.description
            slot = grouped.setdefault((id(active.node), binding.action), ([], what, binding.id or ""))
            display = self.get_key_display(binding.with_key(key))
            if display not in slot[0]:
                slot[0].append(display)
        return [(", ".join(keys), description, bid) for keys, description, bid in grouped.values()]


def run_app(
    catalog: Catalog,
    flow_id: str | None = None,
    agent: bool = False,
    session: Session | None = None,
    notice: str | None = None,
) -> int:
    """Run the app in the terminal until the user quits; returns the exit status."""
    from selfhelp.store import SessionStore

    config, problem = load_config()
    app = SelfHelpApp(
        catalog,
        flow_id=flow_id,
        agent=agent,
        session=session,
        notice=notice,
        store=SessionStore(),
        config=config,
        config_problem=problem,
    )
    result = app.run()
    return result or 0
