"""The first screen before the flows are loaded: a small cache of what each flow opens with.

Loading the catalog means importing pydantic, parsing YAML and validating every
flow: a few hundred milliseconds before anything could be shown. What the first
screen shows (the flow's title and description, its first question and answers)
is plain data that rarely changes, so it is kept in a JSON file in the user's
cache folder (``$SELFHELP_CACHE_DIR`` overrides it) and read back here with the
standard library only. The step is the engine's own
:class:`~selfhelp.session.step.StepView`, stored as it is. Loading flows never
writes this file: the command that starts the app refreshes it after loading,
once the first question is on screen (:func:`remember`).

A cached screen is trusted only for exactly the files it was made from: every
flow file below the same sources (resolved path, ``mtime_ns``, size), the lint
config files that apply to them, and the same selfhelp version. Anything else
(a file added, removed or edited, another version, an unreadable cache) is a
miss: the app then loads the requested flow's file alone and paints its first
screen (:func:`opening_screen`), or, when that cannot be done, every flow before
painting (see :mod:`selfhelp.commands.run_app`). Either way the app loads the
real catalog behind the painted screen and checks the screen against it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selfhelp import __version__
from selfhelp.base.atomic import write_atomic
from selfhelp.base.paths import user_path
from selfhelp.flow.sources import FlowSource, find_config, flow_files
from selfhelp.session.step import StepView

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog
    from selfhelp.flow.models import Flow

#: Where the cache lives instead of the platform's user cache folder (tests and benchmarks use it).
CACHE_ENV = "SELFHELP_CACHE_DIR"
CACHE_NAME = "first-paint.json"
#: Bumped when the file's layout changes (a field added to the step too): an older file is then simply a miss.
FORMAT = 2
#: Sets of flow folders remembered at once (each ``--flows`` combination is one).
MAX_RECORDS = 16

#: One file's identity: resolved path, ``mtime_ns``, size.
Stamp = tuple[str, int, int]


@dataclass(frozen=True)
class FirstScreen:
    """Everything the conversation shows before the first answer."""

    flow_id: str
    title: str
    description: str
    step: StepView

    def to_data(self) -> dict[str, Any]:
        """The screen as plain JSON-ready data (read back by :meth:`from_data`)."""
        step = self.step.to_data()
        return {"flow_id": self.flow_id, "title": self.title, "description": self.description, "step": step}

    @classmethod
    def from_data(cls, data: object) -> FirstScreen:
        """A screen from :meth:`to_data`'s form; raises ``ValueError`` (or ``StepDataError``) if it is damaged."""
        if not isinstance(data, dict) or sorted(data) != ["description", "flow_id", "step", "title"]:
            raise ValueError("not a first screen")
        texts = [data[name] for name in ("flow_id", "title", "description")]
        if not all(isinstance(text, str) for text in texts):
            raise ValueError("not a first screen: a text is not text")
        return cls(*texts, StepView.from_data(data["step"]))


@dataclass(frozen=True)
class Hit:
    """A cached first screen that still fits the files on disk."""

    screen: FirstScreen
    warnings: tuple[str, ...]
    """The lines about unusable flow files that loading printed (the same files, so the same lines)."""


# --- what a first screen is made of ----------------------------------------------------------


def first_screen(flow: Flow, view: StepView) -> FirstScreen:
    """The first screen of ``flow`` at ``view`` (its start step, for a new session)."""
    return FirstScreen(flow.id, flow.title, flow.description, view)


def opening_screen(flow: Flow) -> FirstScreen | None:
    """What a new session on ``flow`` opens with, when it can be painted before the session exists.

    ``None`` for a flow that starts at an outcome or a pending check: its first
    screen (a case summary, a check running) is made from a session.
    """
    from selfhelp.session.engine import Session

    view = Session(flow).step()
    if view.outcome is not None or view.pending is not None:
        return None
    return first_screen(flow, view)


def skipped_lines(catalog: Catalog) -> list[str]:
    """What the command line says about each flow file that could not be used (one line each)."""
    lines = []
    for report in catalog.broken:
        errors = [d for d in report.diagnostics if d.severity.value == "error"]
        first = errors[0].format().splitlines()[0] if errors else "unusable"
        more = f" (+{len(errors) - 1} more; run 'selfhelp validate {report.display}')" if len(errors) > 1 else ""
        lines.append(f"selfhelp: skipped {report.display}: {first}{more}")
    return lines


