"""The selfhelp app: a flow picker, then a conversation (with the agent's flow map on demand).

Start-up: given a first screen (``preview``: cached, see :mod:`selfhelp.tui.first_paint`,
or made from the requested flow's file alone on a cold start) and a ``loader``, the
app paints the first question at once and loads the flows in a thread behind it;
the conversation takes the real session when it is ready.
Nothing here imports pydantic, the engine or the catalog before the first paint;
the settings file is read behind the first paint too (``settings``), and its keys
applied when it has been read.

Sessions are saved after every step by one writer thread (:class:`BackgroundWriter`):
the session's text is taken on the UI thread, the disk is waited on in the thread,
and quitting waits for the last save.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from selfhelp.base.atomic import BackgroundWriter
from selfhelp.tui.commands import SelfHelpCommands
from selfhelp.tui.screens.conversation import ConversationScreen

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog
    from selfhelp.session.engine import Route, Session
    from selfhelp.session.store import SessionStore
    from selfhelp.tui.config import UIConfig
    from selfhelp.tui.first_paint import FirstScreen

#: The worker group of the load behind a painted first screen.
LOAD_GROUP = "load-catalog"
#: The worker group of the settings file, read behind the first paint.
SETTINGS_GROUP = "read-settings"

#: Reads the settings file: the settings and a problem to tell the user (see :func:`selfhelp.tui.config.load_config`).
SettingsReader = Callable[[], "tuple[UIConfig, str | None]"]


@dataclass
class Loaded:
    """What the load behind a painted first screen found."""

    catalog: Catalog
    flow_id: str | None
    """The flow to open (``None``: several flows now, so the picker)."""
    warnings: list[str] = field(default_factory=list)
    """Lines about unusable flow files not already printed before the app started."""


class SaveFailed(Message):
    """A session could not be written (posted by the writer thread)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class SelfHelpApp(App[int]):
    """Walk a troubleshooting flow as a conversation."""

    CSS_PATH = "app.tcss"
    TITLE = "selfhelp"
    COMMANDS = App.COMMANDS | {SelfHelpCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit (your session is saved)"),
        Binding("f1", "help", "Help", id="help", tooltip="This list of keys"),
        Binding("f3", "insights", "Insights", id="insights", tooltip="What saved sessions show (agent mode)"),
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
        settings: SettingsReader | None = None,
        summaries_dir: Path | None = None,
        preview: FirstScreen | None = None,
        loader: Callable[[], Loaded] | None = None,
        after_paint: Callable[[], object] | None = None,
        online: bool = False,
    ) -> None:
        super().__init__()
        if catalog is None and (preview is None or loader is None):
            raise ValueError("without a catalog, the app needs a preview to paint and a loader to load it")
        self.catalog = catalog
        """Every flow; ``None`` while it loads behind a painted first screen."""
        self.flow_id = flow_id
        self.agent = agent
        self.session = session
        self.notice = notice
        self._store = store
        self.config = config
        """The settings given, or read by ``settings`` (``None``: the defaults, or not read yet)."""
        self.config_problem = config_problem
        self._settings = settings
        self.summaries_dir = summaries_dir
        """Where case summaries are saved (``None``: the data folder's ``summaries/``)."""
        self.on_first_step: Callable[[], None] | None = None
        """Called once, when the first step is on screen (the start-up benchmark uses it)."""
        self._writer = BackgroundWriter(on_error=lambda _path, error: self._save_error(error))
        self.save_problem: str | None = None
        """A failed save not yet told in the app (the app closed first): ``run_app`` prints it."""
        self._save_failed = False
        self._saved_ids: set[str] = set()
        self.saved_session: Session | None = None
        """The session saved last: ``run_app`` names it on quitting, with how to continue it."""
        self.preview = preview
        self._loader = loader
        self._after_paint = after_paint
        self.load_error: BaseException | None = None
        """Why the load behind the first screen failed; ``run_app`` raises it once the app has closed."""
        self.load_warnings: list[str] = []
        """The lines about unusable flow files the load behind the first screen found (told in the app as
        well): ``run_app`` prints them once the app has closed, where a start that loads first prints them."""
        self._waiting: ConversationScreen | None = None
        self.online = online
        """Whether ``--online`` was given: check steps may use the network without asking."""

    @property
    def checks_online(self) -> bool:
        """Whether check steps run without asking: ``--online``, or ``checks: online: true`` in the settings."""
        return self.online or (self.config is not None and self.config.checks_online)

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
        if self.session is not None:
            return ConversationScreen(self.session, agent=self.agent, notice=self.notice)
        flow_id = self.flow_id
        if flow_id is None and len(self.catalog.flows) == 1:
            flow_id = next(iter(self.catalog.flows))
        if flow_id is not None:
            return ConversationScreen(self.new_session(flow_id), agent=self.agent, notice=self.notice)
        from selfhelp.tui.screens.picker import FlowPickerScreen

        return FlowPickerScreen(self.catalog)

    def on_mount(self) -> None:
        if self.config is not None or self.config_problem:
            self._apply_settings(self.config, self.config_problem)
        if not isinstance(self.screen, ConversationScreen):
            # The flow picker: no step to wait for, so what waits for the first paint starts after this one.
            self.call_after_refresh(self._after_first_paint)

    def _apply_settings(self, config: UIConfig | None, problem: str | None) -> None:
        if config is not None and config.keymap:
            self.set_keymap(config.keymap)
        if problem:
            self.notify(problem, severity="warning", markup=False, timeout=10)

    # --- what screens ask of the app ------------------------------------------------------

    def open_flow(self, flow_id: str, *, jump_to: str | None = None, agent: bool | None = None) -> None:
        """Start a new session on ``flow_id`` (replacing the conversation on screen)."""
        # Flows are opened from the picker, the palette's flow list or a search: none is offered before the load.
        assert self.catalog is not None, "no flow can be opened before the flows are loaded"
        loaded = self.catalog.get(flow_id)
        if loaded is None:
            self.notify(f"No flow {flow_id!r}.", severity="error", markup=False)
            return
        current = self.screen
        use_agent = agent if agent is not None else getattr(current, "agent", self.agent)
        from selfhelp.tui.screens.picker import FlowPickerScreen

        screen = ConversationScreen(self.new_session(flow_id), agent=use_agent, jump_to=jump_to)
        self._replace_top(screen, replace=isinstance(current, (ConversationScreen, FlowPickerScreen)))

    def new_session(self, flow_id: str) -> Session:
        """A new session on a loaded flow, knowing the catalog's other flows (to route a paste that belongs there)."""
        assert self.catalog is not None, "sessions are made once the flows are loaded"
        return _session_in(self.catalog, flow_id)

    def follow(self, session: Session, route: Route) -> None:
        """Continue in another flow, in place: a session there carrying this one's message, answers and notes."""
        from selfhelp.session.engine import SessionMismatch

        try:
            routed = session.follow(route)
        except SessionMismatch as exc:  # a flow removed since; the conversation stays as it is
            self.notify(f"Could not open {route.flow_title}: {exc}.", severity="error", markup=False)
            return
        use_agent = getattr(self.screen, "agent", self.agent)
        self._replace_top(ConversationScreen(routed, agent=use_agent, notice=route.notice))
        # Also as a toast: the conversation shows the step it opens at, below the notice, on a small screen.
        self.notify(route.notice, markup=False, timeout=6)

    def action_pick_flow(self) -> None:
        """Go to the flow picker."""
        from selfhelp.tui.screens.picker import FlowPickerScreen

        assert self.catalog is not None, "disabled until the flows are loaded: see check_action"
        self._replace_top(FlowPickerScreen(self.catalog))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The flow picker needs the flows: disabled while they load behind a painted first screen."""
        if action == "pick_flow" and self.catalog is None:
            return None
        if action == "insights":  # for agents only, and it needs the flows
            if not getattr(self.screen, "agent", False):
                return False
            return None if self.catalog is None else True
        return True

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
        """Save the session after a step, in the writer thread; a failure is said once and never stops anything.

        The session's text is taken here, on the UI thread, so the thread writes
        the state as it is now, whatever the user does next.
        """
        store = self.store
        if store is None or not self._save_needed(session):
            return
        try:
            text = store.file_text(session)
        except OSError as exc:  # open in another selfhelp, or not writable as text: said like a failed write
            self._save_error(exc)
            return
        self._writer.write(store.path_for(session.id), text)
        self._saved_ids.add(session.id)
        self.saved_session = session

    def wait_for_saves(self, timeout: float | None = None) -> bool:
        """Block until every save asked so far is on disk (or failed); ``False`` if ``timeout`` ran out first."""
        return self._writer.wait(timeout)

    def _save_error(self, error: Exception) -> None:
        """In the writer thread: keep the first failure, and have the app tell it."""
        if self.save_problem is None and not self._save_failed:
            self.save_problem = f"Could not save this session: {error}"
            self.post_message(SaveFailed(error))

    @on(SaveFailed)
    def _tell_save_failed(self, message: SaveFailed) -> None:
        if self._save_failed or self.save_problem is None:
            return
        self._save_failed = True
        self.notify(self.save_problem, severity="warning", markup=False)
        self.save_problem = None  # told

    def on_unmount(self) -> None:
        """Quitting waits for the last save (a few milliseconds: one file, written once)."""
        self._writer.wait()

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
        self._after_first_paint()

    def _after_first_paint(self) -> None:
        """The first screen is painted: only now load the flows, read the settings and so on (once each),
        so that none of it delays the first paint."""
        loader, self._loader = self._loader, None
        if loader is not None:
            self.call_after_refresh(self._load_behind, loader)
        settings, self._settings = self._settings, None
        if settings is not None:
            self.call_after_refresh(self._read_settings, settings)
        job, self._after_paint = self._after_paint, None
        if job is not None:
            self.call_after_refresh(self._run_after_paint, job)

    # --- loading behind a painted first screen ---------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOAD_GROUP)
    def _load_behind(self, loader: Callable[[], Loaded]) -> tuple[Loaded, Session | None]:
        """Load the catalog and start the session, off the UI thread."""
        loaded = loader()
        if loaded.flow_id is None:
            return loaded, None
        return loaded, _session_in(loaded.catalog, loaded.flow_id)

    @work(thread=True, exit_on_error=False, group=SETTINGS_GROUP)
    def _read_settings(self, reader: SettingsReader) -> tuple[UIConfig, str | None]:
        """Read the settings file off the UI thread (it may load YAML, and whatever checks it)."""
        return reader()

    @work(thread=True, exit_on_error=False)
    def _run_after_paint(self, job: Callable[[], object]) -> None:
        job()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == SETTINGS_GROUP and event.state is WorkerState.SUCCESS:
            self.config, self.config_problem = event.worker.result  # type: ignore[misc]
            self._apply_settings(self.config, self.config_problem)
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
        self.load_warnings = list(loaded.warnings)
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

    # --- actions ------------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key (F1)."""
        from selfhelp.tui.screens.modals import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        from selfhelp.tui.config import config_path

        self.push_screen(HelpScreen(self.key_rows(), str(config_path())))

    def action_insights(self) -> None:
        """Show what the saved sessions show (F3, agent mode): outcomes, drop-off, unmatched pastes."""
        from selfhelp.tui.screens.insights import InsightsScreen

        assert self.catalog is not None, "disabled until the flows are loaded: see check_action"
        store = self.store
        if store is not None:
            folder = store.folder
        else:
            from selfhelp.session.store import SESSIONS_DIR, data_dir

            folder = data_dir() / SESSIONS_DIR
        flows = {flow_id: loaded.flow for flow_id, loaded in self.catalog.flows.items()}
        self.push_screen(InsightsScreen(folder, flows))

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
    after_paint: Callable[[], object] | None = None,
    online: bool = False,
) -> int:
    """Run the app in the terminal until the user quits; returns the exit status.

    With ``preview`` and ``loader`` (and no catalog), the first screen is painted
    from ``preview`` and ``loader`` runs behind it; if it raises, the error is
    raised again here, once the terminal is back to normal, and the lines about
    unusable flow files it found are printed here too. ``after_paint`` runs
    in a thread once the first step is painted (the command refreshes the
    first-paint cache there).
    """
    app = SelfHelpApp(
        catalog,
        flow_id=flow_id,
        agent=agent,
        session=session,
        notice=notice,
        store=_session_store,
        settings=_read_settings,
        preview=preview,
        loader=loader,
        after_paint=after_paint,
        online=online,
    )
    result = app.run()
    for line in app.load_warnings:
        print(line, file=sys.stderr)
    if app.save_problem is not None:  # the app closed before it could say so
        print(f"selfhelp: {app.save_problem}", file=sys.stderr)
    elif app.saved_session is not None:
        print(quit_hint(app.saved_session))
    if app.load_error is not None:
        raise app.load_error
    return result or 0


def _session_in(catalog: Catalog, flow_id: str) -> Session:
    """A new session on ``flow_id``, with every flow of the catalog to route to."""
    from selfhelp.session.engine import Session

    return Session(catalog.flows[flow_id].flow, catalog=[lf.flow for lf in catalog.flows.values()])


#: Session ids are shown cut to this length: 'resume' and 'summary' take any unique start of one.
SHORT_ID = 12


def quit_hint(session: Session) -> str:
    """What quitting prints: the session saved, and the command to continue it (or to print its summary)."""
    short = session.id[:SHORT_ID]
    if session.finished:
        return f"Session {short} saved. Print its case summary with: selfhelp summary {short}"
    return f"Session {short} saved. Continue it with: selfhelp resume {short}"


def _read_settings() -> tuple[UIConfig, str | None]:
    from selfhelp.tui.config import load_config  # behind the first paint: reading it may load YAML and more

    return load_config()


def _session_store() -> SessionStore:
    from selfhelp.session.store import SessionStore

    return SessionStore()
