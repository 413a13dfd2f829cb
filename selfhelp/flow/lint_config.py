"""Switching lint rules off: per project (a ``.selfhelp.yaml`` file) and per node (``lint_off:``).

Only rules whose breach still leaves a runnable flow can be switched off (see
``Rule.switchable``); a reason is required every time, and is kept: switched-off
problems still appear in JSON reports and in the text summary's count, with
the reason, so nobody forgets them.

A project file looks like this::

    lint:
      disable:
        unreachable-node: Draft branches for the article's next revision.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from selfhelp.base.diagnostics import Diagnostic
from selfhelp.base.settings import load_settings
from selfhelp.base.suggest import did_you_mean
from selfhelp.flow.rules import RULES

Reason = str


class LintSettings(BaseModel):
    """The ``lint:`` section of a project file."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    disable: dict[str, Reason] = {}
    """Rule ids switched off for every flow below the file, each with the reason why."""


class ProjectConfig(BaseModel):
    """A ``.selfhelp.yaml`` project file."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    lint: LintSettings = Field(default_factory=LintSettings)
    """Lint settings."""


def waiver_problem(rule_id: Any, reason: Any) -> tuple[str, str | None] | None:
    """Why a rule cannot be switched off with this reason (message, hint), or ``None`` if it can."""
    if not isinstance(rule_id, str) or rule_id not in RULES:
        return f"unknown rule {rule_id!r}", did_you_mean(str(rule_id), RULES) or "see docs/rules.md"
    if not RULES[rule_id].switchable:
        switchable = ", ".join(r.id for r in RULES.values() if r.switchable)
        return f"rule {rule_id!r} cannot be switched off: a flow that breaks it cannot run", f"switchable: {switchable}"
    if not isinstance(reason, str) or not reason.strip():
        return f"switching {rule_id!r} off needs a reason", "write why, as the value: rule-id: reason"
    return None


def load_config(path: Path) -> tuple[ProjectConfig, tuple[Diagnostic, ...]]:
    """Read a project file (see :mod:`selfhelp.base.settings`); problems come back as diagnostics.

    A file with YAML or schema problems gives the empty config; a bad waiver is
    reported and dropped, and the file's other waivers still apply.

    Every flow below the file asks for it, so it is read once per version of the file.
    """
    try:
        stat = path.stat()
    except OSError:
        return ProjectConfig(), ()
    return _load_config(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load_config(path: Path, _mtime_ns: int, _size: int) -> tuple[ProjectConfig, tuple[Diagnostic, ...]]:
    loaded = load_settings(path, ProjectConfig, rule="lint-config")
    if loaded.diagnostics:
        return loaded.settings, loaded.diagnostics
    config = loaded.settings
    # A bad waiver is reported and dropped; the good ones beside it still apply.
    bad = []
    for rule_id, reason in config.lint.disable.items():
        why = waiver_problem(rule_id, reason)
        if why:
            bad.append(loaded.problem(("lint", "disable", rule_id), *why))
    disable = {r: why for r, why in config.lint.disable.items() if waiver_problem(r, why) is None}
    return ProjectConfig(lint=LintSettings(disable=disable)), tuple(bad)
