"""The session engine: walk a flow one step at a time, go back, restart, save and resume.

A :class:`Session` holds a flow and the history of visits. Everything else,
the kept values, the current step, the outcome, is derived from that history,
so going back is popping a visit and a saved session is just its history.
Invalid answers return a reason and change nothing.

A session may know the other flows of the catalog (``catalog=``): a pasted
message that belongs to another flow's cause, or a ``redirect`` outcome naming a
loaded flow, then gives a :class:`Route`, and :meth:`Session.follow` opens a
session on that flow carrying the pasted message, the answers so far and the notes.

A ``check`` step never runs its check itself: :meth:`Session.check_due` says
which check is due once the user agreed (or online checks are on), the caller
runs it (the app in a worker thread, the command line and tests directly, see
:meth:`Session.run_check`) and hands the answer to :meth:`Session.apply_check`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from selfhelp.base.text import clean
from selfhelp.checks import CheckOutcome, CheckRequest, declined, disclosure
from selfhelp.checks import run_check as run_now
from selfhelp.flow.check_specs import UNAVAILABLE
from selfhelp.flow.models import (
    AnyNode,
    Branch,
    CauseNode,
    CheckNode,
    Choice,
    Condition,
    Flow,
    InputNode,
    MatchNode,
    OutcomeNode,
    QuestionNode,
)
from selfhelp.matcher.results import CatalogMatcher, MatchCandidate, Matcher, MatchResult
from selfhelp.session import answers
from selfhelp.session.step import ChoiceView, InputSpec, LinkView, StepView

SESSION_FORMAT = 1
CONTINUE_LABEL = "Continue"
SKIP_MATCH_LABEL = "I don't have the message: ask me questions instead"
NONE_OF_THESE_LABEL = "None of these"
CHECK_ONLINE_LABEL = "Yes, check it online"
SKIP_CHECK_LABEL = "No, don't check: I'll answer the questions myself"


def flow_hash(flow: Flow) -> str:
    """A short hash of the flow's content, to tell whether a saved session's flow has changed."""
    canonical = json.dumps(flow.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Answer(BaseModel):
    """What the user answered at one step, and where it led."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    kind: Literal["choice", "text", "match", "jump", "route", "check"]
    """Whether a choice was picked, text typed, an error message pasted, an agent jumped, a message
    pasted in another flow brought the user here (``route``), or a check answered."""
    text: str
    """The answer as the user gave it: a choice's label or the (cleaned) text."""
    goto: str
    """The node the answer led to."""
    store: str | None = None
    """The name the answer's value was kept under, if any."""
    value: str | None = None
    """The kept value."""
    match: MatchResult | None = None
    """For a pasted message: the matcher's verdict."""
    check: CheckOutcome | None = None
    """For a check step: what the check found (or why it could not answer)."""


class Visit(BaseModel):
    """One step on the path: a node, and the answer given there (none yet for the current step)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    node: str
    """The node's id."""
    answer: Answer | None = None
    """The answer given here; ``None`` on the current step."""
    undone: Answer | None = None
    """The answer given here before the user went back to this step."""
    pending: MatchResult | None = None
    """An ambiguous match awaiting the user's pick of a candidate."""


class SessionState(BaseModel):
    """A session as saved: enough to resume it on the same (or a changed) flow."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    format: int = SESSION_FORMAT
    """The version of this saved format."""
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    """The session's id."""
    flow_id: str
    """The id of the flow being walked."""
    flow_version: str
    """The flow's version when the session was saved."""
    flow_hash: str
    """The flow's content hash when the session was saved."""
    created: str = Field(default_factory=_now)
    """When the session started (ISO 8601, UTC)."""
    updated: str = Field(default_factory=_now)
    """When the session last changed (ISO 8601, UTC)."""
    presets: dict[str, str] = {}
    """Values known before the first step."""
    notes: list[str] = []
    """Free notes (a support agent's), carried into the case summary."""
    checks_allowed: bool = False
    """Whether the user agreed, at a check step, to online checks for this session (asked once)."""
    history: list[Visit]
    """Every visit, in order; the last is the current step."""


