"""Settings files: YAML read with the safe loader, then checked against a pydantic model.

One loader for every settings file (the app's ``config.yaml``, a project's
``.selfhelp.yaml``), so that they all behave alike:

- a missing file, or one that holds nothing (empty, comments only, ``null``),
  means the model's defaults, and is no problem;
- the YAML is loaded by :mod:`selfhelp.base.safe_yaml`: duplicate keys, unsafe
  tags, runaway aliases and deep nesting are problems, never a crash;
- the data is then validated by the model, and every error becomes a
  :class:`~selfhelp.base.diagnostics.Diagnostic` at the setting's line and
  column, with a hint (did-you-mean for an unknown setting, else what the
  setting holds, from the field's docstring);
- a file with any problem gives the defaults: settings are never half applied.

Nothing here raises for a bad file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from selfhelp.base.diagnostics import Diagnostic, Severity, display_path
from selfhelp.base.safe_yaml import MAX_BYTES, LoadedYaml, Path_, load_file
from selfhelp.base.suggest import did_you_mean

M = TypeVar("M", bound=BaseModel)

#: Words of the safe loader that speak of flows, reworded for a settings file: rule -> (message or None, hint).
_SETTINGS_WORDS: dict[str, tuple[str | None, str]] = {
    "file-too-large": (f"the file is larger than {MAX_BYTES:,} bytes", "a settings file needs only a few lines"),
    "binary-file": (None, "settings files are UTF-8 text files"),
    "too-deep": (None, "settings need only a few levels of nesting"),
    "unsafe-tag": (None, "settings are plain YAML values: remove the tag"),
}

#: Pydantic error types that mean "a value of another kind was expected here", and that kind in the file's words.
_EXPECTED = {
    "model_type": "a mapping (name: value lines)",
    "model_attributes_type": "a mapping (name: value lines)",
    "dict_type": "a mapping (name: value lines)",
    "list_type": "a list",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
}


@dataclass(frozen=True)
class LoadedSettings(Generic[M]):
    """What reading one settings file gave: the settings (or the defaults) and every problem."""

    settings: M
    """The settings read, or the model's defaults when the file is missing, empty or has any problem."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found, in file order; empty when the settings were read as written."""
    file: str
    """The file's name as the diagnostics give it."""
    rule: str
    """The rule id of problems with the settings themselves (YAML problems keep their own)."""
    yaml: LoadedYaml | None = None
    """The loaded YAML with its positions, when the file could be parsed."""

    def problem(self, where: Path_, message: str, hint: str | None) -> Diagnostic:
        """A problem found by a later check, at the position of the setting ``where``."""
        line, col = self.yaml.position(where, prefer_key=True) if self.yaml is not None else (0, 0)
        return Diagnostic(
            file=self.file,
            line=line,
            column=col,
            severity=Severity.error,
            rule=self.rule,
            message=message,
            hint=hint,
        )


def load_settings(path: Path, model: type[M], *, rule: str, display: str | None = None) -> LoadedSettings[M]:
    """Read the settings file ``path`` into ``model``; see the module docstring for the rules.

    Every field of ``model`` needs a default (the settings of a missing or broken
    file). ``rule`` is the rule id given to settings that do not fit the model;
    ``display`` is how diagnostics name the file (default: relative to the working folder).
    """
    shown = display_path(path) if display is None else display
    if not path.is_file():
        return LoadedSettings(model(), (), shown, rule)
    loaded = load_file(path, shown)
    if any(d.rule == "empty-file" for d in loaded.problems):
        return LoadedSettings(model(), (), shown, rule)
    result = LoadedSettings(model(), tuple(_reworded(d) for d in loaded.problems), shown, rule, loaded)
    if result.diagnostics:
        return result
    try:
        settings = model.model_validate(loaded.data if loaded.data is not None else {})
    except ValidationError as exc:
        problems = [_explain(error, model, result) for error in exc.errors(include_url=False)]
        return LoadedSettings(model(), tuple(sorted(problems, key=_position)), shown, rule, loaded)
    return LoadedSettings(settings, (), shown, rule, loaded)


def _position(diag: Diagnostic) -> tuple[int, int]:
    return (diag.line, diag.column)


def _reworded(diag: Diagnostic) -> Diagnostic:
    if diag.rule not in _SETTINGS_WORDS:
        return diag
    message, hint = _SETTINGS_WORDS[diag.rule]
    return diag.model_copy(update={"message": message or diag.message, "hint": hint})


def _explain(error: Any, model: type[BaseModel], result: LoadedSettings[Any]) -> Diagnostic:
    """One pydantic error as a diagnostic at the setting's place, in the file's words."""
    where: Path_ = tuple(p for p in error["loc"] if isinstance(p, str | int))
    name = ".".join(map(str, where)) or "the file"
    if error["type"] == "extra_forbidden":
        known = sorted(_fields(_model_at(model, where[:-1])))
        listed = f"known settings here: {', '.join(known)}" if known else "remove it"
        hint = did_you_mean(str(where[-1]), known) or listed
        return result.problem(where, f"{name}: unknown setting", hint)
    if error["type"] in _EXPECTED:
        message = f"{name}: expected {_EXPECTED[error['type']]}, got {_yaml_kind(error.get('input'))}"
    else:
        message = f"{name}: {error['msg']}"
    hint = _described(model, where)
    if hint is None:
        known = sorted(_fields(_model_at(model, where)))
        hint = f"known settings: {', '.join(known)}" if known else "see the documentation of this file"
    return result.problem(where, message, hint)


def _fields(model: type[BaseModel] | None) -> list[str]:
    return list(model.model_fields) if model is not None else []


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, when it holds one (not a list, mapping or plain value)."""
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _model_at(model: type[BaseModel], where: Path_) -> type[BaseModel] | None:
    """The model that describes the mapping at ``where``, if one does."""
    current: type[BaseModel] | None = model
    for part in where:
        field = current.model_fields.get(part) if current is not None and isinstance(part, str) else None
        current = _submodel(field.annotation) if field is not None else None
    return current


def _described(model: type[BaseModel], where: Path_) -> str | None:
    """``setting: what it holds`` for the deepest described setting on the way to ``where``."""
    current: type[BaseModel] | None = model
    found = None
    for depth, part in enumerate(where, 1):
        field = current.model_fields.get(part) if current is not None and isinstance(part, str) else None
        if field is None:
            break
        if field.description:
            found = f"{'.'.join(map(str, where[:depth]))}: {field.description}"
        current = _submodel(field.annotation)
    return found


def _yaml_kind(value: object) -> str:
    """What a YAML value is, in a settings author's words."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "nothing"
    return f"the text {str(value)[:40]!r}"
