"""Saved sessions: one JSON file per session, written atomically after every step.

The files live in the user's data folder (``platformdirs``), or in
``$SELFHELP_DATA_DIR``, under ``sessions/``. Each file is exactly what
:meth:`Session.to_json` writes, plus a ``saved`` block of facts (flow title,
current step, finished?) so listing sessions needs no flow. A process killed
mid-write leaves the previous file whole: the new text goes to a temporary file
in the same folder, is flushed to disk, then renamed over the old one.

One selfhelp at a time writes a session: the first to open it (to resume it, or by
saving it first) holds its lock file, ``.ID.lock`` (see :mod:`selfhelp.base.locks`),
until it ends; another is told the session is open elsewhere (:class:`SessionConflict`)
and writes nothing, so neither loses answers to the other. What killed writers leave
behind (temporary files, lock files) is removed once it is an hour old and nobody
holds the session, a bounded amount at a time, when sessions are listed or opened.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from selfhelp.base import locks
from selfhelp.base.atomic import write_atomic
from selfhelp.base.paths import user_path
from selfhelp.matcher.results import Matcher
from selfhelp.session.engine import Session, SessionMismatch, SessionState, flow_hash

if TYPE_CHECKING:
    from selfhelp.flow.catalog import Catalog

#: Overrides the data folder (sessions and saved summaries), for tests and portable installs.
DATA_ENV = "SELFHELP_DATA_DIR"
SESSIONS_DIR = "sessions"
SUFFIX = ".json"
#: Session ids are uuid hex strings; anything else is refused before it reaches the file system.
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LOCK_SUFFIX = ".lock"
#: What a killed writer leaves is removed once this old (by modification time): no write takes an hour.
STALE_AFTER_SECONDS = 3600
#: The most leftovers one listing or opening removes: the rest wait for the next one.
SWEEP_LIMIT = 100
#: A temporary file of :func:`write_atomic` (``.ID.json.random.tmp``) or a lock file (``.ID.lock``).
_LEFTOVER_RE = re.compile(r"^\.(?P<id>[A-Za-z0-9_-]{1,64})(?:\.json\.[A-Za-z0-9_]+\.tmp|\.lock)$")


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder selfhelp keeps its data in: ``$SELFHELP_DATA_DIR``, else the platform's user data folder."""
    return user_path("data", DATA_ENV, environ=environ)


class StoreError(Exception):
    """A saved session cannot be read or resumed; the message says why, for the user."""


class SessionNotFound(StoreError):
    """No saved session has that id (or the prefix fits several)."""


class CorruptSession(StoreError):
    """The file is not a readable session (cut short, edited, or from another program)."""


class FlowMissing(StoreError):
    """The session's flow is not among the loaded flows."""


class ResumeRefused(StoreError, SessionMismatch):
    """The flow changed so that the saved path no longer fits it."""


class SessionConflict(StoreError, OSError):
    """The session is open in another selfhelp: this one may not write it (nothing was overwritten).

    Also an :class:`OSError`, as the lock that refuses it is the system's: whoever already
    tells the user that a save failed tells them this too.
    """


class UnsavableSession(StoreError, OSError):
    """The session holds something that is not text (a lone surrogate): the previous save is kept.

    Also an :class:`OSError`, so that whoever handles a failed save handles this one.
    """


class SavedFacts(BaseModel):
    """What a session file says about itself, so listings need no flow."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    flow_title: str | None = None
    """The flow's title when the session was saved."""
    node_title: str | None = None
    """The current step's title (or id) when saved."""
    finished: bool = False
    """Whether the session had reached an outcome."""
    result: str | None = None
    """The outcome's result (resolved, contact_support, ...) when finished."""


class SessionSummary(BaseModel):
    """One saved session, as listed."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    id: str
    """The session's id."""
    flow_id: str
    """The flow it walks."""
    flow_title: str | None
    """The flow's title when last saved (``None`` if unknown)."""
    node: str
    """The id of the current step."""
    node_title: str | None
    """The current step's title when last saved."""
    created: str
    """When it started (ISO 8601, UTC)."""
    updated: str
    """When it last changed (ISO 8601, UTC)."""
    steps: int
    """How many answers it holds."""
    finished: bool
    """Whether it reached an outcome."""
    result: str | None
    """The outcome's result when finished."""
    path: Path
    """The session's file."""


