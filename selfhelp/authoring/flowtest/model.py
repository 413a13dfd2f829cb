"""The scenario file format (``*.test.yaml``) as pydantic models, and loading it with positions.

A scenario file names the flow it tests and lists scenarios::

    flow: cpor-customer-association.yaml   # beside this file (the default drops ".test")
    scenarios:
      - name: tenant mismatch fixed
        steps:
          - choose: I get an error about the customer tenant ID or subdomain
            expect: {node: tenant-subdomain-mismatch}
          - choose: Yes, that fixed it
            expect: {outcome: resolved}

Each step does at most one thing (``choose``, ``type``, ``paste``, ``check`` or
``back``) and may check the session afterwards with ``expect``. ``check: RESULT``
answers a check step with that result (nothing is looked up: scenarios run
offline), as if the check had given it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from selfhelp.base.diagnostics import Diagnostic, Severity, display_path
from selfhelp.base.safe_yaml import LoadedYaml, Path_, load_file
from selfhelp.flow.models import ID_PATTERN, OutcomeResult

ACTIONS: tuple[str, ...] = ("choose", "type", "paste", "check", "back")


class _Strict(BaseModel):
    """Unknown fields are errors: a typo in a test must not silently test nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class MatchExpect(_Strict):
    """What the error matcher should have found for the latest pasted message."""

    verdict: Literal["match", "ambiguous", "none"] | None = None
    """match (one confident cause), ambiguous (a few to pick from) or none."""
    cause: str | None = Field(default=None, pattern=ID_PATTERN)
    """The id of the best candidate cause."""
    causes: list[str] | None = None
    """The ids of every candidate, best first (for ambiguous verdicts)."""
    params: dict[str, list[str]] | None = None
    """Variable parts extracted from the message, by kind (only the kinds given are compared)."""


class Expect(_Strict):
    """Checks of the session after a step; only the fields given are checked."""

    node: str | None = Field(default=None, pattern=ID_PATTERN)
    """The id of the node the session is at."""
    values: dict[str, str | None] | None = None
    """Kept values to compare; ``null`` means the value must not be kept."""
    match: MatchExpect | None = None
    """The matcher's verdict on the latest pasted message."""
    outcome: OutcomeResult | Literal["none"] | None = None
    """The outcome reached (resolved, contact_support, wait, redirect), or ``none`` for not finished."""
    choices: list[str] | None = None
    """The labels offered at the current step, in order."""
    refused: bool | str | None = None
    """The step's action was refused (``true``), or refused with a reason containing this text."""


class Step(_Strict):
    """One thing the user does, then what should be true."""

    choose: str | None = None
    """Pick the choice with this label (case-insensitive)."""
    type: str | None = None
    """Type this answer at an input step."""
    paste: str | None = None
    """Paste this error message at a match step."""
    check: str | None = None
    """Answer a check step with this result (``match``, ``unavailable``...) instead of running the check."""
    back: bool | None = None
    """Go back one step."""
    expect: Expect | None = None
    """What should be true after the action."""

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        given = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(given) > 1:
            raise ValueError(f"a step does one thing; this one gives {', '.join(given)}")
        if not given and self.expect is None:
            raise ValueError(f"a step needs one of {', '.join(ACTIONS)}, or expect")
        return self

    @property
    def action(self) -> str | None:
        """The action's name, or ``None`` for a step that only checks."""
        return next((a for a in ACTIONS if getattr(self, a) is not None), None)

    def describe(self) -> str:
        """The action as a person would say it."""
        action = self.action
        if action is None:
            return "check"
        if action == "back":
            return "back"
        return f"{action} {getattr(self, action)!r}"


class Scenario(_Strict):
    """One conversation to replay."""

    name: str = Field(min_length=1, max_length=200)
    """What the scenario shows; unique within its file."""
    description: str = ""
    """Why the scenario matters, if its name does not say."""
    presets: dict[str, str] = {}
    """Values known before the first step."""
    start: str | None = Field(default=None, pattern=ID_PATTERN)
    """The node to start at (default: the flow's start)."""
    steps: list[Step] = Field(min_length=1)
    """What the user does, in order."""


class ScenarioFile(_Strict):
    """A file of scenarios for one flow."""

    flow: str | None = None
    """The flow file, relative to this file (default: this file's name without ``.test``)."""
    scenarios: list[Scenario] = Field(min_length=1)
    """The scenarios, run in order, each on a fresh session."""

    @model_validator(mode="after")
    def _unique_names(self) -> ScenarioFile:
        seen: set[str] = set()
        for scenario in self.scenarios:
            if scenario.name in seen:
                raise ValueError(f"two scenarios are named {scenario.name!r}; give each its own name")
            seen.add(scenario.name)
        return self


@dataclass
class LoadedScenarios:
    """A scenario file as loaded: its model (``None`` when broken), positions and problems."""

    path: Path
    display: str
    model: ScenarioFile | None
    loaded: LoadedYaml
    problems: list[Diagnostic] = field(default_factory=list)

    def line_of(self, path: Path_) -> int:
        """The 1-based line of the value at ``path`` (or its closest parent)."""
        return self.loaded.position(path)[0]

    def flow_path(self) -> Path:
        """The flow file this scenario file tests."""
        if self.model is not None and self.model.flow:
            return (self.path.parent / self.model.flow).resolve()
        name = self.path.name
        for suffix in (".test.yaml", ".test.yml"):
            if name.endswith(suffix):
                return self.path.with_name(name[: -len(suffix)] + ".yaml")
        return self.path.with_suffix(".flow.yaml")


def _existing_path(data: Any, loc: tuple[Any, ...]) -> Path_:
    """The part of a pydantic error location that names real keys and indexes of ``data``."""
    path: list[str | int] = []
    for part in loc:
        is_key = isinstance(data, dict) and part in data
        is_index = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if is_key or is_index:
            data = data[part]
        else:
            continue
        path.append(part)
    return tuple(path)


def _diagnostics(exc: ValidationError, data: Any, loaded: LoadedYaml, display: str) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for err in exc.errors():
        path = _existing_path(data, err["loc"])
        line, col = loaded.position(path)
        where = ".".join(str(p) for p in path) or "the file"
        message = str(err["msg"]).removeprefix("Value error, ")
        hint = None
        if err["type"] == "extra_forbidden":
            hint = "scenario files know: flow, scenarios; name, description, presets, start, steps; " + ", ".join(
                (*ACTIONS, "expect")
            )
        elif err["type"] == "string_type" and isinstance(err.get("input"), (bool, int, float)):
            hint = "YAML read this as a number or yes/no: put it in quotes"
        diags.append(
            Diagnostic(
                file=display,
                line=line,
                column=col,
                severity=Severity.error,
                rule="bad-scenario-file",
                message=f"{where}: {message}",
                hint=hint,
            )
        )
    return diags


def _finish(path: Path, display: str, loaded: LoadedYaml) -> LoadedScenarios:
    problems = list(loaded.problems)
    model = None
    if loaded.data is not None and not problems:
        try:
            model = ScenarioFile.model_validate(loaded.data)
        except ValidationError as exc:
            problems += _diagnostics(exc, loaded.data, loaded, display)
    return LoadedScenarios(path=path, display=display, model=model, loaded=loaded, problems=problems)


def load_scenarios(path: Path) -> LoadedScenarios:
    """Load and check one scenario file; problems come back as diagnostics, never exceptions."""
    display = display_path(path)
    return _finish(path, display, load_file(path, display))
