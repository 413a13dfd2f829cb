"""The case summary handed to support: what the user saw, answered and found, and the form pre-filled.

:func:`build_summary` turns a :class:`Session` into a :class:`CaseSummary`;
it renders to Markdown (for the app and for pasting into a case), to plain text
(for the clipboard) and to JSON (for tools). User text is never trusted as
markup: in Markdown, the characters that could start Markdown or HTML are
backslash-escaped and multi-line text goes into a fenced block, so
``[bold red]``, ``<script>`` or ``# heading`` show as typed; control
characters (terminal escapes included) are removed everywhere. Both jobs are
:mod:`selfhelp.base.text`'s (``clean``, ``md_escape``, ``md_block``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, computed_field

from selfhelp.base.atomic import write_atomic
from selfhelp.base.text import clean, md_block, md_escape
from selfhelp.checks import CheckOutcome
from selfhelp.flow.models import CollectField, Flow, OutcomeNode, OutcomeResult
from selfhelp.matcher.results import MatchResult
from selfhelp.session.engine import Session
from selfhelp.session.store import data_dir

SUMMARIES_DIR = "summaries"

#: The support form's free-text field (the scoping form's ``useAsAdditionalDetails``): answers that fill no
#: field of their own are added to it, so every answer reaches support.
ADDITIONAL_DETAILS_FIELD = "problem_description"

RESULT_LABELS = {
    OutcomeResult.resolved: "Resolved",
    OutcomeResult.contact_support: "Contact support",
    OutcomeResult.wait: "Wait",
    OutcomeResult.redirect: "Another topic",
}


class Issue(BaseModel):
    """What the conversation was about: the flow and the article it mirrors."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    flow_id: str
    """The flow's id."""
    flow_title: str
    """The flow's title."""
    flow_version: str
    """The flow's version the session ran on."""
    article_title: str | None = None
    """The troubleshooting article the flow mirrors."""
    article_id: str | None = None
    """The article's id."""
    article_url: str | None = None
    """Where the article is published."""


class StepRecord(BaseModel):
    """One answered step."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    node: str
    """The step's node id."""
    title: str
    """The step's title (its id when it has none)."""
    question: str | None = None
    """The question asked there, in plain text, when the step asks one."""
    answer: str
    """The answer given: a choice's label or the text typed or pasted."""
    kind: Literal["choice", "text", "match", "jump", "route", "check"]
    """How it was answered (``route``: a message pasted in another flow led here; ``check``: a check answered)."""


class MatchedError(BaseModel):
    """The error message the user pasted and what it was matched to."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    message: str
    """The message as matched."""
    verdict: Literal["match", "ambiguous", "none"]
    """The matcher's verdict."""
    cause: str | None = None
    """The id of the cause the conversation went on with (``None`` when nothing fitted)."""
    cause_title: str | None = None
    """That cause's title."""
    pattern: str | None = None
    """The known error pattern that matched."""
    score: float | None = None
    """How close the match was, 0-100."""
    params: dict[str, list[str]] = {}
    """Variable parts found in the message (GUIDs, domains, ...), by kind."""
    notice: str | None = None
    """Something about the match worth knowing (such as a long paste being cut)."""


class Outcome(BaseModel):
    """How the conversation ended."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    node: str
    """The outcome node's id."""
    result: OutcomeResult
    """resolved, contact_support, wait or redirect."""
    title: str
    """The outcome's title (its id when it has none)."""


class FormField(BaseModel):
    """One field of the support form, filled from the conversation where it could be."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    field: str
    """The form's field id."""
    label: str
    """The field's label on the form."""
    value: str | None = None
    """The value from the conversation (``None`` when it was not given)."""
    required: bool = False
    """Whether the form requires it."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def missing(self) -> bool:
        """A required field with no value: the user must fill it in on the form."""
        return self.required and not self.value


class CheckRecord(CheckOutcome):
    """One automated check run during the conversation: what was checked, when, and the answer (as the
    session keeps it, cleaned for the summary), and the step that ran it."""

    node: str
    """The check step's node id."""


