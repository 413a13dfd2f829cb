"""A flow's labelled examples: real messages, each with the cause support found for it (or none).

A flow names its examples file under ``matching: examples:`` (a path relative to the flow file,
by convention ``<flow>.examples.yaml`` beside it). The matcher indexes every example beside the
flow's patterns, so a message worded like a known one lands where that one did, and an example
labelled ``cause: null`` speaks for "not handled here" like an ``elsewhere:`` phrase.

The file is read with the flows' safe loader and checked like a flow: every problem at once,
with file, line and column (``selfhelp validate``). When the matcher reads it at run time, a file
that has gone missing or bad since it was validated counts as no examples: matching still works
on the flow's own patterns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from selfhelp.base.diagnostics import Diagnostic, Severity
from selfhelp.base.safe_yaml import LoadedYaml, load_file
from selfhelp.base.suggest import did_you_mean
from selfhelp.flow.models import Flow, NodeId

#: What an examples file's name ends with; flow discovery passes such files over.
EXAMPLES_SUFFIXES = (".examples.yaml", ".examples.yml")


class Provenance(BaseModel):
    """Where a labelled message came from: shared by a flow's examples and the evaluation sets' items."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    source: str | None = None
    """Where the message came from: a support case, an article or its section, a blind set (``tune`` for an
    evaluation item written while tuning)."""
    style: str | None = None
    """How it is written (ui-error, own-words, typo, partial, long-noisy, near-miss...), for reporting only."""
    writer: str | None = None
    """Who wrote or collected it (one writer per set and brief, such as ``blind2-A``)."""


class Example(Provenance):
    """One labelled message."""

    text: str = Field(min_length=1, max_length=20_000)
    """The message as a partner pasted or typed it."""
    cause: NodeId | None
    """The cause node it belongs to, or ``null`` when the flow does not handle it (a near miss)."""


class ExamplesFile(BaseModel):
    """An examples file."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    flow: NodeId
    """The id of the flow the examples are labelled for."""
    examples: list[Example] = Field(min_length=1)
    """The labelled messages."""


@dataclass(frozen=True)
class LoadedExamples:
    """An examples file as read: its examples (none when it has errors) and its problems."""

    path: Path
    examples: tuple[Example, ...]
    diagnostics: tuple[Diagnostic, ...]


def examples_path(flow: Flow, flow_file: Path) -> Path | None:
    """Where the flow's examples file is, or ``None`` when it names none."""
    name = flow.matching.examples
    return None if name is None else (flow_file.parent / name)


def inside_folder(path: Path, flow_file: Path) -> bool:
    """Whether ``path`` is in the flow file's folder or below it (a flow must not point at any file it likes)."""
    return path.resolve().is_relative_to(flow_file.parent.resolve())


def check_examples(flow: Flow, path: Path, display: str, flow_file: Path | None = None) -> LoadedExamples:
    """Read and check the examples file of ``flow``: every problem, with line and column.

    With ``flow_file``, a file outside the flow's folder is refused without being read.
    """
    if flow_file is not None and not inside_folder(path, flow_file):
        message = f"the examples file {display} is outside the flow's folder"
        return LoadedExamples(path, (), (_error(display, (0, 0), "examples-file", message, _NAME_HINT),))
    return _check(flow.id, _matchable(flow), path, display)


def _matchable(flow: Flow) -> frozenset[str]:
    return frozenset(nid for nid, cause in flow.causes() if cause.errors)


def _check(flow_id: str, matchable: frozenset[str], path: Path, display: str) -> LoadedExamples:
    if not path.is_file():
        diag = _error(display, (0, 0), "examples-file", f"no such examples file: {display}", _NAME_HINT)
        return LoadedExamples(path, (), (diag,))
    loaded = load_file(path, display)
    if loaded.data is None:
        return LoadedExamples(path, (), tuple(loaded.problems))
    try:
        parsed = ExamplesFile.model_validate(loaded.data)
    except ValidationError as exc:
        return LoadedExamples(path, (), tuple(_schema_errors(exc, loaded, display)))
    diags = list(loaded.problems) + _label_errors(flow_id, matchable, parsed, loaded, display)
    examples = () if any(d.severity is Severity.error for d in diags) else tuple(parsed.examples)
    return LoadedExamples(path, examples, tuple(diags))


_NAME_HINT = "name a file beside the flow under matching: examples:, such as <flow id>.examples.yaml"


def _schema_errors(exc: ValidationError, loaded: LoadedYaml, display: str) -> list[Diagnostic]:
    out = []
    for err in exc.errors(include_url=False):
        path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
        where = loaded.position(path, prefer_key=err["type"] == "extra_forbidden")
        field = _field_name(path)
        hint = "an examples file has flow: and examples:, each example text: and cause: (null for a near miss)"
        out.append(_error(display, where, "examples-file", f"{field}: {err['msg']}", hint))
    return out


def _field_name(path: tuple[str | int, ...]) -> str:
    """``examples.0.cause`` as a person counts it: ``example 1, cause``."""
    if len(path) >= 2 and path[0] == "examples" and isinstance(path[1], int):
        return ", ".join([f"example {path[1] + 1}", *map(str, path[2:])])
    return ".".join(map(str, path)) or "the file"


def _label_errors(
    flow_id: str, matchable: frozenset[str], parsed: ExamplesFile, loaded: LoadedYaml, display: str
) -> list[Diagnostic]:
    """Examples must be for this flow and name causes the matcher can land on."""
    out = []
    if parsed.flow != flow_id:
        message = f"the examples are for flow {parsed.flow!r}, not {flow_id!r}"
        out.append(_error(display, loaded.position(("flow",)), "examples-file", message, f"write flow: {flow_id}"))
    for i, example in enumerate(parsed.examples):
        if example.cause is None or example.cause in matchable:
            continue
        hint = did_you_mean(example.cause, matchable) or "name a cause that has errors:, or null for a near miss"
        message = f"example {i + 1} names {example.cause!r}, which is not a cause with errors: in this flow"
        out.append(_error(display, loaded.position(("examples", i, "cause")), "example-unknown-cause", message, hint))
    return out


def _error(display: str, where: tuple[int, int], rule: str, message: str, hint: str) -> Diagnostic:
    line, column = where
    return Diagnostic(
        file=display, line=line, column=column, severity=Severity.error, rule=rule, message=message, hint=hint
    )


def flow_examples(flow: Flow) -> tuple[Example, ...]:
    """The examples the matcher indexes for ``flow``: none when it names no file, or the file is unusable."""
    if flow.matching.examples is None or flow.origin is None:
        return ()
    path = examples_path(flow, flow.origin)
    if path is None or not inside_folder(path, flow.origin):
        return ()
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _cached(flow.id, _matchable(flow), str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _cached(flow_id: str, matchable: frozenset[str], path: str, _mtime_ns: int, _size: int) -> tuple[Example, ...]:
    # Keyed by the file's mtime and size: an edited file is read again.
    return _check(flow_id, matchable, Path(path), os.path.basename(path)).examples