# --- which files a catalog is made of --------------------------------------------------------


def fingerprint(sources: Sequence[FlowSource]) -> list[Stamp]:
    """The identity of every file loading ``sources`` reads: flow files, then the lint configs they use."""
    files = flow_files(s.path for s in sources if s.path.is_dir() or s.path.is_file())
    configs: dict[Path, Path | None] = {}
    for file in files:
        folder = file.resolve().parent
        if folder not in configs:
            configs[folder] = find_config(folder)
    used = sorted({c for c in configs.values() if c is not None})
    return [_stamp(p) for p in [*files, *used]]


def stamp_files(sources: Sequence[FlowSource]) -> list[Stamp] | None:
    """:func:`fingerprint`, taken just before loading ``sources`` (for :func:`remember`); ``None`` if one vanished."""
    try:
        return fingerprint(sources)
    except OSError:
        return None


def _stamp(path: Path) -> Stamp:
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _sources_key(sources: Sequence[FlowSource]) -> list[list[str]]:
    return [[str(s.path.resolve()), s.origin] for s in sources]


# --- the cache file ----------------------------------------------------------------------------


def cache_path(environ: Mapping[str, str] | None = None) -> Path:
    """The cache file: in ``$SELFHELP_CACHE_DIR``, else the platform's user cache folder."""
    return user_path("cache", CACHE_ENV, CACHE_NAME, environ=environ)


def remember(sources: Sequence[FlowSource], catalog: Catalog, stamps: list[Stamp] | None) -> None:
    """Record the first screen of every flow of ``catalog``, loaded from files with these ``stamps``.

    ``stamps`` come from :func:`stamp_files` before loading (``None``: nothing is
    recorded). Never raises: the cache only makes the next start faster, and the
    app must not fail because a cache folder is read-only or full.
    """
    try:
        if stamps is None or fingerprint(sources) != stamps:
            return  # a file changed while it was being read: what was loaded may not match the stamps
        record = {
            "sources": _sources_key(sources),
            "files": [list(s) for s in stamps],
            "cwd": os.getcwd(),
            "warnings": skipped_lines(catalog),
            "flows": _first_screens(catalog),
        }
        _store(record)
    except Exception:  # see the docstring: a cache problem is never the user's problem
        return


def _first_screens(catalog: Catalog) -> dict[str, Any]:
    screens: dict[str, Any] = {}
    for flow_id, loaded in catalog.flows.items():
        screen = opening_screen(loaded.flow)
        if screen is not None:
            screens[flow_id] = screen.to_data()
    return screens


def _read(path: Path) -> list[dict[str, Any]]:
    """The records of the cache file; an absent, unreadable, corrupt or outdated file has none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != __version__:
        return []
    records = data.get("records")
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def _store(record: dict[str, Any]) -> None:
    path = cache_path()
    records = _read(path)
    record = json.loads(json.dumps(record))  # as it reads back (tuples become lists), to compare
    if records and records[0] == record:
        return  # nothing new: spare the disk a write on every start
    records = [record, *(r for r in records if r.get("sources") != record["sources"])][:MAX_RECORDS]
    text = json.dumps({"format": FORMAT, "version": __version__, "records": records}, ensure_ascii=False)
    write_atomic(path, text)


# --- reading a first screen back -----------------------------------------------------------------


def lookup(sources: Sequence[FlowSource], flow_id: str | None) -> Hit | None:
    """The cached first screen of ``flow_id`` (or of the only flow, when ``None``), if still valid.

    Returns ``None`` when anything differs from when it was cached, or when the
    cache cannot be read: the caller then loads the flows first, as without a cache.
    """
    try:
        records = _read(cache_path())
        key = _sources_key(sources)
        record = next((r for r in records if r.get("sources") == key), None)
        if record is None or [tuple(f) for f in record["files"]] != fingerprint(sources):
            return None
        warnings = record["warnings"]
        # Warnings name files relative to the working folder: elsewhere they would read differently.
        if warnings and record["cwd"] != os.getcwd():
            return None
        flows = record["flows"]
        if flow_id is None:
            if len(flows) != 1:
                return None
            flow_id = next(iter(flows))
        if flow_id not in flows:
            return None
        if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
            return None
        return Hit(FirstScreen.from_data(flows[flow_id]), tuple(warnings))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, StopIteration, RecursionError):
        return None  # a damaged cache is a miss, never a crash
