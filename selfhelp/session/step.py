"""The step a user sees: what the engine shows, the first-paint cache keeps and the app renders.

One model for all three, as frozen dataclasses over plain values: the engine
makes a :class:`StepView` from the current node (:meth:`Session.step`), the app
renders it, and the first-paint cache stores it with :meth:`StepView.to_data`
and reads it back with :meth:`StepView.from_data`. Standard library only, so the
cache can be read and the first question painted before pydantic is imported.

``from_data`` checks every value against the field types written below (a
damaged cache file must be a miss, never a wrong screen or a crash): a field
added here is stored and checked with no other change, but the cache's format
number must be bumped so that older files are dropped.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

ChoiceKind = Literal["choice", "continue", "skip", "candidate", "none_of_these", "check"]
InputKind = Literal["input", "match"]


class StepDataError(ValueError):
    """Plain data that is not a step (a damaged or outdated cache)."""


@dataclasses.dataclass(frozen=True)
class LinkView:
    """A document recommended under a step."""

    title: str
    """The text shown for the link."""
    url: str
    """An http(s) address."""


@dataclasses.dataclass(frozen=True)
class ChoiceView:
    """One answer offered at a step."""

    label: str
    """The text shown."""
    target: str | None
    """The node it leads to (``None`` for 'none of these' without a fallback, or no condition holding)."""
    kind: ChoiceKind = "choice"
    """What picking it means: a flow's choice, Continue, skipping the paste (or a check), a suggested cause, none of
    these, or agreeing to run a check step's online check."""


@dataclasses.dataclass(frozen=True)
class InputSpec:
    """What a free-text step expects."""

    kind: InputKind
    """A checked answer (``input``), or an error message to match (``match``)."""
    placeholder: str | None = None
    """A hint shown in the empty box."""
    multiline: bool = False
    """Whether the answer may span lines (a pasted message)."""
    required: bool = False
    """Whether an empty answer is refused."""
    expects: tuple[str, ...] = ()
    """Human descriptions of the checks the answer must pass."""
    default: str | None = None
    """A value already known for this step (from presets or an earlier paste)."""
    prefilled: bool = False
    """Whether ``default`` was taken from the pasted message (not typed by the user): worth a check."""


@dataclasses.dataclass(frozen=True)
class StepView:
    """Everything a user interface needs to show one step."""

    node_id: str
    """The node's id."""
    kind: str
    """The node's kind: question, cause, input, match or outcome."""
    title: str | None
    """The node's title."""
    text: str
    """The node's text (Markdown)."""
    source: str | None
    """The article section the node comes from."""
    links: tuple[LinkView, ...] = ()
    """Documents recommended under the step."""
    choices: tuple[ChoiceView, ...] = ()
    """The answers offered (none on an answered step of the transcript)."""
    input: InputSpec | None = None
    """What a free-text step takes; ``None`` when it takes a choice (or nothing)."""
    previous_answer: str | None = None
    """The answer given here before going back, to show (and offer again)."""
    pending: str | None = None
    """The pasted message of an ambiguous match awaiting a pick: the choices are its candidates."""
    outcome: str | None = None
    """How the conversation ends here (``resolved``, ``contact_support``, ...); ``None`` for other steps."""

    def to_data(self) -> dict[str, Any]:
        """The step as plain JSON-ready data (read back by :meth:`from_data`)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_data(cls, data: object) -> StepView:
        """A step from :meth:`to_data`'s form (lists for tuples, as JSON gives them back).

        Raises:
            StepDataError: a field is missing, unknown, or of the wrong type.
        """
        return _build(cls, data, "step")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _build(tp: Any, value: object, where: str) -> Any:
    """``value`` checked against the type ``tp`` (and turned into dataclasses and tuples)."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return _build_dataclass(tp, value, where)  # type: ignore[arg-type]
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in typing.get_args(tp):
            return None
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if len(options) != 1:
            raise TypeError(f"unsupported type {tp!r}")  # a programming error here, not damaged data
        return _build(options[0], value, where)
    if origin is Literal:
        if value not in typing.get_args(tp) or not isinstance(value, str):
            raise StepDataError(f"{where}: {value!r} is not one of {typing.get_args(tp)}")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise StepDataError(f"{where}: expected a list, got {type(value).__name__}")
        item = typing.get_args(tp)[0]
        return tuple(_build(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if tp in (str, bool, int):
        if type(value) is not tp:  # exact: True is not an int here, nor 1 a bool
            raise StepDataError(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
        return value
    raise TypeError(f"unsupported type {tp!r}")


def _build_dataclass(cls: type, value: object, where: str) -> Any:
    if not isinstance(value, dict):
        raise StepDataError(f"{where}: expected an object, got {type(value).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(str(key) for key in value if key not in fields)
    if unknown:
        raise StepDataError(f"{where}: unknown field {unknown[0]!r}")
    missing = [name for name in fields if name not in value]
    if missing:
        raise StepDataError(f"{where}: missing field {missing[0]!r}")
    hints = _hints(cls)
    return cls(**{name: _build(hints[name], value[name], f"{where}.{name}") for name in fields})
