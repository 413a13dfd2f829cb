"""The flow format: pydantic models for one YAML decision-tree flow.

A flow mirrors one troubleshooting article. It is a graph of nodes keyed by id;
each node is one step of the conversation. The node ``kind`` picks its model:

- ``question``: a choice between options, each leading to a node.
- ``input``: free text, checked by validators and kept under a name.
- ``match``: the user pastes an error message; it is matched against the
  error patterns declared on the flow's ``cause`` nodes.
- ``cause``: Markdown explaining a cause and the next step, then a way on.
- ``outcome``: an end: resolved, contact support, wait, or redirect.
- ``check``: run a built-in check (see :mod:`selfhelp.flow.check_specs`) on kept
  values, and go on by its result.

Conditions are data (compare a kept value with constants); nothing in a flow
is ever evaluated as code.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from selfhelp.base import safe_regex
from selfhelp.base.text import find_unsafe
from selfhelp.flow.check_specs import CHECK_SPECS

#: Ids of nodes, flows, choices and kept values: lower-case words joined by - or _.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
NAME_PATTERN = r"^[a-z_][a-z0-9_]*$"
#: A link's address: http(s), no spaces.
URL_PATTERN = r"^https?://\S+$"

#: The kinds of variable part the error matcher finds in a pasted message.
ParamKind = Literal["guid", "email", "url", "domain", "date", "id", "number"]

NodeId = Annotated[str, Field(pattern=ID_PATTERN, max_length=100)]
ValueName = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]


def _texts(value: Any) -> list[str]:
    """The strings held by a field's value (a string, or a list or mapping of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        return [t for pair in value.items() for t in pair if isinstance(t, str)]
    return []


class Strict(BaseModel):
    """Base for every flow model: unknown fields are errors, models are frozen, text is plain.

    Numbers and yes/no fields are strict too (``StrictInt``, ``StrictBool``, ``StrictFloat``): a flow is
    authored text, so ``max: "4000"`` or ``multiline: "yes"`` is a mistake to report, not a value to guess.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        # A flow's text reaches terminals, summaries and case files: an escape sequence in it would act there.
        # The characters refused are those base.text removes from what is shown, so a flow shows as written.
        for text in _texts(value):
            found = find_unsafe(text)
            if found is not None:
                raise ValueError(f"the text holds the control character U+{ord(found):04X}; flows hold plain text")
        return value


class SourceRef(Strict):
    """The article a flow mirrors, copied from the article's ``<properties>`` header."""

    article_id: str = Field(min_length=1)
    """The article's ``articleId``."""
    title: str = Field(min_length=1)
    """The article's page title."""
    url: str | None = None
    """Where the article is published, if it is."""
    path: str | None = None
    """The article's file name, for tools that compare the flow with it."""
    support_topic_ids: list[str] = []
    """The article's ``supportTopicIds``."""
    product_ids: list[str] = []
    """The article's ``productPesIds``."""
    metadata: dict[str, str] = {}
    """The header's other attributes (``authors``, ``ownershipId``, ...), names and values as written."""


class Link(Strict):
    """A document recommended to the user."""

    title: str = Field(min_length=1)
    """The text shown for the link."""
    url: str = Field(pattern=URL_PATTERN)
    """An http(s) address."""


