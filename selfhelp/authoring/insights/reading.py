"""Reading saved session files for reports: fast, one at a time, never fatal.

The store (:mod:`selfhelp.session.store`) reads a session with pydantic, to resume it;
a report reads a hundred thousand, so this reads the same files with ``json`` alone,
checks only what the report uses, and keeps a small :class:`SessionRecord` of each.
A file that is not a readable session is a :class:`Skip`: damaged (cut short, not
UTF-8, the wrong shape), foreign (JSON, but not a selfhelp session), a future format,
or unreadable (the system refused it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from selfhelp.authoring.insights.model import RESULTS
from selfhelp.session.engine import SESSION_FORMAT, SKIP_MATCH_LABEL, Answer
from selfhelp.session.store import SESSIONS_DIR, SUFFIX, CorruptSession, json_object

#: A session file is a few kilobytes (a paste is cut at 4,000 characters); anything this big is not one.
MAX_FILE_BYTES = 1_000_000
#: The kinds of answer a session may hold: the engine's own list, so a new kind is never a "damaged" file.
_ANSWER_KINDS = frozenset(get_args(Answer.model_fields["kind"].annotation))
_VERDICTS = frozenset({"match", "ambiguous", "none"})


class Skip(Exception):
    """A file that is not a readable session: its kind (see ``model.SKIP_KINDS``) and why."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(slots=True)
class Paste:
    """One error message pasted, and what came of it."""

    text: str
    """The message as pasted (cleaned by the engine)."""
    verdict: str
    """match, ambiguous or none."""
    fate: str
    """match (went to its cause), picked (a suggestion chosen), none_of_these, no_match (to the fallback
    step) or unanswered (the session stopped at "did you mean")."""
    at: int
    """The index of the paste step in the history."""
    candidates: tuple[str, ...] = ()
    """The causes the matcher offered (ids)."""


@dataclass(slots=True)
class SessionRecord:
    """What a report needs of one saved session."""

    id: str
    flow_id: str
    created: str
    """When it started (ISO 8601, UTC, as saved)."""
    seconds: float
    """From its start to its last change."""
    nodes: tuple[str, ...]
    """The steps of its path, the current one last."""
    arrivals: tuple[str, ...]
    """How each step after the first was reached: paste, did_you_mean, no_match, questions or jump."""
    finished: bool | None
    """Whether it reached an outcome (``None``: the file does not say)."""
    result: str | None
    """The outcome's kind, when finished."""
    pending: bool = False
    """It stopped at a "did you mean" question."""
    pastes: list[Paste] = field(default_factory=list)
    skipped_paste: int = 0
    """Paste steps answered by choosing to answer questions instead."""


def session_folders(paths: Iterable[Path]) -> list[Path]:
    """The folders to read: each path, or its ``sessions/`` when it is a data folder; repeats dropped.

    Raises:
        FileNotFoundError: a path is not a folder.
    """
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            raise FileNotFoundError(f"no such folder: {path}")
        inner = path / SESSIONS_DIR
        folder = inner if inner.is_dir() else path
        if folder.resolve() not in {f.resolve() for f in found}:
            found.append(folder)
    return found


def session_files(folders: Iterable[Path]) -> Iterator[str]:
    """Every ``*.json`` file in the folders (not hidden ones: temporary files and locks), streamed.

    Paths are strings: a hundred thousand :class:`Path` objects cost a report a tenth of its time.
    """
    for folder in folders:
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith(SUFFIX) and not name.startswith("."):
                    yield entry.path