class Route(BaseModel):
    """Where to continue in another flow: the cause a pasted message belongs to, or a redirect's flow."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    flow: str
    """The id of the flow to continue in."""
    flow_title: str
    """That flow's title."""
    node: str | None = None
    """The cause to open there; ``None``: the flow's first step."""
    node_title: str | None = None
    """That cause's title (its id when it has none)."""
    text: str | None = None
    """The pasted message, carried into the other flow."""
    store: str | None = None
    """The name the pasted message is kept under (the match step's ``store``)."""
    match: MatchResult | None = None
    """What the matcher found, so the other flow can pre-fill values from the message."""

    @property
    def notice(self) -> str:
        """What to tell the user about the move (plain text)."""
        if self.node_title:
            return (
                f"This looks like “{self.node_title}”: it belongs to {self.flow_title}, "
                "which is opened there. Your message and answers so far come with you."
            )
        return f"Opened {self.flow_title}. Your answers so far come with you."


class Reply(BaseModel):
    """The result of an action: accepted (the session moved on) or refused with a reason."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    reason: str | None = None
    match: MatchResult | None = None
    """For a pasted message, what the matcher found (also when the session waits for a pick)."""
    route: Route | None = None
    """The answer belongs to another flow: nothing changed here; :meth:`Session.follow` opens it."""


class SessionMismatch(Exception):
    """A saved session cannot be resumed on this flow."""


def condition_holds(cond: Condition, values: dict[str, str]) -> bool:
    """Evaluate a data condition against the kept values (comparisons ignore case)."""
    value = values.get(cond.value)
    if cond.is_set is not None:
        return (value is not None and value != "") == cond.is_set
    if value is None:
        return cond.not_equals is not None
    folded = value.casefold()
    if cond.equals is not None:
        return folded == cond.equals.casefold()
    if cond.not_equals is not None:
        return folded != cond.not_equals.casefold()
    return folded in {o.casefold() for o in cond.one_of or []}


#: Words a pasted message may use for what an input's ``store`` names: the Directory ID is the tenant ID.
PREFILL_SYNONYMS: dict[str, tuple[str, ...]] = {"tenant": ("tenant", "directory")}

#: How far before a value (in characters) the word naming it may be: "Tenant ID: <guid>", "tenant <guid>".
NAMED_WITHIN = 24


def _named_in(text: str, found: list[str], store: str) -> str | None:
    """The first of ``found`` that ``text`` names just before it with a word of ``store``, if any."""
    words = [w for part in store.lower().split("_") if len(part) > 2 for w in PREFILL_SYNONYMS.get(part, (part,))]
    lowered = text.lower()
    for value in found:
        at = lowered.find(value.lower())
        if at >= 0 and any(w in lowered[max(at - NAMED_WITHIN, 0) : at] for w in words):
            return value
    return None


class Session:
    """One walk through one flow."""

    def __init__(
        self,
        flow: Flow,
        *,
        presets: dict[str, str] | None = None,
        matcher: Matcher | None = None,
        state: SessionState | None = None,
        catalog: Iterable[Flow] | None = None,
        online: bool = False,
    ) -> None:
        self.flow = flow
        self._matcher = matcher
        # The flows a pasted message or a redirect may lead to; this flow is always its own entry.
        self.flows: dict[str, Flow] = {f.id: f for f in catalog or ()}
        self.flows[flow.id] = flow
        self.online = online
        """Whether online checks are on (``checks: online: true`` or ``--online``): check steps then ask nothing."""
        self.state = state or SessionState(
            flow_id=flow.id,
            flow_version=flow.version,
            flow_hash=flow_hash(flow),
            presets=dict(presets or {}),
            history=[Visit(node=flow.start)],
        )

    # --- reading ------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.state.id

    @property
    def history(self) -> list[Visit]:
        return self.state.history

    @property
    def current(self) -> Visit:
        return self.state.history[-1]

    @property
    def node(self) -> AnyNode:
        """The current node."""
        return self.flow.nodes[self.current.node]

    @property
    def values(self) -> dict[str, str]:
        """The kept values: presets, then every answer that stored one, in order."""
        values = dict(self.state.presets)
        for visit in self.state.history:
            if visit.answer and visit.answer.store and visit.answer.value is not None:
                values[visit.answer.store] = visit.answer.value
        return values

    @property
    def outcome(self) -> OutcomeNode | None:
        """The outcome reached, if the conversation has ended."""
        node = self.node
        return node if isinstance(node, OutcomeNode) else None

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def path(self) -> list[Visit]:
        """The steps taken so far, the current one last."""
        return list(self.state.history)

    def match_result(self) -> MatchResult | None:
        """The latest error match on the path, if any."""
        for visit in reversed(self.state.history):
            if visit.answer and visit.answer.match:
                return visit.answer.match
        return None

    def checks_done(self) -> list[tuple[str, CheckOutcome]]:
        """Every check answered on the path, with its step's id, in order."""
        return [(v.node, v.answer.check) for v in self.state.history if v.answer and v.answer.check]

    def step(self) -> StepView:
        """The current step, ready to show."""
        visit = self.current
        node = self.node
        return self._view(
            visit.node,
            choices=tuple(self._choices(node, visit)),
            input=self._input_spec(node, visit),
            previous_answer=visit.undone.text if visit.undone else None,
            pending=visit.pending.query if visit.pending else None,
            outcome=node.result.value if isinstance(node, OutcomeNode) else None,
        )

    def transcript(self) -> list[tuple[StepView, str]]:
        """The steps answered so far, each with the answer shown under it (to show a resumed session).

        A step waiting for a "did you mean" pick was answered too: its pasted
        message is its answer. The steps carry no choices or input (they are done).
        """
        history = self.state.history
        answered = history if history[-1].pending is not None else history[:-1]
        shown: list[tuple[StepView, str]] = []
        for visit in answered:
            text = visit.answer.text if visit.answer else visit.pending.query if visit.pending else ""
            shown.append((self._view(visit.node), text))
        return shown

    def _view(self, node_id: str, **current: Any) -> StepView:
        """The step at node ``node_id``; ``current`` gives what only the current step has (choices, input...)."""
        node = self.flow.nodes[node_id]
        text = node.text
        if isinstance(node, CheckNode):  # say what running it sends where, every time it is shown
            sends = disclosure(self._check_request(node))
            text = f"{text.rstrip()}\n\n{sends}" if text.strip() else sends
        return StepView(
            node_id=node_id,
            kind=node.kind,
            title=node.title,
            text=text,
            source=node.source,
            links=tuple(LinkView(link.title, link.url) for link in node.links),
            **current,
        )

    def _visible(self, choices: list[Choice]) -> list[Choice]:
        values = self.values
        return [c for c in choices if c.when is None or condition_holds(c.when, values)]

    def _choices(self, node: AnyNode, visit: Visit) -> list[ChoiceView]:
        if visit.pending is not None:
            views = [
                ChoiceView(label=self._candidate_label(m), target=m.node, kind="candidate")
                for m in visit.pending.matches
            ]
            fallback = node.no_match if isinstance(node, MatchNode) else None
            return [*views, ChoiceView(label=NONE_OF_THESE_LABEL, target=fallback, kind="none_of_these")]
        if isinstance(node, (QuestionNode, CauseNode)) and node.choices:
            return [ChoiceView(label=c.label, target=c.goto) for c in self._visible(node.choices)]
        if isinstance(node, CauseNode) and node.next is not None:
            return [ChoiceView(label=CONTINUE_LABEL, target=self._route(node.next), kind="continue")]
        if isinstance(node, MatchNode) and node.no_match:
            return [ChoiceView(label=SKIP_MATCH_LABEL, target=node.no_match, kind="skip")]
        if isinstance(node, CheckNode) and not self.checks_on:
            return [
                ChoiceView(label=CHECK_ONLINE_LABEL, target=None, kind="check"),
                ChoiceView(label=SKIP_CHECK_LABEL, target=node.results[UNAVAILABLE], kind="skip"),
            ]
        return []

    def _candidate_label(self, candidate: MatchCandidate) -> str:
        """A suggested cause's label; one of another flow names that flow, as picking it goes there."""
        other = self.flows.get(candidate.flow) if candidate.flow != self.flow.id else None
        return f"{candidate.title} ({other.title})" if other is not None else candidate.title

    def _input_spec(self, node: AnyNode, visit: Visit) -> InputSpec | None:
        if visit.pending is not None:
            return None
        if isinstance(node, InputNode):
            known = self.values.get(node.store)
            prefill = None if known else self._prefill(node)
            return InputSpec(
                kind="input",
                placeholder=node.placeholder,
                multiline=node.multiline,
                required=any(v.type.value == "required" for v in node.validators),
                expects=tuple(answers.describe(v) for v in node.validators),
                default=known or prefill,
                prefilled=prefill is not None,
            )
        if isinstance(node, MatchNode):
            return InputSpec(kind="match", placeholder=node.placeholder, multiline=True, required=True)
        return None

    def _prefill(self, node: InputNode) -> str | None:
        """A value of the node's ``prefill`` kind found in the latest pasted error, if any.

        A paste often holds several (a request id before the tenant ID): the one
        named just before it by the words of the node's ``store`` (``tenant`` for
        ``tenant_id``, and their synonyms) wins, else the first.
        """
        result = self.match_result() if node.prefill else None
        if result is None or node.prefill is None:
            return None
        found = result.params.get(node.prefill) or [v for m in result.matches for v in m.params.get(node.prefill, [])]
        if not found:
            return None
        return _named_in(result.query, found, node.store) or found[0]

    def _route(self, route: str | list[Branch] | None, answered: dict[str, str] | None = None) -> str | None:
        """Where ``route`` leads with the kept values (and ``answered``: the value an answer is about to keep)."""
        if route is None or isinstance(route, str):
            return route
        values = self.values | (answered or {})
        for branch in route:
            if branch.when is None or condition_holds(branch.when, values):
                return branch.goto
        return None

    # --- acting -------------------------------------------------------------------

    def _advance(self, answer: Answer) -> Reply:
        if answer.goto not in self.flow.nodes:
            return Reply(ok=False, reason=f"The flow has no step {answer.goto!r} to go to.")
        self.current.answer = answer
        self.current.undone = None
        self.current.pending = None
        self.state.history.append(Visit(node=answer.goto))
        self._touch()
        return Reply(ok=True, match=answer.match)

    def _touch(self) -> None:
        self.state.updated = _now()

    def choose(self, index: int) -> Reply:
        """Pick the ``index``-th (0-based) of the current step's choices."""
        choices = self.step().choices
        if not 0 <= index < len(choices):
            return Reply(
                ok=False,
                reason=f"Pick a number from 1 to {len(choices)}." if choices else "There is nothing to choose here.",
            )
        picked = choices[index]
        if isinstance(self.node, CheckNode):
            return self._check_choice(self.node, picked.kind)
        if picked.kind == "none_of_these" and picked.target is None:
            self.current.pending = None  # no fallback step: back to the paste box, to try other words
            self._touch()
            return Reply(ok=True)
        if picked.target is None:
            return Reply(ok=False, reason="That choice leads nowhere in this flow (no condition holds).")
        node = self.node
        visit = self.current
        if visit.pending is not None and picked.kind == "candidate":
            candidate = visit.pending.matches[index]
            if candidate.flow != self.flow.id:
                result = visit.pending
                visit.pending = None  # this session stays at its paste step; the other flow takes the message
                self._touch()
                return Reply(ok=True, match=result, route=self._route_to(candidate, result))
        if visit.pending is not None:
            return self._advance(
                Answer(
                    kind="match",
                    text=picked.label,
                    goto=picked.target,
                    store=self._match_store(),
                    value=visit.pending.query,
                    match=visit.pending,
                )
            )
        store = getattr(node, "store", None) if picked.kind == "choice" else None
        value = None
        if store is not None:
            chosen = self._visible(node.choices)[index]  # type: ignore[union-attr]
            value = chosen.value if chosen.value is not None else chosen.label
        return self._advance(Answer(kind="choice", text=picked.label, goto=picked.target, store=store, value=value))

    # --- checks -------------------------------------------------------------------

    @property
    def checks_on(self) -> bool:
        """Whether check steps run without asking: online checks are on, or the user agreed in this session."""
        return self.online or self.state.checks_allowed

    def _check_request(self, node: CheckNode) -> CheckRequest:
        values = self.values
        return CheckRequest(node.check, {name: values.get(kept, "") for name, kept in node.inputs.items()})

    def check_request(self) -> CheckRequest | None:
        """The check of the current step (whether or not it may run yet); ``None`` on other steps."""
        node = self.node
        return self._check_request(node) if isinstance(node, CheckNode) else None

    def check_due(self) -> CheckRequest | None:
        """The check to run now: the current step's, once online checks are on or the user agreed."""
        return self.check_request() if self.checks_on else None

    def _check_choice(self, node: CheckNode, kind: str) -> Reply:
        """The user's answer to "check it online?": agree (for the whole session) or skip the check."""
        if kind == "check":
            self.state.checks_allowed = True
            self._touch()
            return Reply(ok=True)
        return self.apply_check(declined(self._check_request(node)))

    def apply_check(self, outcome: CheckOutcome) -> Reply:
        """Go on from the current check step by the check's result (from :meth:`check_due`'s check, run elsewhere)."""
        node = self.node
        if not isinstance(node, CheckNode):
            return Reply(ok=False, reason="This step runs no check.")
        if outcome.check != node.check or outcome.result not in node.results:
            return Reply(ok=False, reason=f"The {node.check} check has no result {outcome.result!r} here.")
        goto = node.results[outcome.result]
        answer = Answer(
            kind="check", text=outcome.message, goto=goto, store=node.store, value=outcome.result, check=outcome
        )
        return self._advance(answer)

    def run_check(self, runner: Callable[[CheckRequest], CheckOutcome] = run_now) -> Reply:
        """Run the due check here and now, then go on by its result (blocks: not for a user interface's thread)."""
        request = self.check_due()
        if request is None:
            reason = "Online checks are off: agree to the check first." if self.check_request() else None
            return Reply(ok=False, reason=reason or "This step runs no check.")
        return self.apply_check(runner(request))

    def _match_store(self) -> str | None:
        node = self.node
        return node.store if isinstance(node, MatchNode) else None

    def choose_label(self, label: str) -> Reply:
        """Pick the choice whose label is ``label`` (ignoring case)."""
        for i, choice in enumerate(self.step().choices):
            if choice.label.casefold() == label.casefold():
                return self.choose(i)
        return Reply(ok=False, reason=f"There is no choice {label!r} here.")

    @property
    def matcher(self) -> Matcher:
        """The matcher this session judges pastes with: the shared default unless one was given.

        Made on first use, so a session that never sees a paste never imports the matcher (start-up).
        """
        if self._matcher is None:
            from selfhelp.matcher import default_matcher  # here, not at the top: see above

            self._matcher = default_matcher()
        return self._matcher

    def prepare_matching(self) -> None:
        """Have the matcher build this flow's index now, not at the first paste (it may take half a second).

        Safe to call from a worker thread; a matcher without ``prepare`` builds on first use as before.
        """
        prepare = getattr(self.matcher, "prepare", None)
        if callable(prepare):
            prepare(self.flow)

    def submit(self, text: str) -> Reply:
        """Answer a free-text step: an input is checked and kept; a pasted message is matched."""
        node = self.node
        if self.current.pending is not None:
            return Reply(ok=False, reason="Pick one of the suggested causes, or 'None of these'.")
        cleaned = clean(text)
        if isinstance(node, InputNode):
            reason = answers.check(cleaned, node.validators)
            if reason:
                return Reply(ok=False, reason=reason)
            # The branches after an input see the answer just given: "no tenant ID? skip the check" reads it.
            goto = self._route(node.next, {node.store: cleaned} if node.store else None)
            if goto is None:
                return Reply(ok=False, reason="The flow has no way on from this step for that answer.")
            return self._advance(Answer(kind="text", text=cleaned, goto=goto, store=node.store, value=cleaned))
        if isinstance(node, MatchNode):
            return self._submit_match(node, cleaned)
        return Reply(ok=False, reason="This step takes a choice, not text.")

    def _submit_match(self, node: MatchNode, text: str) -> Reply:
        if not text:
            return Reply(
                ok=False, reason="Paste the error message you see, or pick the choice to answer questions instead."
            )
        across = self._match_across(node, text)
        if across is not None and across.matches:
            top = across.matches[0]
            if across.verdict == "match" and top.flow != self.flow.id:
                return Reply(ok=True, match=across, route=self._route_to(top, across))
            if across.verdict == "ambiguous" and any(m.flow != self.flow.id for m in across.matches):
                self.current.pending = across  # close causes in several flows: the user picks, and maybe moves
                self._touch()
                return Reply(ok=True, match=across)
        result = self.matcher.match_flow(self.flow, text, node.candidates)
        if result.verdict == "match" and result.matches:
            return self._advance(
                Answer(kind="match", text=text, goto=result.matches[0].node, store=node.store, value=text, match=result)
            )
        if result.verdict == "ambiguous" and result.matches:
            self.current.pending = result
            self._touch()
            return Reply(ok=True, match=result)
        if node.no_match is None:
            return Reply(ok=False, reason="No known error matches that message.", match=result)
        return self._advance(
            Answer(kind="match", text=text, goto=node.no_match, store=node.store, value=text, match=result)
        )

    def _match_across(self, node: MatchNode, text: str) -> MatchResult | None:
        """The match of ``text`` across this flow and the catalog's others, when routing applies.

        It applies when the session knows other flows, the matcher can match across
        flows, and the step matches every cause (``candidates`` keeps a paste to the causes named).
        """
        others = [f for fid, f in self.flows.items() if fid != self.flow.id]
        if not others or node.candidates is not None or not isinstance(self.matcher, CatalogMatcher):
            return None
        return self.matcher.match_flows([self.flow, *others], text)

    def _route_to(self, candidate: MatchCandidate, result: MatchResult) -> Route:
        target = self.flows[candidate.flow]
        return Route(
            flow=target.id,
            flow_title=target.title,
            node=candidate.node,
            node_title=candidate.title,
            text=result.query,
            store=self._match_store(),
            match=result,
        )

    def redirect(self) -> Route | None:
        """At a ``redirect`` outcome naming a loaded flow, the way there; ``None`` otherwise."""
        outcome = self.outcome
        target = self.flows.get(outcome.redirect_flow or "") if outcome is not None else None
        if outcome is None or outcome.result != "redirect" or target is None or target.id == self.flow.id:
            return None
        return Route(flow=target.id, flow_title=target.title)

    def follow(self, route: Route) -> Session:
        """A new session on the route's flow, at its cause (or first step), carrying what this one knows.

        The answers so far become the new session's presets, and the notes go along.
        A pasted message is the new session's first answer (kind ``route``), so
        going back from the cause lands on the flow's first step, and the message
        pre-fills what the other flow asks (a tenant ID in it, say).

        Raises:
            SessionMismatch: the route names a flow or a step this session does not know.
        """
        target = self.flows.get(route.flow)
        if target is None:
            raise SessionMismatch(f"no flow {route.flow!r} is loaded")
        if route.node is not None and route.node not in target.nodes:
            raise SessionMismatch(f"flow {route.flow!r} has no step {route.node!r}")
        presets = self.values
        history = [Visit(node=target.start)]
        if route.node is not None and route.node != target.start:
            text = route.text or ""
            answer = Answer(kind="route", text=text, goto=route.node, store=route.store, value=text, match=route.match)
            history = [Visit(node=target.start, answer=answer), Visit(node=route.node)]
        elif route.store and route.text:
            presets[route.store] = route.text
        state = SessionState(
            flow_id=target.id,
            flow_version=target.version,
            flow_hash=flow_hash(target),
            presets=presets,
            notes=list(self.state.notes),
            history=history,
        )
        return Session(target, matcher=self.matcher, state=state, catalog=self.flows.values(), online=self.online)

    def back(self) -> bool:
        """Return to the previous step, its earlier answer kept to show; ``False`` at the start."""
        visit = self.current
        if visit.pending is not None:
            visit.pending = None  # first undo the "did you mean" question, then the step itself
            self._touch()
            return True
        if len(self.state.history) < 2:
            return False
        self.state.history.pop()
        previous = self.current
        # A jump is not an answer to offer again: "Jumped to: ..." typed back in would be kept as a value.
        previous.undone = previous.answer if previous.answer and previous.answer.kind not in ("jump", "route") else None
        previous.answer = None
        self._touch()
        return True

    def jump(self, node_id: str, *, store: str | None = None, value: str | None = None) -> Reply:
        """Go straight to any node (a support agent's move); recorded like an answer, so back() undoes it.

        ``store`` and ``value`` keep a value with the jump (the error message an
        agent searched for), so the flow does not ask for it again.
        """
        node = self.flow.nodes.get(node_id)
        if node is None:
            return Reply(ok=False, reason=f"The flow has no step {node_id!r}.")
        kept = clean(value) if store and value else None
        text = f"Jumped to: {node.title or node_id}"
        return self._advance(Answer(kind="jump", text=text, goto=node_id, store=store if kept else None, value=kept))

    def restart(self) -> None:
        """Start the flow again from its first step (presets and notes stay)."""
        self.state.history = [Visit(node=self.flow.start)]
        self._touch()

    def add_note(self, note: str) -> None:
        """Keep a free note for the case summary."""
        cleaned = clean(note)
        if cleaned:
            self.state.notes.append(cleaned)
            self._touch()

    # --- saving -------------------------------------------------------------------

    def to_json(self) -> str:
        """The session as JSON (see :class:`SessionState`)."""
        return self.state.model_dump_json(indent=2)

    @classmethod
    def from_json(
        cls, flow: Flow, text: str | bytes, *, matcher: Matcher | None = None, catalog: Iterable[Flow] | None = None
    ) -> tuple[Session, str | None]:
        """Resume a saved session on ``flow``; returns the session and a notice when the flow changed.

        Raises:
            SessionMismatch: the file is not a session, is for another flow, or
                its path no longer exists in the changed flow.
        """
        try:
            state = SessionState.model_validate_json(text)
        except ValidationError as exc:
            raise SessionMismatch(
                f"not a saved session ({exc.error_count()} problem(s), first: {exc.errors()[0]['msg']})"
            ) from None
        return cls.from_state(flow, state, matcher=matcher, catalog=catalog)

    @classmethod
    def from_state(
        cls, flow: Flow, state: SessionState, *, matcher: Matcher | None = None, catalog: Iterable[Flow] | None = None
    ) -> tuple[Session, str | None]:
        """See :meth:`from_json`."""
        if state.format != SESSION_FORMAT:
            raise SessionMismatch(f"saved in format {state.format}; this version reads format {SESSION_FORMAT}")
        if state.flow_id != flow.id:
            raise SessionMismatch(f"the session is for flow {state.flow_id!r}, not {flow.id!r}")
        session = cls(flow, matcher=matcher, state=state, catalog=catalog)
        problem = session._replay_problem()
        if state.flow_hash == flow_hash(flow):
            if problem:  # same flow, impossible path: the file was damaged or edited by hand
                raise SessionMismatch(f"the saved path does not fit flow {flow.id!r}: {problem}")
            return session, None
        if problem:
            raise SessionMismatch(
                f"flow {flow.id!r} changed since the session was saved "
                f"(version {state.flow_version} -> {flow.version}) and {problem}"
            )
        notice = (
            f"Flow {flow.id!r} changed since this session was saved "
            f"(version {state.flow_version} -> {flow.version}); every answer still applies."
        )
        state.flow_version, state.flow_hash = flow.version, flow_hash(flow)
        return session, notice

    def _replay_problem(self) -> str | None:
        """Why the saved path does not fit the (changed) flow, or ``None`` when it does."""
        history = self.state.history
        if not history:
            return "it has no steps"
        for i, visit in enumerate(history):
            if visit.node not in self.flow.nodes:
                return f"its step {visit.node!r} no longer exists"
            if visit.answer is None:
                if i != len(history) - 1:
                    return f"step {visit.node!r} has no answer"
                continue
            nxt = history[i + 1].node if i + 1 < len(history) else None
            if nxt != visit.answer.goto:
                return f"the answer at step {visit.node!r} is inconsistent"
            # Jumps and routes go anywhere by design; every other answer must follow an edge of the flow.
            if visit.answer.kind not in ("jump", "route") and nxt not in self._possible_targets(
                self.flow.nodes[visit.node]
            ):
                return f"step {visit.node!r} no longer leads to {nxt!r}"
        return None

    def _possible_targets(self, node: AnyNode) -> set[str]:
        return set(self.flow.targets(node))

    def snapshot(self) -> dict[str, Any]:
        """The session state as plain data."""
        return self.state.model_dump(mode="json")