class Condition(Strict):
    """A test of one kept value against constants. Exactly one test is given."""

    value: ValueName
    """The name of the kept value to test."""
    equals: str | None = None
    """True when the value equals this text (case-insensitive)."""
    not_equals: str | None = None
    """True when the value differs from this text (case-insensitive)."""
    one_of: list[str] | None = None
    """True when the value equals one of these texts (case-insensitive)."""
    is_set: StrictBool | None = None
    """True when the value has (``true``) or has not (``false``) been kept."""

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Condition:
        given = [t for t in ("equals", "not_equals", "one_of", "is_set") if getattr(self, t) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of equals, not_equals, one_of, is_set")
        return self


class Branch(Strict):
    """One possible way on: taken when its condition holds (or always, without one)."""

    goto: NodeId
    """The node to go to."""
    when: Condition | None = None
    """The condition under which this branch is taken; the first branch that holds wins."""


class Choice(Strict):
    """One answer to a question."""

    label: str = Field(min_length=1, max_length=200)
    """The answer as shown to the user."""
    goto: NodeId | None = None
    """The node this answer leads to."""
    value: str | None = None
    """What is kept under the question's ``store`` name when chosen (default: the label)."""
    when: Condition | None = None
    """Offer this choice only when the condition holds."""


class ValidatorKind(StrEnum):
    """The checks an input answer can be given."""

    required = "required"
    regex = "regex"
    guid = "guid"
    domain = "domain"
    max_length = "max_length"


#: The pydantic error type of a regex validator whose pattern RE2 cannot run (rule ``regex-unsupported``).
REGEX_UNSUPPORTED = "regex_unsupported"


class InputValidator(Strict):
    """A check of a free-text answer, with the message shown when it fails."""

    type: ValidatorKind
    """Which check: required, regex, guid, domain or max_length."""
    pattern: str | None = None
    """The regular expression the whole answer must match (``regex`` only)."""
    max: StrictInt | None = Field(default=None, ge=1)
    """The longest answer allowed, in characters (``max_length`` only)."""
    message: str | None = None
    """What to tell the user when the answer fails this check."""

    @field_validator("pattern")
    @classmethod
    def _pattern_runs_on_re2(cls, pattern: str | None, info: ValidationInfo) -> str | None:
        # Answers are judged by RE2, in time linear in their length: a pattern it cannot run is refused here,
        # so that no flow that loads can freeze the app on an answer (see selfhelp.base.safe_regex).
        if pattern and info.data.get("type") is ValidatorKind.regex:
            try:
                safe_regex.check(pattern)
            except re.error as exc:
                raise ValueError(f"the pattern is not a valid regular expression: {exc}") from None
            except safe_regex.UnsupportedPattern as exc:
                raise PydanticCustomError(
                    REGEX_UNSUPPORTED, "{reason}", {"reason": str(exc), "hint": exc.hint}
                ) from None
        return pattern

    @model_validator(mode="after")
    def _parameters_fit_type(self) -> InputValidator:
        if self.type is ValidatorKind.regex:
            if not self.pattern:
                raise ValueError("a regex validator needs a pattern")
        elif self.pattern is not None:
            raise ValueError(f"pattern belongs to regex validators, not {self.type.value}")
        if self.type is ValidatorKind.max_length and self.max is None:
            raise ValueError("a max_length validator needs max")
        if self.type is not ValidatorKind.max_length and self.max is not None:
            raise ValueError(f"max belongs to max_length validators, not {self.type.value}")
        return self


class NodeBase(Strict):
    """What every node has."""

    title: str | None = Field(default=None, max_length=200)
    """A short heading for the step (breadcrumbs and trees show it)."""
    text: str = ""
    """The step's body, in Markdown."""
    source: str | None = None
    """The article section this node mirrors (its heading)."""
    source_block: StrictInt | None = Field(default=None, ge=0)
    """The block of the section it mirrors, in reading order: 1 = first paragraph, list item or step; 0 = heading."""
    source_hash: str | None = None
    """A hash of the cited block's (else the section's) text when the node was written, for drift checks."""
    links: list[Link] = []
    """Documents recommended at this step."""
    lint_off: dict[str, str] = {}
    """Lint rules switched off for this node, each with the reason why (``rule-id: reason``)."""


class QuestionNode(NodeBase):
    """A question with a fixed set of answers."""

    kind: Literal["question"]
    choices: list[Choice] = Field(min_length=1)
    """The answers offered, in order."""
    store: ValueName | None = None
    """Keep the chosen answer's ``value`` under this name."""


class InputNode(NodeBase):
    """A free-text answer, checked and kept under a name."""

    kind: Literal["input"]
    store: ValueName
    """The name the answer is kept under."""
    placeholder: str | None = None
    """A hint shown in the empty input box."""
    multiline: StrictBool = False
    """Whether the answer may span several lines."""
    prefill: ParamKind | None = None
    """Offer the first value of this kind found in a pasted error message (a GUID, a domain, ...) as the answer."""
    validators: list[InputValidator] = []
    """Checks the answer must pass, in order; the first that fails is reported."""
    next: NodeId | list[Branch] | None = None
    """Where to go once the answer is accepted."""


class MatchNode(NodeBase):
    """The user pastes an error message; it is matched against the flow's causes."""

    kind: Literal["match"]
    placeholder: str | None = None
    """A hint shown in the empty paste box."""
    store: ValueName = "error_message"
    """The name the pasted text is kept under."""
    candidates: list[NodeId] | None = None
    """The cause nodes to match against (default: every cause with error patterns)."""
    no_match: NodeId | None = None
    """Where to go when nothing matches, or the user rejects the suggestions."""


class CauseNode(NodeBase):
    """A cause of the problem: what it means and what to do next."""

    kind: Literal["cause"]
    errors: list[str] = []
    """Error messages (or parts of them) that point at this cause, as users see them."""
    next: NodeId | list[Branch] | None = None
    """Where to go after reading (use ``choices`` to ask instead)."""
    choices: list[Choice] = []
    """Answers to a closing question such as "Did this fix it?"."""
    store: ValueName | None = None
    """Keep the chosen answer's ``value`` under this name."""

    @field_validator("errors")
    @classmethod
    def _errors_not_blank(cls, errors: list[str]) -> list[str]:
        if any(not e.strip() for e in errors):
            raise ValueError("an error pattern must not be blank")
        return errors


class OutcomeResult(StrEnum):
    """How a conversation ends."""

    resolved = "resolved"
    """The user's problem is fixed."""
    contact_support = "contact_support"
    """Nothing here fixes it: open a support case with what was collected."""
    wait = "wait"
    """Nothing to do yet: the claim is in a process with a timeline."""
    redirect = "redirect"
    """The problem belongs to another article or flow."""


class CollectField(Strict):
    """One field of a support case, pre-filled from the conversation where possible."""

    field: str = Field(min_length=1)
    """The support form's field id (for example ``customer_tenant_id``)."""
    label: str = Field(min_length=1)
    """The field's label as the form shows it."""
    value: ValueName | None = None
    """The kept value that fills it, if the flow asks for it."""
    required: StrictBool = False
    """Whether the support form requires it."""


class OutcomeNode(NodeBase):
    """An end of the conversation."""

    kind: Literal["outcome"]
    result: OutcomeResult
    """resolved, contact_support, wait or redirect."""
    collect: list[CollectField] = []
    """For contact_support: the support form's fields and where their values come from."""
    redirect_flow: NodeId | None = None
    """For redirect: the id of the flow to continue in, if there is one."""


class CheckNode(NodeBase):
    """A built-in check run on kept values (for example: does this domain belong to this tenant?).

    The step says what will be sent where and, unless online checks are on, asks first. Each result of the
    check is a way on; ``unavailable`` (offline, switched off, no clear answer) leads back to asking the user.
    """

    kind: Literal["check"]
    check: str
    """The built-in check to run, by name (``tenant-domain``)."""
    inputs: dict[str, ValueName]
    """Each input of the check -> the kept value that gives it (``tenant: tenant_id``)."""
    results: dict[str, NodeId]
    """Each result of the check -> the node it leads to; every result the check can give is routed."""
    store: ValueName | None = None
    """Keep the result's name (``match``, ``mismatch``...) under this name."""

    @field_validator("check")
    @classmethod
    def _known_check(cls, name: str) -> str:
        if name not in CHECK_SPECS:
            raise ValueError(f"unknown check {name!r}; the built-in checks are: {', '.join(CHECK_SPECS)}")
        return name

    @field_validator("inputs", "results")
    @classmethod
    def _fits_check(cls, given: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        spec = CHECK_SPECS.get(info.data.get("check", ""))
        if spec is not None and info.field_name is not None:
            wanted = spec.inputs if info.field_name == "inputs" else spec.results
            _same_names(info.field_name, spec.name, set(given), wanted)
        return given


def _same_names(field: str, check: str, given: set[str], wanted: tuple[str, ...]) -> None:
    """Refuse a mapping whose keys are not exactly the check's own names (a typo routes nothing)."""
    unknown = sorted(given - set(wanted))
    missing = [name for name in wanted if name not in given]
    if unknown:
        raise ValueError(f"check {check!r} has no {field[:-1]} {unknown[0]!r}; its {field}: {', '.join(wanted)}")
    if missing:
        raise ValueError(f"{field} must give every {field[:-1]} of check {check!r}; missing: {', '.join(missing)}")


Node = Annotated[
    QuestionNode | InputNode | MatchNode | CauseNode | OutcomeNode | CheckNode,
    Field(discriminator="kind"),
]

NODE_KINDS: tuple[str, ...] = ("question", "input", "match", "cause", "outcome", "check")

#: The fields of each node kind that name the nodes it leads to, in reading order. A field holds an id
#: (``next``, ``no_match``), a list of entries each with a ``goto`` (``choices``, ``next`` as branches), a
#: mapping of a check's results to ids (``results``), or the ids of the causes a match step may match
#: (``candidates``, see :meth:`Flow.candidate_causes`).
#: :meth:`Flow.targets` reads them from a valid flow; the validator's graph reads them from raw data.
TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    "question": ("choices",),
    "input": ("next",),
    "match": ("no_match", "candidates"),
    "cause": ("choices", "next"),
    "outcome": (),
    "check": ("results",),
}


class MatchSettings(Strict):
    """Per-flow overrides of the error matcher's thresholds (scores are 0-100)."""

    match_threshold: StrictFloat | None = Field(default=None, ge=0, le=100)
    """The score at or above which a match is confident."""
    candidate_threshold: StrictFloat | None = Field(default=None, ge=0, le=100)
    """The score at or above which a cause is offered as a "did you mean"."""
    match_margin: StrictFloat | None = Field(default=None, ge=0, le=100)
    """How many points a confident match must lead the runner-up by; closer than that, both are offered."""
    elsewhere: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(default_factory=list, max_length=200)
    """Phrases of problems this flow does not handle (near misses): a message closest to one gets no match."""
    vocabulary: dict[
        Annotated[str, Field(min_length=1, max_length=100)],
        Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(min_length=1, max_length=50)],
    ] = Field(default_factory=dict, max_length=200)
    """Synonyms: each phrase and the other ways of saying it, read as that phrase in patterns and messages alike."""
    examples: str | None = Field(default=None, min_length=1, max_length=300)
    """A file of labelled example messages (a path relative to the flow file, such as ``<flow id>.examples.yaml``),
    indexed beside the flow's patterns (see :mod:`selfhelp.flow.examples`)."""

    @model_validator(mode="after")
    def _one_meaning_per_variant(self) -> MatchSettings:
        # A variant under two phrases, or a phrase that is its own variant, would make the reading depend on order.
        seen: dict[str, str] = {}
        for phrase, variants in self.vocabulary.items():
            for variant in variants:
                key = " ".join(variant.casefold().split())
                if key == " ".join(phrase.casefold().split()):
                    raise ValueError(f"vocabulary: {variant!r} is the phrase {phrase!r} itself")
                if key in seen:
                    raise ValueError(f"vocabulary: {variant!r} is listed under both {seen[key]!r} and {phrase!r}")
                seen[key] = phrase
        return self