class CaseSummary(BaseModel):
    """Everything support needs from one conversation."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    session_id: str
    """The session the summary was made from."""
    created: str
    """When the session started (ISO 8601, UTC)."""
    updated: str
    """When it last changed (ISO 8601, UTC)."""
    issue: Issue
    """The flow and article."""
    current_step: str
    """The title of the step the session is at (the outcome's, when finished)."""
    steps: list[StepRecord] = []
    """The steps taken with their answers, in order."""
    match: MatchedError | None = None
    """The latest pasted error and its match, if one was pasted."""
    outcome: Outcome | None = None
    """How it ended; ``None`` while the session is in progress."""
    notes: list[str] = []
    """A support agent's notes."""
    form: list[FormField] = []
    """The support form's fields, pre-filled (for contact-support outcomes, or in progress)."""
    values: dict[str, str] = {}
    """Every value kept during the conversation, by name."""
    checks: list[CheckRecord] = []
    """The automated checks run on the path, in order."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def missing(self) -> list[str]:
        """The ids of required form fields that are still empty."""
        return [f.field for f in self.form if f.missing]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

    def to_markdown(self) -> str:
        return render_markdown(self)

    def to_text(self) -> str:
        return render_text(self)


# --- building -------------------------------------------------------------------


def build_summary(session: Session) -> CaseSummary:
    """The case summary of ``session`` as it stands (finished or not)."""
    flow = session.flow
    outcome = session.outcome
    current_id = session.current.node
    return CaseSummary(
        session_id=session.id,
        created=session.state.created,
        updated=session.state.updated,
        issue=_issue(flow),
        current_step=clean(session.node.title or current_id),
        steps=_steps(session),
        match=_matched_error(session),
        outcome=Outcome(node=current_id, result=outcome.result, title=clean(outcome.title or current_id))
        if outcome is not None
        else None,
        notes=[clean(n) for n in session.state.notes],
        form=_form(_form_fields(flow, outcome), session.values, _answered_inputs(session)),
        values={k: clean(v) for k, v in session.values.items()},
        checks=_checks(session),
    )


def _checks(session: Session) -> list[CheckRecord]:
    records = []
    for node, done in session.checks_done():
        # A check's answer may quote what a service sent: cleaned like every other text that reaches support.
        cleaned = {
            "inputs": {k: clean(v) for k, v in done.inputs.items()},
            "message": clean(done.message),
            "sent_to": clean(done.sent_to) if done.sent_to else None,
            "reason": clean(done.reason) if done.reason else None,
        }
        records.append(CheckRecord(node=node, **(done.model_dump() | cleaned)))
    return records


def _issue(flow: Flow) -> Issue:
    src = flow.source
    return Issue(
        flow_id=flow.id,
        flow_title=clean(flow.title),
        flow_version=flow.version,
        article_title=clean(src.title) if src else None,
        article_id=src.article_id if src else None,
        article_url=src.url if src else None,
    )


def _steps(session: Session) -> list[StepRecord]:
    records = []
    for visit in session.history:
        if visit.answer is None:
            continue
        node = session.flow.nodes.get(visit.node)
        title = (node.title if node else None) or visit.node
        records.append(
            StepRecord(
                node=visit.node,
                title=clean(title),
                question=question_of(node.text) if node else None,
                answer=clean(visit.answer.text),
                kind=visit.answer.kind,
            )
        )
    return records


def question_of(markdown: str) -> str | None:
    """What a step asks, as plain text: its last bold question (or bold instruction), else its last question."""
    bold = re.findall(r"\*\*(.+?)\*\*", markdown, re.DOTALL)
    # A bold question is what the step asks; failing that, a bold instruction ("Select the program.").
    asks = [b for b in bold if "?" in b] or [b for b in bold if b.rstrip().endswith(".")]
    if asks:
        asked = asks[-1]
    else:
        sentences = [t for t in re.split(r"(?<=[.!?])\s+", markdown) if t.rstrip().endswith("?")]
        if not sentences:
            return None
        asked = sentences[-1]
    plain = re.sub(r"(\*\*|__|`)", "", asked)
    return clean(" ".join(plain.split())) or None


def _matched_error(session: Session) -> MatchedError | None:
    """The latest answered paste (and where it led), else an ambiguous paste awaiting a pick."""
    for visit in reversed(session.history):
        if visit.answer is not None and visit.answer.match is not None:
            return _describe_match(session, visit.answer.match, visit.answer.goto)
    pending = session.current.pending
    return _describe_match(session, pending, None) if pending is not None else None


def _describe_match(session: Session, result: MatchResult, goto: str | None) -> MatchedError:
    chosen = next((c for c in result.matches if c.node == goto), None)
    return MatchedError(
        message=clean(result.query),
        verdict=result.verdict,
        cause=chosen.node if chosen else None,
        cause_title=clean(chosen.title) if chosen else None,
        pattern=clean(chosen.pattern) if chosen else None,
        score=chosen.score if chosen else None,
        params={k: [clean(v) for v in vs] for k, vs in (chosen.params if chosen else {}).items()},
        notice=result.notice,
    )


def _form_fields(flow: Flow, outcome: OutcomeNode | None) -> list[CollectField]:
    """The outcome's form; in progress, the flow's first support form, so an agent sees what is known so far."""
    if outcome is not None:
        return list(outcome.collect)
    for node in flow.nodes.values():
        if isinstance(node, OutcomeNode) and node.result is OutcomeResult.contact_support and node.collect:
            return list(node.collect)
    return []


def _form(fields: list[CollectField], values: dict[str, str], answered: dict[str, str]) -> list[FormField]:
    """The form's fields with their values; answers no field takes go to the additional-details field."""
    mapped = {f.value for f in fields if f.value is not None}
    extra = [
        f"{title}: {clean(values[name])}" for name, title in answered.items() if name not in mapped and values.get(name)
    ]
    form = []
    for f in fields:
        value = _value_of(f, values)
        if f.field == ADDITIONAL_DETAILS_FIELD and extra:
            value = "\n".join([value, "", *extra] if value else extra)
        form.append(FormField(field=f.field, label=clean(f.label), value=value, required=f.required))
    return form


def _answered_inputs(session: Session) -> dict[str, str]:
    """The names of the values typed in at input steps, each with its step's title, in the order asked."""
    answered: dict[str, str] = {}
    for visit in session.history:
        answer = visit.answer
        if answer is not None and answer.kind == "text" and answer.store:
            node = session.flow.nodes.get(visit.node)
            answered[answer.store] = clean((node.title if node else None) or answer.store)
    return answered


def _value_of(field: CollectField, values: dict[str, str]) -> str | None:
    """The kept value filling ``field``; an empty answer counts as not given."""
    if field.value is None:
        return None
    return clean(values.get(field.value, "")) or None


# --- Markdown ---------------------------------------------------------------------


def md_value(text: str, indent: str = "") -> str:
    """A value after a label: escaped inline when on one line, else a fenced block on the lines below."""
    if "\n" not in text:
        return md_escape(text)
    return "\n" + md_block(text, indent)


def render_markdown(summary: CaseSummary) -> str:
    """The summary as Markdown; every piece of user and flow text shows literally."""
    out = [f"# Case summary: {md_escape(summary.issue.flow_title)}", ""]
    out += _md_overview(summary)
    if summary.outcome is not None:
        label = RESULT_LABELS[summary.outcome.result]
        out += ["", "## Outcome", "", f"**{label}**: {md_escape(summary.outcome.title)}"]
    if summary.form:
        out += ["", "## Support form", ""]
        out += [_md_field(f) for f in summary.form]
        if summary.missing:
            labels = ", ".join(md_escape(f.field) for f in summary.form if f.missing)
            out += ["", f"Still needed on the form: {labels}."]
    if summary.match is not None:
        out += ["", "## Error message", "", *_md_match(summary.match)]
    if summary.checks:
        out += ["", "## Checks", ""]
        out += [_md_check(c) for c in summary.checks]
    out += ["", "## Steps taken", ""]
    out += [_md_step(i, s) for i, s in enumerate(summary.steps, 1)] or ["No answers yet."]
    if summary.notes:
        out += ["", "## Agent notes", ""]
        out += [f"- {md_value(n, '  ')}" for n in summary.notes]
    return "\n".join(out) + "\n"


def _md_overview(summary: CaseSummary) -> list[str]:
    issue = summary.issue
    version = md_escape(issue.flow_version)
    lines = [f"- **Flow:** {md_escape(issue.flow_title)} ({md_escape(issue.flow_id)}, version {version})"]
    if issue.article_title:
        article = md_escape(issue.article_title)
        if issue.article_url:
            article += f" ({md_escape(issue.article_url)})"
        lines.append(f"- **Article:** {article}")
    status = "finished" if summary.outcome is not None else f"in progress, at {md_escape(summary.current_step)}"
    lines += [
        f"- **Status:** {status}",
        f"- **Session:** {md_escape(summary.session_id)}",
        f"- **Started:** {md_escape(summary.created)}; **updated:** {md_escape(summary.updated)}",
    ]
    return lines


def _md_field(field: FormField) -> str:
    head = f"- **{md_escape(field.label)}** ({md_escape(field.field)}{', required' if field.required else ''}):"
    if field.value:
        return f"{head} {md_value(field.value, '  ')}"
    return f"{head} *missing*" if field.required else f"{head} *not given*"


def _md_match(match: MatchedError) -> list[str]:
    lines = [md_block(match.message), ""]
    if match.cause is not None:
        lines.append(f"- **Cause:** {md_escape(match.cause_title or match.cause)} ({md_escape(match.cause)})")
    verdict = {"match": "confident match", "ambiguous": "several possible causes", "none": "no known error"}
    score = f", score {match.score:g}" if match.score is not None else ""
    lines.append(f"- **Verdict:** {verdict[match.verdict]}{score}")
    if match.pattern:
        lines.append(f"- **Known error:** {md_escape(match.pattern)}")
    if match.params:
        lines.append(f"- **In the message:** {md_escape(_params(match.params))}")
    if match.notice:
        lines.append(f"- **Note:** {md_escape(match.notice)}")
    return lines


def _checked(check: CheckRecord) -> str:
    """What was checked, where and when: ``domain=contoso.com, tenant=...; asked URL at TIME``."""
    inputs = ", ".join(f"{k}={v}" for k, v in check.inputs.items())
    where = f"asked {check.sent_to}" if check.sent_to else "nothing sent"
    return f"{inputs}; {where}; {check.checked_at}"


def _md_check(check: CheckRecord) -> str:
    return (
        f"- **{md_escape(check.check)}: {md_escape(check.result)}**: {md_escape(check.message)}  \n"
        f"  {md_escape(_checked(check))}"
    )


def _params(params: dict[str, list[str]]) -> str:
    """Variable parts of a message, by kind: ``guid: a, b; domain: c``."""
    return "; ".join(f"{kind}: {', '.join(found)}" for kind, found in params.items())


def _md_step(number: int, step: StepRecord) -> str:
    marker = f"{number}. "
    indent = " " * len(marker)
    head = f"{marker}**{md_escape(step.title)}**"
    if step.question and step.question != step.title:
        head += f": {md_escape(step.question)}"
    return f"{head}  \n{indent}→ {md_value(step.answer, indent)}"


# --- plain text -------------------------------------------------------------------


def render_form_text(summary: CaseSummary) -> str:
    """The support form's fields as plain text, each label then its value: to copy into the form at once."""
    out = []
    for f in summary.form:
        out += [f.label, f.value or ("(missing: required)" if f.required else "(not given)"), ""]
    return "\n".join(out)


def render_text(summary: CaseSummary) -> str:
    """The summary as plain text, for the clipboard or a support form's description box."""
    issue = summary.issue
    out = [f"Case summary: {issue.flow_title}", ""]
    out.append(f"Flow: {issue.flow_title} ({issue.flow_id}, version {issue.flow_version})")
    if issue.article_title:
        out.append(f"Article: {issue.article_title}" + (f" ({issue.article_url})" if issue.article_url else ""))
    out.append("Status: " + ("finished" if summary.outcome else f"in progress, at {summary.current_step}"))
    out.append(f"Session: {summary.session_id}")
    if summary.outcome is not None:
        out += ["", f"Outcome: {RESULT_LABELS[summary.outcome.result]}: {summary.outcome.title}"]
    if summary.form:
        out += ["", "Support form:"]
        for f in summary.form:
            value = f.value or ("(missing)" if f.required else "(not given)")
            out.append(f"- {f.label} [{f.field}]: {_text_value(value, '    ')}")
    if summary.match is not None:
        m = summary.match
        out += ["", "Error message:", _indent(m.message, "    ")]
        if m.cause:
            out.append(f"Cause: {m.cause_title or m.cause} ({m.cause})")
        if m.params:
            out.append(f"In the message: {_params(m.params)}")
    if summary.checks:
        out += ["", "Checks:"]
        for c in summary.checks:
            out += [f"- {c.check}: {c.result}: {c.message}", f"  {_checked(c)}"]
    out += ["", "Steps taken:"]
    for i, s in enumerate(summary.steps, 1):
        asked = f": {s.question}" if s.question and s.question != s.title else ""
        out.append(f"{i}. {s.title}{asked}")
        out.append(f"   -> {_text_value(s.answer, '      ')}")
    if not summary.steps:
        out.append("(none yet)")
    if summary.notes:
        out += ["", "Agent notes:"]
        out += [f"- {_text_value(n, '  ')}" for n in summary.notes]
    return "\n".join(out) + "\n"


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else "" for line in text.split("\n"))


