"""The selfhelp app: a flow picker, then a conversation (with the agent's flow map on demand).

Start-up: given a cached first screen (``preview``, see :mod:`selfhelp.tui.first_paint`)
and a ``loader``, the app paints the first question at once and loads the flows
in a thread behind it; the conversation takes the real session when it is ready.
Nothing here imports pydantic, the engine or the catalog before the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from selfhelp.tui.commands import SelfHelpCommands
from selfhelp.tui.config import UIConfig, config_path, load_config
from selfhelp.tui.screens.conversation import ConversationScreen

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog
    from selfhelp.session.engine import Session
    from selfhelp.session.store import SessionStore
    from selfhelp.tui.first_paint import FirstScreen

#: The worker group of the load behind a cached first screen.
LOAD_GROUP = "load-catalog"


@dataclass
class Loaded:
    """What the load behind a cached first screen found."""

    catalog: Catalog
    flow_id: str | None
    """The flow to open (``None``: several flows now, so the picker)."""
    warnings: list[str] = field(default_factory=list)
    """Lines about unusable flow files not already printed before the app started."""


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
        catalog: Catalog | None,
        *,
        flow_id: str | None = None,
        agent: bool = False,
        session: Session | None = None,
        notice: str | None = None,
        store: SessionStore | Callable[[], SessionStore] | None = None,
        config: UIConfig | None = None,
        config_problem: str | None = None,
        summaries_dir: Path | None = None,
        preview: FirstScreen | None = None,
        loader: Callable[[], Loaded] | None = None,
    ) -> None:
        super().__init__()
        if catalog is None and (preview is None or loader is None):
            raise ValueError("without a catalog, the app needs a preview to paint and a loader to load it")
        self.catalog = catalog
        """Every flow; ``None`` while it loads behind a cached first screen."""
        self.flow_id = flow_id
        self.agent = agent
        self.session = session
        self.notice = notice
        self._store = store
        self.config = config or UIConfig()
        self.config_problem = config_problem
        self.summaries_dir = summaries_dir
        """Where case summaries are saved (``None``: the data folder's ``summaries/``)."""
        self.on_first_step: Callable[[], None] | None = None
        """Called once, when the first step is on screen (the start-up benchmark uses it)."""
        self._save_failed = False
        self._saved_ids: set[str] = set()
        self.preview = preview
        self._loader = loader
        self.load_error: BaseException | None = None
        """Why the load behind the first screen failed; ``run_app`` raises it once the app has closed."""
        self._waiting: ConversationScreen | None = None
        self._after_load: list[Callable[[], None]] = []

    @property
    def store(self) -> SessionStore | None:
        """Where sessions are saved after every step (``None``: not saved, as in some tests).

        Given as a factory, it is made when first needed: the store module loads
        pydantic, which the first paint does without.
        """
        if callable(self._store):
            self._store = self._store()
        return self._store

    def get_default_screen(self) -> Screen:
        if self.catalog is None and self.preview is not None:
            self._waiting = ConversationScreen(None, preview=self.preview)
            return self._waiting
        from selfhelp.session.engine import Session

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
        if self.catalog is None:
            self._after_load.append(lambda: self.open_flow(flow_id, jump_to=jump_to, agent=agent))
            return
        from selfhelp.session.engine import Session

        loaded = self.catalog.get(flow_id)
        if loaded is None:
            self.notify(f"No flow {flow_id!r}.", severity="error", markup=False)
            return
        current = self.screen
        use_agent = agent if agent is not None else getattr(current, "agent", self.agent)
        from selfhelp.tui.screens.picker import FlowPickerScreen

        screen = ConversationScreen(Session(loaded.flow), agent=use_agent, jump_to=jump_to)
        self._replace_top(screen, replace=isinstance(current, (ConversationScreen, FlowPickerScreen)))

    def action_pick_flow(self) -> None:
        """Go to the flow picker."""
        from selfhelp.tui.screens.picker import FlowPickerScreen

        if self.catalog is None:
            self._after_load.append(self.action_pick_flow)
            return
        self._replace_top(FlowPickerScreen(self.catalog))

    def _replace_top(self, screen: Screen, *, replace: bool = True) -> None:
        """Show ``screen`` in place of the top one, or over it when it is the first screen.

        Textual cannot switch away from the first screen (it has no result
        callback to drop), so the first conversation or picker stays below.
        """
        if replace and len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

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
        """A step's text is laid out, on screen at the next paint; the first time, tell whoever waits for it."""
        callback, self.on_first_step = self.on_first_step, None
        if callback is not None:
            self.call_after_refresh(callback)
        if self._loader is not None:
            # The first question is painted: only now load the flows, so that loading never delays it.
            self.call_after_refresh(self._load_behind)

    # --- loading behind a cached first screen ---------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOAD_GROUP)
    def _load_behind(self) -> tuple[Loaded, Session | None]:
        """Load the catalog and start the session, off the UI thread."""
        loader, self._loader = self._loader, None
        assert loader is not None
        loaded = loader()
        if loaded.flow_id is None:
            return loaded, None
        from selfhelp.session.engine import Session

        return loaded, Session(loaded.catalog.flows[loaded.flow_id].flow)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != LOAD_GROUP:
            return
        if event.state is WorkerState.ERROR:
            # As a start without the cache would: no app, the error on the terminal (run_app raises it).
            self.load_error = event.worker.error
            self.exit(return_code=2)
        elif event.state is WorkerState.SUCCESS:
            loaded, session = event.worker.result  # type: ignore[misc]
            self._loaded(loaded, session)

    def _loaded(self, loaded: Loaded, session: Session | None) -> None:
        self.catalog = loaded.catalog
        for line in loaded.warnings:
            self.notify(line, severity="warning", markup=False, timeout=10)
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            if session is not None:
                waiting.attach(session)
            else:
                # Several flows now where there was one: the picker, as a start without the cache shows.
                while self.screen is not waiting and len(self.screen_stack) > 1:
                    self.pop_screen()  # help or the palette, opened over the first screen
                self.action_pick_flow()
        pending, self._after_load = self._after_load, []
        for callback in pending:
            callback()

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
    catalog: Catalog | None,
    flow_id: str | None = None,
    agent: bool = False,
    session: Session | None = None,
    notice: str | None = None,
    preview: FirstScreen | None = None,
    loader: Callable[[], Loaded] | None = None,
) -> int:
    """Run the app in the terminal until the user quits; returns the exit status.

    With ``preview`` and ``loader`` (and no catalog), the first screen is painted
    from the cache and ``loader`` runs behind it; if it raises, the error is
    raised again here, once the terminal is back to normal.
    """
    config, problem = load_config()
    app = SelfHelpApp(
        catalog,
        flow_id=flow_id,
        agent=agent,
        session=session,
        notice=notice,
        store=_session_store,
        config=config,
        config_problem=problem,
        preview=preview,
        loader=loader,
    )
    result = app.run()
    if app.load_error is not None:
        raise app.load_error
    return result or 0


def _session_store() -> SessionStore:
    from selfhelp.session.store import SessionStore

    return SessionStore()