class SkippedFile(BaseModel):
    """A file in the sessions folder that could not be read, and why."""

    model_config = ConfigDict(frozen=True)

    path: Path
    reason: str


class Listing(BaseModel):
    """Saved sessions, newest first, and the files that were skipped."""

    sessions: list[SessionSummary] = []
    skipped: list[SkippedFile] = []


def _facts(session: Session) -> SavedFacts:
    node = session.node
    outcome = session.outcome
    return SavedFacts(
        flow_title=session.flow.title,
        node_title=node.title or session.current.node,
        finished=outcome is not None,
        result=outcome.result.value if outcome is not None else None,
    )


class SessionStore:
    """The saved sessions in one folder."""

    def __init__(self, folder: Path | str | None = None) -> None:
        """Use ``folder`` for the session files (default: ``sessions/`` in :func:`data_dir`)."""
        self.folder = Path(folder) if folder is not None else data_dir() / SESSIONS_DIR

    def path_for(self, session_id: str) -> Path:
        """The file of the session ``session_id``; ids that could escape the folder are refused."""
        if not ID_RE.match(session_id):
            raise SessionNotFound(f"{session_id!r} is not a session id")
        return self.folder / f"{session_id}{SUFFIX}"

    # --- writing ------------------------------------------------------------------

    def save(self, session: Session) -> Path:
        """Write the session (atomically), replacing its earlier save; returns the file.

        Raises:
            SessionConflict: the session is open in another selfhelp; nothing was written.
            UnsavableSession: it holds a lone surrogate, which cannot be written; the previous save is kept.
            OSError: the file cannot be written; the previous save is kept.
        """
        path = self.path_for(session.id)
        write_atomic(path, self.file_text(session))
        return path

    def file_text(self, session: Session) -> str:
        """The text :meth:`save` writes for the session as it is now (the app writes it in a thread).

        Taking it opens the session for writing (see :meth:`claim`), so whoever writes the text next
        writes a session this process holds.

        Raises:
            SessionConflict: the session is open in another selfhelp.
            UnsavableSession: it holds a lone surrogate, which no file can hold as text.
        """
        data = session.snapshot()
        data["saved"] = _facts(session).model_dump(mode="json")
        found = _lone_surrogate(data)
        if found is not None:
            where, char = found
            raise UnsavableSession(
                f"session {session.id} cannot be saved: {where} holds U+{ord(char):04X}, half of a character "
                "that is not text (the previous save is kept)"
            )
        self.claim(session.id)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def claim(self, session_id: str) -> None:
        """Open the session for writing by this process until it ends (or :meth:`release`).

        Raises:
            SessionConflict: another selfhelp has it open; this one must not write it.
            OSError: the sessions folder cannot be written.
        """
        lock = self._lock_path(session_id)
        if locks.holds(lock):
            return  # every save claims: once held, nothing more to do (nor to sweep)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            locks.acquire(lock)
        except locks.LockedElsewhere as exc:
            holder = f" (process {exc.pid})" if exc.pid else ""
            raise SessionConflict(
                f"this session ({session_id[:12]}) is open in another selfhelp{holder}: "
                "carry on there, or quit it first; nothing here overwrites it"
            ) from None
        self._sweep(self.folder.glob(f".{session_id}{SUFFIX}.*.tmp"))

    def release(self, session_id: str) -> None:
        """Close the session for writing, so that another selfhelp may open it."""
        locks.release(self._lock_path(session_id))

    def _lock_path(self, session_id: str) -> Path:
        self.path_for(session_id)  # refuses ids that could escape the folder
        return self.folder / f".{session_id}{LOCK_SUFFIX}"

    def delete(self, session_id: str) -> bool:
        """Remove a saved session; ``False`` when there was none.

        Raises:
            SessionConflict: the session is open in another selfhelp.
        """
        session_id = self.resolve(session_id)
        path = self.path_for(session_id)
        held = locks.holds(self._lock_path(session_id))
        self.claim(session_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        finally:
            if not held:
                self.release(session_id)
        return True

    # --- what killed writers leave ------------------------------------------------------

    def _sweep(self, candidates: Iterable[Path]) -> None:
        """Remove leftovers (temporary and lock files) over an hour old that no live selfhelp holds.

        Best effort and bounded: a file that cannot be removed stays, and at most
        :data:`SWEEP_LIMIT` old files are looked at.
        """
        now = time.time()
        looked = 0
        for path in candidates:
            found = _LEFTOVER_RE.match(path.name)
            if found is None:
                continue
            try:
                if now - path.stat().st_mtime < STALE_AFTER_SECONDS:
                    continue
            except OSError:
                continue
            looked += 1
            if looked > SWEEP_LIMIT:
                return
            with contextlib.suppress(OSError):
                self._remove_leftover(path, found["id"])

    def _remove_leftover(self, path: Path, session_id: str) -> None:
        lock = self._lock_path(session_id)
        if path == lock:
            locks.remove_if_free(lock)  # takes the lock first: never pulls it from under a new holder
        elif not locks.held_elsewhere(lock):
            # Nobody writes the session: the file is what a killed writer left (a live writer's new
            # temporary file would have another name, and be younger than an hour).
            path.unlink(missing_ok=True)

    # --- reading ------------------------------------------------------------------

    def list(self) -> Listing:
        """Every saved session, newest first; unreadable files are skipped with the reason."""
        listing = Listing()
        if not self.folder.is_dir():
            return listing
        self._sweep(self.folder.glob(".*"))
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            try:
                listing.sessions.append(self._summary(path))
            except CorruptSession as exc:
                listing.skipped.append(SkippedFile(path=path, reason=f"not a readable session: {exc}"))
            except OSError as exc:
                listing.skipped.append(SkippedFile(path=path, reason=f"cannot read: {exc.strerror or exc}"))
        # ISO 8601 UTC strings sort as times; the id breaks ties so the order is stable.
        listing.sessions.sort(key=lambda s: (s.updated, s.id), reverse=True)
        return listing

    def unfinished(self) -> Listing:
        """The sessions that have not reached an outcome, newest first."""
        listing = self.list()
        return Listing(sessions=[s for s in listing.sessions if not s.finished], skipped=listing.skipped)

    def resolve(self, id_or_prefix: str) -> str:
        """The full id of the saved session ``id_or_prefix`` names (a unique prefix is enough)."""
        id_or_prefix = id_or_prefix.strip()
        if self.path_for(id_or_prefix).is_file():
            return id_or_prefix
        found = sorted(p.stem for p in self.folder.glob(f"{id_or_prefix}*{SUFFIX}")) if self.folder.is_dir() else []
        if len(found) == 1:
            return found[0]
        if found:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            raise SessionNotFound(f"{id_or_prefix!r} fits {len(found)} saved sessions ({shown}); give more of the id")
        raise SessionNotFound(f"no saved session {id_or_prefix!r} (see 'selfhelp resume' for the list)")

    def read_text(self, session_id: str) -> str:
        """The saved file's text."""
        return _read(self.path_for(self.resolve(session_id)))

    def load(self, session_id: str) -> SessionState:
        """The saved state of a session, without its flow (see :meth:`resume` to continue it)."""
        session_id = self.resolve(session_id)
        path = self.path_for(session_id)
        self._sweep(self.folder.glob(f".{session_id}{SUFFIX}.*.tmp"))
        try:
            state, _ = _parse(path, _read(path))
        except CorruptSession as exc:
            raise CorruptSession(f"{path} is not a readable session: {exc}") from None
        except OSError as exc:
            raise CorruptSession(f"cannot read {path}: {exc.strerror or exc}") from None
        return state

    def resume(
        self, session_id: str, catalog: Catalog, *, matcher: Matcher | None = None, claim: bool = False
    ) -> tuple[Session, str | None]:
        """Continue a saved session on its flow from ``catalog``; returns it and a notice if the flow changed.

        With ``claim``, the session is first opened for writing (:meth:`claim`), so that
        the state read is the last one any selfhelp wrote, and no other can write it now.

        Raises:
            StoreError: no such session, an unreadable file, a flow that is not
                loaded, a flow changed so that the saved answers no longer fit
                (:class:`ResumeRefused`, also a :class:`SessionMismatch`), or, with
                ``claim``, the session open in another selfhelp (:class:`SessionConflict`).
        """
        if not claim:
            return self._resume(session_id, catalog, matcher)
        session_id = self.resolve(session_id)
        held = locks.holds(self._lock_path(session_id))
        self.claim(session_id)
        try:
            return self._resume(session_id, catalog, matcher)
        except StoreError:
            if not held:
                self.release(session_id)
            raise

    def _resume(self, session_id: str, catalog: Catalog, matcher: Matcher | None) -> tuple[Session, str | None]:
        state = self.load(session_id)
        loaded = catalog.get(state.flow_id)
        if loaded is None:
            raise FlowMissing(
                f"session {state.id} is for flow {state.flow_id!r}, which is not loaded (see 'selfhelp list')"
            )
        # The engine replays the path only when the flow changed; a hand-edited file can name steps
        # that never existed, which would fail later, in the middle of the app.
        unknown = [v.node for v in state.history if v.node not in loaded.flow.nodes]
        if unknown and state.flow_hash == flow_hash(loaded.flow):
            raise CorruptSession(f"session {state.id} names step {unknown[0]!r}, which flow {state.flow_id!r} lacks")
        try:
            # With the other flows, so that a pasted message can still lead to the flow it belongs to
            # (a stand-in catalog that can only look one flow up gives none: the session then routes nowhere).
            others = [lf.flow for lf in getattr(catalog, "flows", {}).values()]
            return Session.from_state(loaded.flow, state, matcher=matcher, catalog=others)
        except SessionMismatch as exc:
            raise ResumeRefused(f"session {state.id} cannot be resumed: {exc}") from None

    def _summary(self, path: Path) -> SessionSummary:
        text = _read(path)
        state, facts = _parse(path, text)
        return SessionSummary(
            id=state.id,
            flow_id=state.flow_id,
            flow_title=facts.flow_title,
            node=state.history[-1].node,
            node_title=facts.node_title,
            created=state.created,
            updated=state.updated,
            steps=sum(1 for v in state.history if v.answer is not None),
            finished=facts.finished,
            result=facts.result,
            path=path,
        )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CorruptSession("it is not UTF-8 text") from None


def json_object(text: str) -> dict[str, Any]:
    """The JSON object a session file holds, or :class:`CorruptSession` saying (briefly) why there is none.

    Every reader of a saved session's text goes through here, so that a file nested too deeply for
    Python's JSON parser (a RecursionError) is a corrupt session like any other, never a traceback.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = "it is empty" if not text.strip() else f"bad JSON at line {exc.lineno}, column {exc.colno}"
        raise CorruptSession(where) from None
    except RecursionError:
        raise CorruptSession("it nests too deeply to be a session") from None
    if not isinstance(data, dict):
        raise CorruptSession("not a JSON object")
    found = _lone_surrogate(data)
    if found is not None:
        # JSON can spell half a character ("\\ud800"); no output can print it, so nothing may read it.
        where, char = found
        raise CorruptSession(f"{where} holds U+{ord(char):04X}, half of a character, which is not text")
    return data


def _parse(path: Path, text: str) -> tuple[SessionState, SavedFacts]:
    """Read a session file, or raise :class:`CorruptSession` saying (briefly) what is wrong with it."""
    data = json_object(text)
    try:
        facts = SavedFacts.model_validate(data.pop("saved", None) or {})
        state = SessionState.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "top level"
        raise CorruptSession(f"{loc}: {first['msg']}") from None
    if not state.history:
        raise CorruptSession("its history is empty")
    if path.stem != state.id:
        raise CorruptSession(f"it holds session {state.id!r}, not {path.stem!r}")
    return state, facts


def _lone_surrogate(data: Any) -> tuple[str, str] | None:
    """Where in ``data`` (a dotted path) a lone surrogate is, and which, or ``None`` when there is none.

    Walks with a stack rather than recursion: the data is as deep as JSON let it be.
    """
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in reversed(value.items()):  # reversed onto the stack: looked at in file order
                # A key may be the culprit: spelled out with escapes, so that the message is text itself.
                shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
                place = f"{where}.{shown}" if where else shown
                stack.append((place, item))
                stack.append((place, key))
        elif isinstance(value, list):
            stack.extend((f"{where}.{i}" if where else str(i), item) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, str):
            found = _SURROGATE_RE.search(value)
            if found:
                return where or "the top level", found.group()
    return None


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