class Flow(Strict):
    """One troubleshooting flow: a decision tree mirroring one article."""

    id: NodeId
    """The flow's id, unique across all loaded flows."""
    title: str = Field(min_length=1, max_length=200)
    """The flow's name as shown in pickers."""
    description: str = ""
    """One or two sentences on what the flow diagnoses (Markdown)."""
    version: str = Field(min_length=1, max_length=40)
    """The flow's version; saved sessions record it."""
    source: SourceRef | None = None
    """The article this flow mirrors."""
    start: NodeId
    """The id of the first node."""
    matching: MatchSettings = MatchSettings()
    """Overrides of the error matcher's thresholds for this flow."""
    nodes: dict[NodeId, Node] = Field(min_length=1)
    """The flow's nodes, keyed by id."""
    _origin: Path | None = PrivateAttr(default=None)

    @property
    def origin(self) -> Path | None:
        """The file the flow was loaded from (``None`` for a flow given as text): its examples file is beside it."""
        return self._origin

    def loaded_from(self, path: Path) -> Flow:
        """Record the file the flow was loaded from; returns the flow."""
        self._origin = path
        return self

    def node(self, node_id: str) -> AnyNode:
        """Return the node with this id (``KeyError`` if there is none)."""
        return self.nodes[node_id]

    def causes(self) -> list[tuple[str, CauseNode]]:
        """The cause nodes, in file order."""
        return [(nid, n) for nid, n in self.nodes.items() if isinstance(n, CauseNode)]

    def candidate_causes(self, node: MatchNode) -> list[tuple[str, CauseNode]]:
        """The causes a match step can lead to: those its ``candidates`` list that have error patterns
        (in the listed order), or without ``candidates`` every cause with error patterns (in file order).

        A cause without patterns cannot be matched, so it is no way on even when listed.
        """
        patterned = [(nid, cause) for nid, cause in self.causes() if cause.errors]
        if node.candidates is None:
            return patterned
        by_id = dict(patterned)
        return [(nid, by_id[nid]) for nid in node.candidates if nid in by_id]

    def targets(self, node: AnyNode) -> list[str]:
        """Every node id ``node`` can lead to, in the order of :data:`TARGET_FIELDS` (duplicates kept).

        A choice without a ``goto`` leads nowhere; a match step leads to its ``no_match`` and to the
        causes it can match (:meth:`candidate_causes`). Ids are as written: one may name no node.
        """
        found: list[str] = []
        for name in TARGET_FIELDS[node.kind]:
            if isinstance(node, MatchNode) and name == "candidates":
                found += [nid for nid, _ in self.candidate_causes(node)]
            else:
                found += _written_targets(getattr(node, name))
        return found


AnyNode = QuestionNode | InputNode | MatchNode | CauseNode | OutcomeNode | CheckNode


def _written_targets(value: str | list[Choice] | list[Branch] | dict[str, str] | None) -> list[str]:
    """The ids one target field holds: the id itself, each entry's ``goto``, or a mapping's ids."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return list(value.values())
    return [entry.goto for entry in value or [] if entry.goto]
