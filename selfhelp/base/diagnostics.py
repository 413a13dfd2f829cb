"""Problems found in flow files, and how they are printed."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """How bad a problem is: errors make a flow unusable, warnings do not."""

    error = "error"
    warning = "warning"


class Diagnostic(BaseModel):
    """One problem at one place in one file."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    file: str
    """The file's path as given."""
    line: int
    """1-based line of the problem (0 when it concerns the whole file)."""
    column: int
    """1-based column of the problem (0 when it concerns the whole file)."""
    severity: Severity
    """error or warning."""
    rule: str
    """The stable id of the rule broken (see docs/rules.md)."""
    message: str
    """What is wrong."""
    hint: str | None = None
    """How to put it right."""
    suppressed: str | None = None
    """Why this problem is switched off (by ``.selfhelp.yaml`` or a node's ``lint_off``); ``None`` if it is not."""

    def format(self) -> str:
        """``file:line:col: severity rule message``, then the hint indented on its own line."""
        head = f"{self.file}:{self.line}:{self.column}: {self.severity.value} {self.rule} {self.message}"
        if self.suppressed is not None:
            return f"{head}\n    switched off: {self.suppressed}"
        return f"{head}\n    hint: {self.hint}" if self.hint else head


def sort_key(diag: Diagnostic) -> tuple[str, int, int, str]:
    """Order problems by file, then position, then rule."""
    return (diag.file, diag.line, diag.column, diag.rule)


def has_errors(diags: list[Diagnostic]) -> bool:
    """Whether any problem is an error (warnings and switched-off problems leave a flow usable)."""
    return any(d.severity is Severity.error and d.suppressed is None for d in diags)


def _counts(diags: list[Diagnostic]) -> tuple[int, int, int]:
    """Active errors, active warnings, and switched-off problems."""
    active = [d for d in diags if d.suppressed is None]
    errors = sum(d.severity is Severity.error for d in active)
    return errors, len(active) - errors, len(diags) - len(active)


def format_text(diags: list[Diagnostic], files_checked: int, *, show_suppressed: bool = False) -> str:
    """The human report: one problem a line (hint below), then a summary line.

    Switched-off problems are only counted, unless ``show_suppressed`` lists them with their reasons.
    """
    shown = [d for d in diags if show_suppressed or d.suppressed is None]
    lines = [d.format() for d in sorted(shown, key=sort_key)]
    errors, warnings, off = _counts(diags)
    noun = "file" if files_checked == 1 else "files"
    summary = f"{files_checked} {noun} checked: {errors} error(s), {warnings} warning(s)"
    if off:
        summary += f", {off} switched off" + ("" if show_suppressed else " (--show-suppressed lists them)")
    lines.append(summary)
    return "\n".join(lines)


def format_json(diags: list[Diagnostic], files_checked: int) -> str:
    """The machine report: one JSON object with every problem."""
    errors, warnings, off = _counts(diags)
    return json.dumps(
        {
            "files_checked": files_checked,
            "errors": errors,
            "warnings": warnings,
            "suppressed": off,
            "diagnostics": [d.model_dump(mode="json") for d in sorted(diags, key=sort_key)],
        },
        indent=2,
    )


def display_path(path: Path) -> str:
    """A path relative to the working folder when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
