"""The conversation: the flow's steps as messages, the user's answers below them, one answer box.

The screen is a thin layer over :class:`~selfhelp.session.engine.Session`: it shows
``session.step()`` and sends what the user does (choose, submit, back, restart,
add a note); every decision about where to go is the engine's.

At start-up the screen may open without a session, painting a cached first
screen (``preview``) while the app loads the flows. The user can already move
through the choices and type, and answer: the answer is held and given once
:meth:`ConversationScreen.attach` brings the session, the answer box waiting
(disabled) meanwhile, so no second answer can be aimed at a step about to change.
Every other action is disabled until then (:meth:`ConversationScreen.check_action`).

A check step's check (which may use the network) runs in a worker thread, never
on the UI thread: the screen asks the engine which check is due, runs it in a
worker, and hands the answer back to the engine when the worker is done, unless
the user has moved on meanwhile (the answer is then dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Markdown, OptionList, Static
from textual.worker import Worker, WorkerState

from selfhelp.base.text import md_escape, shown
from selfhelp.tui import render
from selfhelp.tui.first_paint import first_screen
from selfhelp.tui.text import literal
from selfhelp.tui.widgets.choices import ChoiceList
from selfhelp.tui.widgets.messages import NoticeMessage, StepMessage, UserMessage
from selfhelp.tui.widgets.paste_area import PasteArea

if TYPE_CHECKING:
    from selfhelp.checks import CheckOutcome
    from selfhelp.session.engine import Reply, Session, Visit
    from selfhelp.session.handoff import SavedSummary
    from selfhelp.session.step import StepView
    from selfhelp.tui.app import SelfHelpApp
    from selfhelp.tui.first_paint import FirstScreen

#: What an outcome offers instead of choices: (action, label).
COPY_FORM = ("copy_form", "Copy all the answers for the support request")
COPY_FIELD = ("copy_field", "Copy one answer at a time…")
COPY = ("copy_summary", "Copy the whole case summary")
SAVE = ("save_summary", "Save the case summary (Markdown and JSON)")
#: The actions that need a case summary worth handing over.
SUMMARY_ACTIONS = ("copy_form", "copy_field", "copy_summary", "save_summary")
GO_BACK = ("back", "Go back one step")
RESTART = ("restart", "Start again")
QUIT = ("app.quit", "Quit")
#: The worker group of a check step's check.
CHECK_GROUP = "check"


#: The answer area's largest share of the height (the CSS's ``#answer`` max-height), and the choice list's limits.
ANSWER_SHARE = 0.6
MAX_CHOICE_ROWS = 12
MIN_CHOICE_ROWS = 3


class HintLine(Static):
    """The hint above the answer box; it says when its height changes, so the choices can be fitted again."""

    class Resized(Message):
        """The hint was laid out at a new size (a step's hint may take one line or three)."""

    def on_resize(self, event: Resize) -> None:
        self.post_message(self.Resized())


class ConversationScreen(Screen[None]):
    """One session of one flow, as a chat."""

    AUTO_FOCUS = ""
    """Each step focuses its own answer widget; focusing another first would only redraw the footer twice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,alt+left", "back", "Back", id="back", tooltip="Undo the last answer"),
        Binding("ctrl+r", "restart", "Restart", id="restart", tooltip="Start again from the first question"),
        Binding("f2", "toggle_agent", "Map", id="agent", tooltip="Show or hide the flow map (agent mode)"),
        Binding("ctrl+f", "search", "Search", id="search", tooltip="Search steps and errors in every flow"),
        Binding("ctrl+n", "note", "Note", id="note", tooltip="Add a note to the case summary"),
        # Not in the footer: a support outcome offers both as choices, and a narrow footer must keep Quit and Help.
        Binding("ctrl+o", "copy_summary", "Copy", id="copy-summary", tooltip="Copy the case summary", show=False),
        Binding("ctrl+s", "save_summary", "Save", id="save-summary", tooltip="Save the case summary", show=False),
        Binding(
            "ctrl+up,ctrl+pageup",
            "scroll_conversation(-1)",
            "Scroll up",
            show=False,
            id="scroll-up",
            tooltip="Scroll the conversation up",
        ),
        Binding(
            "ctrl+down,ctrl+pagedown",
            "scroll_conversation(1)",
            "Scroll down",
            show=False,
            id="scroll-down",
            tooltip="Scroll the conversation down",
        ),
    ]

    def __init__(
        self,
        session: Session | None,
        *,
        agent: bool = False,
        notice: str | None = None,
        jump_to: str | None = None,
        preview: FirstScreen | None = None,
    ) -> None:
        super().__init__(classes="-agent" if agent else "")
        if session is None and preview is None:
            raise ValueError("a conversation needs a session, or a first screen to show until it has one")
        self.session: Session | None = session
        """The session shown; the screen never changes it except through its methods (``None`` until attached)."""
        self.preview = preview
        """The cached first screen painted while the session loads."""
        self._held: Callable[[], None] | None = None
        """An answer given on the cached first screen, given to the session once it is attached."""
        self._rendering: StepMessage | None = None
        self.notice = notice
        self.jump_to = jump_to
        self._answer_messages: list[UserMessage] = []
        self._outcome_actions: list[tuple[str, str]] = []
        self._tree_built = False
        self._checks: dict[Worker[CheckOutcome], Visit] = {}
        """Each running check's worker -> the visit of its step; its answer applies only while that is current."""
        self._saved_summary: SavedSummary | None = None
        """The files this run's case summary was saved to: saving again updates them, a new run never does."""
        self._note_draft = ""
        self._drafts: dict[str, str] = {}
        """Text typed in a step's answer box and left unsent by going back, by step id: offered there again."""
        self._offered = ""
        """What the step offers in its answer box (an earlier answer, a default, a prefill): never a draft."""
        self._choice_rows = MAX_CHOICE_ROWS
        self._fitted_size: Size | None = None
        """The terminal size the choices were last fitted to."""
        """The choice list's height limit now (it changes with the terminal's height)."""
        self._cue = ""
        """The cue under the choices now ("" when every choice is in sight)."""
        """A note typed and not kept (Esc): offered again the next time the note box opens."""

    @property
    def selfhelp(self) -> SelfHelpApp:
        return self.app  # type: ignore[return-value]

    @property
    def agent(self) -> bool:
        return self.has_class("-agent")

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="breadcrumb")
        with Horizontal(id="body"):
            with Vertical(id="agent-panel"):
                yield Static(Content("Flow map  ▶ here  ✓ path taken"), id="map-title")
                yield Static(id="notes")
            with Vertical(id="main"):
                with VerticalScroll(id="conversation", can_focus=False):
                    if self.preview is not None and self.session is None:
                        # Composed rather than mounted afterwards: one layout pass less before the first paint.
                        yield from self._preview_messages(self.preview)
                with Vertical(id="answer"):
                    yield HintLine(id="hint")
                    yield Input(id="answer-input")
                    yield PasteArea(id="paste", soft_wrap=True)
                    yield Static(id="error")
                    yield ChoiceList(id="choices")
                    yield Static(id="more")
        yield Footer()

    def on_mount(self) -> None:
        choices = self.query_one("#choices", ChoiceList)
        self.watch(choices, "scroll_y", self._show_more, init=False)
        self.watch(choices, "virtual_size", self._show_more, init=False)  # new choices, laid out
        if self.session is None:
            assert self.preview is not None
            self.conversation.anchor()
            self._set_up_answer(self.preview.step)
            self._refresh_chrome()
            return
        self._open_session()

    def _preview_messages(self, preview: FirstScreen) -> list[Widget]:
        """The intro and the first step of the cached first screen (a cached step is never an outcome)."""
        step = StepMessage(render.step_markdown(preview.step, agent=self.agent))
        self._rendering = step
        return [self._intro(preview.title, preview.description), step]

    def _open_session(self) -> None:
        assert self.session is not None
        self._prepare_matching(self.session)
        flow = self.session.flow
        self._say_intro(flow.title, flow.description)
        if self.notice:
            self._say(NoticeMessage("⚠", self.notice, variant="warning"))
        self._replay()
        if self.agent:
            self._build_tree()
        if self.jump_to:
            self._jump(self.jump_to)
        else:
            self._show_step()

    def _prepare_matching(self, session: Session) -> None:
        """Build the matcher's index in a worker thread while the user reads, so the first paste doesn't wait."""
        self.run_worker(session.prepare_matching, thread=True, group="prepare-matching", exit_on_error=False)

    def _say_intro(self, title: str, description: str) -> None:
        self._say(self._intro(title, description))

    def _intro(self, title: str, description: str) -> StepMessage:
        intro = f"**{md_escape(title)}**"
        if description.strip():
            intro += "\n\n" + shown(description).strip()
        return StepMessage(intro, classes="intro")

    # --- before the session: the cached first screen --------------------------------------

    def attach(self, session: Session) -> None:
        """Take the session the app loaded behind the cached first screen, and give it the answer held meanwhile.

        When the session's first screen is the one painted (the usual case), nothing
        on screen moves; otherwise (the flow changed since it was cached) the
        conversation is painted again from the session, and an answer given on the
        outdated screen is dropped, with a notice, rather than applied to other choices.
        """
        held, self._held = self._held, None
        same = first_screen(session.flow, session.step()) == self.preview
        self.session, self.preview = session, None
        self.query_one("#answer").disabled = False
        self.refresh_bindings()  # the actions disabled until now
        if same:
            self._prepare_matching(session)  # otherwise _open_session below does it
            if held is not None:
                held()
            else:
                self._refresh_chrome()
            return
        self.conversation.remove_children()
        self._answer_messages.clear()
        self._open_session()
        if held is not None:
            self.notify(
                "This flow changed since it was last opened: the first question is shown again as it is now.",
                severity="warning",
                markup=False,
            )

    def _hold(self, answer: Callable[[], None]) -> None:
        """Keep an answer given before the session is attached, for then; the answer box waits (disabled)."""
        self._held = answer
        self.query_one("#answer").disabled = True
        self.query_one("#hint", Static).update(Content("One moment: opening the flow…"))

    def _build_tree(self) -> None:
        if self._tree_built or self.session is None:
            return
        from selfhelp.tui.widgets.flow_tree import FlowTree  # only agents see the map

        self.query_one("#agent-panel").mount(FlowTree(self.session.flow, id="flow-tree"), after="#map-title")
        self._tree_built = True

    @property
    def conversation(self) -> VerticalScroll:
        return self.query_one("#conversation", VerticalScroll)

    def _say(self, *widgets: Widget, top: bool = False) -> None:
        """Add messages to the conversation.

        The conversation follows its end, where a step's question is; with
        ``top``, the first new message is brought to the top instead (an outcome
        followed by a long case summary).
        """
        conversation = self.conversation
        conversation.mount_all(widgets)
        if top:
            conversation.anchor(False)
            first = widgets[0]
            # Scroll once the new messages have a place on screen (after their mount and a layout).
            self.call_after_refresh(lambda: first.call_after_refresh(first.scroll_visible, top=True, animate=False))
        else:
            conversation.anchor()

    # --- showing a step -------------------------------------------------------------

    def _replay(self) -> None:
        """Show the answered steps of a resumed session, as they were."""
        assert self.session is not None
        for view, answer in self.session.transcript():
            self._say(StepMessage(render.step_markdown(view, agent=self.agent)))
            self._add_answer(answer)

    def _show_step(self) -> None:
        """Show the current step, set up the answer box for it, and save the session."""
        assert self.session is not None
        self.session.online = self.session.online or self.selfhelp.checks_online
        self._show(self.session.step())
        self.selfhelp.save(self.session)
        self._start_check()

    def _show(self, view: StepView) -> None:
        """Show the session's current step and set up the answer box for it."""
        message = StepMessage(render.step_markdown(view, agent=self.agent))
        if view.outcome is not None:
            message.add_class("outcome", f"outcome-{view.outcome}")
        widgets: list[Widget] = [message]
        if view.outcome == "contact_support":
            widgets.append(self._summary_box())
        self._say(*widgets, top=len(widgets) > 1)
        self._set_up_answer(view)
        self._refresh_chrome()
        self.refresh_bindings()  # copy and save come and go with the outcome: the footer follows
        self._rendering = message

    @on(Markdown.TableOfContentsUpdated)
    def _rendered(self, event: Markdown.TableOfContentsUpdated) -> None:
        """A step's Markdown is laid out (it renders in the background): the step is on screen at the next paint."""
        if event.markdown is self._rendering:
            self._rendering = None
            self.selfhelp.step_shown()

    def _summary_box(self) -> Static:
        from selfhelp.session.handoff import build_summary

        assert self.session is not None
        text = build_summary(self.session).to_text()
        return Static(literal(text), classes="summary-box")

    def _set_up_answer(self, view: StepView) -> None:
        text_input = self.query_one("#answer-input", Input)
        paste = self.query_one("#paste", PasteArea)
        choices = self.query_one("#choices", ChoiceList)
        self._clear_error()
        hint_parts: list[str] = []
        spec = view.input
        text_input.display = spec is not None and not spec.multiline
        paste.display = spec is not None and spec.multiline
        self._outcome_actions = self._actions_for(view) if view.outcome is not None else []
        labels = [label for _, label in self._outcome_actions] or [choice.label for choice in view.choices]
        choices.display = bool(labels)
        choices.show_choices(labels, earlier=view.previous_answer if spec is None else None)
        focus: Widget = choices
        if spec is not None:
            self._offered = view.previous_answer or spec.default or ""
            draft = self._drafts.pop(view.node_id, None)
            earlier = draft or self._offered
            if spec.multiline:
                paste.load_text(earlier)
                paste.move_cursor(paste.document.end)
                focus = paste
                what = "Paste the error message" if spec.kind == "match" else "Type your answer"
                hint_parts.append(f"{what}; Enter sends, Shift+Enter or Ctrl+J adds a line.")
            else:
                text_input.value = earlier
                text_input.placeholder = shown(spec.placeholder or "")
                focus = text_input
                expects = ", ".join(spec.expects)
                hint_parts.append("Type your answer and press Enter" + (f" ({expects})." if expects else "."))
                if spec.prefilled and view.previous_answer is None and draft is None:
                    hint_parts.append("Filled in from your pasted message: check it before you send it.")
                if not spec.required:
                    hint_parts.append("Optional: leave it empty and press Enter to skip.")
            if draft is not None:
                hint_parts.append("Your unsent text is back.")
            if labels:
                hint_parts.append("Tab: choices.")
        elif view.outcome is not None:
            hint_parts.append("What next? Pick with ↑↓ and Enter, or a number.")
        elif labels:
            hint_parts.append("Pick an answer: ↑↓ and Enter, a number, or click.")
            if len(labels) > 9:
                hint_parts.append("Type a few letters to find one.")
        self.query_one("#hint", Static).update(Content(" ".join(hint_parts)))
        focus.focus()
        self.call_after_refresh(self._fit_choices)

    def _actions_for(self, view: StepView) -> list[tuple[str, str]]:
        actions = [COPY_FORM, COPY_FIELD, COPY, SAVE] if view.outcome == "contact_support" else []
        route = self.session.redirect() if view.outcome == "redirect" and self.session is not None else None
        if route is not None:  # a redirect to a loaded flow: opening it comes first
            actions = [("open_redirect", f"Open {route.flow_title}"), *actions]
        return [*actions, GO_BACK, RESTART, QUIT]

    def _refresh_chrome(self) -> None:
        """Breadcrumb, the agent's map and notes: everything that follows the session's position."""
        width = max(self.size.width - 2, 20) - len("Path: ")
        if self.session is not None:
            crumb = render.breadcrumb(self.session, width)
        else:
            assert self.preview is not None
            crumb = render.fit_crumbs([self.preview.step.title or self.preview.step.node_id], width)
        self.query_one("#breadcrumb", Static).update(Content.assemble(("Path: ", "bold"), crumb))
        if self._tree_built and self.session is not None:
            from selfhelp.tui.widgets.flow_tree import FlowTree

            visited = [v.node for v in self.session.history[:-1]]
            self.query_one("#flow-tree", FlowTree).mark(self.session.current.node, visited)
            notes = self.session.state.notes
            self.query_one("#notes", Static).update(
                Content(f"Notes: {len(notes)} (Ctrl+N to add)" if notes else "No notes yet (Ctrl+N to add)")
            )

    def on_resize(self, event: Resize) -> None:
        self._refresh_chrome()
        # The screen hears a resize at every layout of its own too (its height may swing by one as the
        # answer area grows): the choices are fitted again only when the terminal's size changed.
        if self.app.size != self._fitted_size:
            self._fitted_size = self.app.size
            self.call_after_refresh(self._fit_choices)

    @on(HintLine.Resized)
    def _hint_resized(self) -> None:
        # The fit below measures the hint as last laid out: a new step's hint may be laid out at its new
        # height only some refreshes later (sooner or later as the machine is busy).
        self._fit_choices()

    def _fit_choices(self) -> None:
        """Keep the choices within the answer area, scrolling there with a cue, so none is cut off unseen."""
        choices = self.query_one("#choices", ChoiceList)
        main = self.query_one("#main").size.height or self.size.height
        others = sum(w.outer_size.height for w in self.query("#hint, #error, #answer-input, #paste") if w.display)
        # The answer area takes at most ANSWER_SHARE of the height: its top border and the cue line are in it too.
        room = int(main * ANSWER_SHARE) - others - 2
        rows = max(min(room, MAX_CHOICE_ROWS), MIN_CHOICE_ROWS)
        if rows != self._choice_rows:  # a change of layout only when it changes: each one lays out again
            self._choice_rows = rows
            choices.styles.max_height = rows
        self._show_more()

    def _show_more(self) -> None:
        """The cue under the choices: what is out of sight, and how to reach it."""
        choices = self.query_one("#choices", ChoiceList)
        more = self.query_one("#more", Static)
        cue = ""
        if choices.display and choices.scroll_y < choices.max_scroll_y:
            cue = "▼ more choices below: ↓ or scroll"
        elif choices.display and choices.scroll_y > 0:
            cue = "▲ more choices above: ↑ or scroll"
        if cue == self._cue:
            return
        self._cue = cue
        if cue:
            more.update(Content(cue))
        more.display = bool(cue)

    # --- answers --------------------------------------------------------------------

    def _add_answer(self, text: str, *, who: str = "You") -> UserMessage:
        message = UserMessage(text, who=who)
        self._answer_messages.append(message)
        self._say(message)
        return message

    def _show_error(self, reason: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Content.assemble(("✗ ", "bold"), shown(reason)))
        error.add_class("-shown")
        for widget in self.query("#answer-input, #paste"):
            widget.add_class("-invalid")

    def _clear_error(self) -> None:
        self.query_one("#error", Static).remove_class("-shown")
        for widget in self.query("#answer-input, #paste"):
            widget.remove_class("-invalid")

    def _after(self, reply: Reply, shown: str, *, before: int, dismissed: bool = False) -> None:
        """Show what an action did: the answer and the next step, or the reason it was refused.

        ``dismissed``: the user answered "None of these" to the suggested causes; the
        match was told when they were offered, so it is not told again.
        """
        if reply.ok and reply.route is not None:  # the answer belongs to another flow: continue there
            self.selfhelp.save(self.session)  # as it stays: at its paste step, no suggestion waiting
            self.selfhelp.follow(self.session, reply.route)
            return
        if not reply.ok:
            self._show_error(reply.reason or "That answer was not accepted.")
            if reply.match is not None:
                self._say(NoticeMessage("⌕", render.match_notice(reply.match)))
            return
        self._add_answer(shown)
        if dismissed:
            self._say(NoticeMessage("⌕", "None of the suggested causes fits: a few questions will narrow it down."))
        elif reply.match is not None and (len(self.session.history) > before or self.session.current.pending):
            self._say(NoticeMessage("⌕", render.match_notice(reply.match)))
        self._show_step()

    @on(OptionList.OptionSelected, "#choices")
    def _choice_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option_index)

    def _pick(self, index: int) -> None:
        if self.session is None:
            self._hold(lambda: self._pick(index))
            return
        if self._outcome_actions:
            action, _ = self._outcome_actions[index]
            self.call_later(self.run_action, action)
            return
        picked = self.session.step().choices[index]
        before = len(self.session.history)
        if picked.kind == "check":  # agreed to the online check: it runs now, the step stays as shown
            reply = self.session.choose(index)
            if reply.ok:
                self._add_answer(picked.label)
                self.selfhelp.save(self.session)
                self._start_check()
            return
        self._after(self.session.choose(index), picked.label, before=before, dismissed=picked.kind == "none_of_these")

    # --- checks ---------------------------------------------------------------------

    def _start_check(self) -> None:
        """Run the current step's check in a worker, if one is due (agreed to, or online checks are on)."""
        assert self.session is not None
        request = self.session.check_due()
        visit = self.session.current
        if request is None or any(running is visit for running in self._checks.values()):
            return
        from selfhelp.checks import run_check

        self._say(NoticeMessage("⚙", "Checking online… (at most a few seconds)"))
        self.query_one("#choices", ChoiceList).display = False
        self.query_one("#hint", Static).update(Content("Checking online… Esc goes back."))
        worker = self.run_worker(lambda: run_check(request), thread=True, group=CHECK_GROUP, exit_on_error=False)
        self._checks[worker] = visit

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != CHECK_GROUP or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        event.stop()
        visit = self._checks.pop(event.worker, None)
        if self.session is None or visit is None or visit is not self.session.current:
            return  # the user went back (or restarted) meanwhile: this answer is for a step no longer shown
        outcome: CheckOutcome | None = event.worker.result if event.state is WorkerState.SUCCESS else None
        if outcome is None:
            from selfhelp.checks import unavailable

            request = self.session.check_request()
            assert request is not None
            outcome = unavailable(request, "the check failed unexpectedly")
        reply = self.session.apply_check(outcome)
        if not reply.ok:
            self._show_error(reply.reason or "The check's answer was not accepted.")
            return
        self._add_answer(outcome.message, who="Check")
        self._show_step()

    @on(Input.Submitted, "#answer-input")
    def _text_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    @on(PasteArea.Submitted, "#paste")
    def _paste_submitted(self, event: PasteArea.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    def _submit(self, text: str) -> None:
        if self.session is None:
            self._hold(lambda: self._submit(text))
            return
        before = len(self.session.history)
        reply = self.session.submit(text)
        self._after(reply, self._kept_answer(before) or "(left empty)", before=before)

    def _kept_answer(self, before: int) -> str:
        """The text the engine kept for the answer just sent, so the screen shows what is saved."""
        assert self.session is not None
        history = self.session.history
        if len(history) > before:  # answered: the step it was sent at holds it
            answer = history[before - 1].answer
            return answer.text if answer is not None else ""
        pending = history[-1].pending  # a "did you mean" waits: the paste is kept with it
        return pending.query if pending is not None else ""

    @on(Input.Changed, "#answer-input")
    @on(PasteArea.Changed, "#paste")
    def _edited(self) -> None:
        self._clear_error()

    # --- actions --------------------------------------------------------------------

    def action_back(self) -> None:
        """Undo the last answer: the previous step comes back with that answer offered again."""
        had_pending = self.session.current.pending is not None
        left = self.session.current.node
        # Read before going back: the box is set up for the step shown next. A pending "did you mean" holds a
        # message already sent, so the box then holds no draft.
        draft = None if had_pending else self._unsent()
        if not self.session.back():
            self.notify("This is the first step: there is nothing to go back to.", markup=False)
            return
        if draft:
            self._drafts[left] = draft
        if self._answer_messages:
            self._answer_messages.pop().add_class("-undone")
        view = self.session.step()
        if had_pending:
            what = "The suggestions are dismissed; paste another message or pick a choice."
        elif view.previous_answer is not None:
            what = f"Went back: your answer “{view.previous_answer}” is undone."
        else:
            what = "Went back one step."
        if draft:
            what += " Your unsent text is kept for when you come back."
        self._say(NoticeMessage("↩", what))
        self._show_step()

    def _unsent(self) -> str | None:
        """The text in the answer box the user typed and did not send (``None`` when it is what was offered)."""
        text_input = self.query_one("#answer-input", Input)
        paste = self.query_one("#paste", PasteArea)
        if text_input.display:
            text = text_input.value
        elif paste.display:
            text = paste.text
        else:
            return None
        return text if text.strip() and text != self._offered else None

    def action_restart(self) -> None:
        """Start the flow again from its first question (notes are kept)."""
        self.session.restart()
        self._saved_summary = None  # a new run: its summary never replaces the last run's
        for message in self._answer_messages:
            message.add_class("-undone")
        self._answer_messages.clear()
        self._say(NoticeMessage("⟲", "Started again from the first step."))
        self._show_step()

    def action_open_redirect(self) -> None:
        """At a redirect outcome, open the flow it names, carrying the answers so far."""
        route = self.session.redirect() if self.session is not None else None
        if route is not None:
            self.selfhelp.follow(self.session, route)

    def action_scroll_conversation(self, direction: int) -> None:
        """Scroll the conversation by most of a page, whatever has the focus."""
        conversation = self.conversation
        conversation.scroll_relative(y=direction * max(conversation.size.height - 2, 1), animate=False)

    def action_toggle_agent(self) -> None:
        """Show or hide the agent's flow map."""
        self.toggle_class("-agent")
        if self.agent:
            self._build_tree()
            self._refresh_chrome()
            self.query_one("#flow-tree").focus()

    def action_copy_summary(self) -> None:
        """Copy the case summary (plain text) to the clipboard."""
        from selfhelp.session.handoff import build_summary

        text = build_summary(self.session).to_text()
        self.app.copy_to_clipboard(text)
        self.notify(
            f"Case summary copied ({len(text.splitlines())} lines). "
            "If your terminal cannot copy, save it instead (Ctrl+S).",
            markup=False,
        )

    def action_copy_form(self) -> None:
        """Copy every field of the support form, each label then its answer, to paste into the request."""
        from selfhelp.session.handoff import build_summary, render_form_text

        summary = build_summary(self.session)
        self.app.copy_to_clipboard(render_form_text(summary))
        self.notify(
            f"Copied {len(summary.form)} fields for the support request. "
            "If your terminal cannot copy, save the summary instead (Ctrl+S).",
            markup=False,
        )

    def action_copy_field(self) -> None:
        """Pick one field of the support form and copy its answer alone, to paste into that field."""
        from selfhelp.session.handoff import build_summary
        from selfhelp.tui.screens.modals import FieldsScreen

        form = build_summary(self.session).form

        def picked(index: int | None) -> None:
            if index is None:
                return
            field = form[index]
            if not field.value:
                self.notify(f"Nothing to copy for “{field.label}”: it was not given.", markup=False)
                return
            self.app.copy_to_clipboard(field.value)
            self.notify(f"Copied the answer to “{field.label}”.", markup=False)

        self.app.push_screen(FieldsScreen([(f.label, f.value, f.required) for f in form]), picked)

    def action_save_summary(self) -> None:
        """Save the case summary as Markdown and JSON, and say where."""
        from selfhelp.session.handoff import build_summary, save_summary

        try:
            saved = save_summary(build_summary(self.session), self.selfhelp.summaries_dir, replace=self._saved_summary)
        except OSError as exc:
            self.notify(f"Could not save the summary: {exc}", severity="error", markup=False)
            return
        self._saved_summary = saved
        self._say(NoticeMessage("✓", f"Case summary saved:\n{saved.markdown}\n{saved.json}"))
        self.notify(f"Saved to {saved.markdown.parent}", markup=False)

    def action_note(self) -> None:
        """Add a note for the case summary."""
        from selfhelp.tui.screens.modals import NoteScreen

        screen = NoteScreen(self._note_draft)

        def added(note: str | None) -> None:
            self._note_draft = screen.draft if note is None else ""
            if note and note.strip():
                self.session.add_note(note)
                self._say(NoticeMessage("✎", f"Note: {self.session.state.notes[-1]}", variant="note"))
                self._refresh_chrome()
                self.selfhelp.save(self.session)

        self.app.push_screen(screen, added)

    def action_search(self) -> None:
        """Search the nodes and error patterns of every flow, and go to the one picked."""
        from selfhelp.tui.agent import SearchHit, route_to
        from selfhelp.tui.screens.modals import SearchScreen

        catalog = self.selfhelp.catalog
        screen = SearchScreen(catalog)

        def picked(hit: SearchHit | None) -> None:
            if hit is None:
                return
            if hit.flow_id == self.session.flow.id:
                # A cause found from a pasted error: the error goes with it, so the flow does not ask for it again.
                self._jump(hit.node_id, error=screen.searched.strip() if hit.from_error else None)
                return
            route = route_to(catalog, hit, screen.searched) if hit.from_error else None
            if route is not None:  # the error goes along, as when a paste is routed to the flow it belongs to
                self.selfhelp.follow(self.session, route)
            else:
                self.selfhelp.open_flow(hit.flow_id, jump_to=hit.node_id, agent=self.agent)

        self.app.push_screen(screen, picked)

    def _jump(self, node_id: str, *, error: str | None = None) -> None:
        from selfhelp.tui.agent import error_store, jump

        assert self.session is not None
        if node_id == self.session.current.node and not error:
            self._show_step()
            return
        store = error_store(self.session.flow, node_id) if error else None
        if not jump(self.session, node_id, store=store, value=error):
            self.notify(f"This flow has no step {node_id!r}.", severity="error", markup=False)
            return
        self._add_answer(self.session.history[-2].answer.text, who="Agent")  # type: ignore[union-attr]
        self._show_step()

    def on_tree_node_selected(self, event: object) -> None:
        """A node picked in the flow map: go there."""
        node_id = getattr(getattr(event, "node", None), "data", None)
        if isinstance(node_id, str):
            self._jump(node_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what does not apply: outside agent mode, no search or notes, and summaries only on a
        contact-support outcome (the map key, F2, turns agent mode on).

        Until the session is attached (a cached first screen) every action but scrolling
        is disabled, shown dimmed: they all need the session. Answers are held instead.
        """
        if action == "scroll_conversation":
            return True
        if self.session is None:
            return False if action in (*SUMMARY_ACTIONS, "note", "search") else None
        if action in (*SUMMARY_ACTIONS, "note", "search"):
            if self.agent:
                return True
            if action in ("note", "search"):
                return False
            return self.session.outcome is not None and self.session.outcome.result == "contact_support"
        return True