def read_record(path: str | Path) -> SessionRecord:
    """The session in ``path``, or :class:`Skip` saying why it is not one."""
    try:
        # The system's calls, without a buffered file object around them: the read is one call either way.
        fd = os.open(path, os.O_RDONLY)
        try:
            raw = _read_all(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise Skip("unreadable", f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Skip("damaged", "it is not UTF-8 text") from None
    return record_from_data(_load(text))


def _read_all(fd: int) -> bytes:
    """The whole file ``fd``, or :class:`Skip` when it is over :data:`MAX_FILE_BYTES`."""
    size = os.fstat(fd).st_size
    if size > MAX_FILE_BYTES:
        raise Skip("foreign", f"over {MAX_FILE_BYTES:,} bytes: too big to be a session")
    chunks = [os.read(fd, size + 1)]
    got = len(chunks[0])
    while got < size and chunks[-1]:  # a read may return less than asked: read on to the end
        chunks.append(os.read(fd, size + 1 - got))
        got += len(chunks[-1])
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _load(text: str) -> Any:
    # JSON can spell half a character only as an escape: only then is the store's full check needed.
    if "\\ud" in text or "\\uD" in text:
        try:
            return json_object(text)
        except CorruptSession as exc:
            raise Skip("damaged", str(exc)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Skip("damaged", "it is empty" if not text.strip() else f"bad JSON at line {exc.lineno}") from None
    except RecursionError:
        raise Skip("damaged", "it nests too deeply to be a session") from None


def record_from_data(data: Any) -> SessionRecord:
    """The record of a session file's parsed JSON, or :class:`Skip`."""
    if not isinstance(data, dict) or "history" not in data or "flow_id" not in data:
        raise Skip("foreign", "not a selfhelp session (no flow_id or history)")
    version = data.get("format")
    if type(version) is not int:
        raise Skip("damaged", "format: not a whole number")
    if version > SESSION_FORMAT:
        raise Skip("future_format", f"saved in format {version}; this version reads format {SESSION_FORMAT}")
    if version != SESSION_FORMAT:
        raise Skip("damaged", f"format {version} is not a format selfhelp wrote")
    session_id, flow_id = _text(data, "id"), _text(data, "flow_id")
    created, updated = _text(data, "created"), _text(data, "updated")
    history = data["history"]
    if not isinstance(history, list) or not history:
        raise Skip("damaged", "history: not a list of steps")
    record = SessionRecord(
        id=session_id,
        flow_id=flow_id,
        created=created,
        seconds=_seconds(_time(created, "created"), _time(updated, "updated")),
        nodes=(),
        arrivals=(),
        finished=None,
        result=None,
    )
    _read_history(record, history)
    _read_saved(record, data.get("saved"))
    return record


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise Skip("damaged", f"{key}: not text")
    return value


def _time(text: str, key: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise Skip("damaged", f"{key}: not a date and time") from None


def _seconds(created: datetime, updated: datetime) -> float:
    """From ``created`` to ``updated``; a clock set back counts nothing."""
    try:
        return max(0.0, (updated - created).total_seconds())
    except TypeError:  # one with a time zone, one without: not what the engine writes
        raise Skip("damaged", "created and updated: one has a time zone, the other not") from None


def _read_history(record: SessionRecord, history: list[Any]) -> None:
    nodes: list[str] = []
    arrivals: list[str] = []
    last = len(history) - 1
    for i, visit in enumerate(history):
        if not isinstance(visit, dict) or not isinstance(visit.get("node"), str):
            raise Skip("damaged", f"history.{i}: not a step")
        nodes.append(visit["node"])
        answer = visit.get("answer")
        if answer is None:
            if i != last:
                raise Skip("damaged", f"history.{i}: a step before the last without an answer")
            pending = visit.get("pending")
            if pending is not None:
                verdict, candidates = _verdict(pending, i)
                record.pending = True
                record.pastes.append(Paste(_str(pending.get("query"), i), verdict, "unanswered", i, candidates))
            continue
        if i == last or not isinstance(answer, dict) or answer.get("kind") not in _ANSWER_KINDS:
            raise Skip("damaged", f"history.{i}: not an answer")
        arrivals.append(_arrival(record, answer, i))
    record.nodes = tuple(nodes)
    record.arrivals = tuple(arrivals)


def _arrival(record: SessionRecord, answer: dict[str, Any], i: int) -> str:
    """How the answer at step ``i`` led on; pastes are kept in the record."""
    kind = answer["kind"]
    goto = answer.get("goto")
    if not isinstance(goto, str):
        raise Skip("damaged", f"history.{i}: an answer without goto")
    if kind == "jump":
        return "jump"
    if kind == "route" and answer.get("match") is None:
        return "questions"  # sent here by a redirect outcome: no paste to count
    if kind not in ("match", "route"):  # a route carries the paste that chose this flow, like a match
        if kind == "choice" and answer.get("text") == SKIP_MATCH_LABEL:
            record.skipped_paste += 1
        return "questions"
    match = answer.get("match")
    if match is None:
        raise Skip("damaged", f"history.{i}: a paste without its verdict")
    verdict, candidates = _verdict(match, i)
    if goto in candidates:
        fate, how = ("match", "paste") if verdict == "match" else ("picked", "did_you_mean")
    else:
        fate, how = ("none_of_these" if verdict == "ambiguous" else "no_match"), "no_match"
    record.pastes.append(Paste(_str(match.get("query"), i), verdict, fate, i, candidates))
    return how


def _verdict(match: Any, i: int) -> tuple[str, tuple[str, ...]]:
    if not isinstance(match, dict) or match.get("verdict") not in _VERDICTS:
        raise Skip("damaged", f"history.{i}: not a match verdict")
    found = match.get("matches") or []
    if not isinstance(found, list) or not all(isinstance(m, dict) and isinstance(m.get("node"), str) for m in found):
        raise Skip("damaged", f"history.{i}: not a list of candidates")
    return match["verdict"], tuple(m["node"] for m in found)


def _str(value: Any, i: int) -> str:
    if not isinstance(value, str):
        raise Skip("damaged", f"history.{i}: a paste that is not text")
    return value


def _read_saved(record: SessionRecord, saved: Any) -> None:
    if not isinstance(saved, dict):
        return
    finished, result = saved.get("finished"), saved.get("result")
    if isinstance(finished, bool):
        record.finished = finished
    if finished and result not in RESULTS:
        raise Skip("damaged", f"saved.result: {str(result)[:40]!r} is not an outcome kind")
    if finished:
        record.result = result