def _text_value(text: str, indent: str) -> str:
    return text if "\n" not in text else "\n" + _indent(text, indent)


# --- saving -----------------------------------------------------------------------


class SavedSummary(NamedTuple):
    """Where a summary was written."""

    markdown: Path
    json: Path


def summaries_dir() -> Path:
    """The default folder for saved summaries: ``summaries/`` in the data folder."""
    return data_dir() / SUMMARIES_DIR


def save_summary(
    summary: CaseSummary, folder: Path | str | None = None, *, replace: SavedSummary | None = None
) -> SavedSummary:
    """Write the summary as Markdown and JSON (each atomically) under a name no file has yet.

    Nothing saved is overwritten: a second save of the same session (a restarted
    run, a second ``selfhelp summary --save``) gets ``-2``, ``-3``... in its name,
    unless ``replace`` names the files to update: the ones this run saved before.
    """
    target = Path(folder) if folder is not None else summaries_dir()
    # Ids come from files a user could edit: keep only safe characters in the file name.
    sid = re.sub(r"[^A-Za-z0-9_-]", "_", summary.session_id)[:12] or "session"
    stem = f"case-{summary.issue.flow_id}-{sid}"
    saved = replace if replace is not None else _free_name(target, stem)
    write_atomic(saved.markdown, render_markdown(summary))
    write_atomic(saved.json, summary.to_json())
    return saved


def _free_name(folder: Path, stem: str) -> SavedSummary:
    """The first of ``stem``, ``stem-2``, ``stem-3``... with neither its Markdown nor its JSON file present."""
    number = 1
    while True:
        name = stem if number == 1 else f"{stem}-{number}"
        saved = SavedSummary(markdown=folder / f"{name}.md", json=folder / f"{name}.json")
        if not saved.markdown.exists() and not saved.json.exists():
            return saved
        number += 1
