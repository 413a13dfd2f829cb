"""The sessions folder against damage: half characters, leftovers of killed writers, and two writers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.flow.catalog import Catalog
from selfhelp.flow.models import Flow
from selfhelp.session import store as store_module
from selfhelp.session.engine import Session
from selfhelp.session.store import (
    DATA_ENV,
    CorruptSession,
    SessionConflict,
    SessionStore,
    StoreError,
    UnsavableSession,
)
from tests.conftest import GUID, TEST_FLOWS

HOUR = 3600


def saved(store: SessionStore, flow: Flow, name: str = "Ada") -> Session:
    """A session two answers in ("Something else", then ``name``), saved and released like a closed app's."""
    session = Session(flow)
    assert session.choose(1).ok and session.submit(name).ok
    store.save(session)
    store.release(session.id)
    return session


def age(path: Path, seconds: float) -> Path:
    """Make ``path`` look ``seconds`` old."""
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def plant(folder: Path, name: str, seconds_old: float, size: int = 10) -> Path:
    """A file ``name`` of ``size`` bytes, last written ``seconds_old`` ago."""
    path = folder / name
    path.write_bytes(b"x" * size)
    return age(path, seconds_old)


# --- a lone surrogate in a session file ----------------------------------------------------------


def with_half_a_character(store: SessionStore, session: Session) -> Path:
    """Rewrite the saved answer "Ada" as "Ada" and half a character: valid JSON, not text."""
    path = store.path_for(session.id)
    path.write_text(path.read_text(encoding="utf-8").replace('"Ada"', '"Ada\\ud800"'), encoding="utf-8")
    return path


def test_a_lone_surrogate_is_skipped_with_a_note_and_hides_nothing(store: SessionStore, handoff_flow: Flow) -> None:
    good, bad, other = saved(store, handoff_flow), saved(store, handoff_flow), saved(store, handoff_flow, "Bob")
    with_half_a_character(store, bad)
    listing = store.list()
    assert sorted(s.id for s in listing.sessions) == sorted([good.id, other.id])
    assert [s.path.stem for s in listing.skipped] == [bad.id]
    assert listing.skipped[0].reason == (
        "not a readable session: history.1.answer.text holds U+D800, half of a character, which is not text"
    )
    with pytest.raises(CorruptSession, match=r"is not a readable session: history\.1\.answer\.text holds U\+D800"):
        store.load(bad.id)


def test_a_lone_surrogate_in_a_key_is_named_without_printing_it(store: SessionStore, handoff_flow: Flow) -> None:
    session = saved(store, handoff_flow)
    path = store.path_for(session.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["presets"] = {"\ud800": "x"}
    path.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii: written as the escape \ud800
    (skipped,) = store.list().skipped
    assert skipped.reason.endswith("presets.\\ud800 holds U+D800, half of a character, which is not text")


def run_cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    """The real command, with real standard streams (capsys would not meet the encoding error)."""
    env = {**os.environ, DATA_ENV: str(data), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "selfhelp", "--flows", str(TEST_FLOWS), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        env=env,
        timeout=120,
    )


def test_resume_and_summary_survive_a_lone_surrogate(tmp_path: Path, handoff_flow: Flow) -> None:
    store = SessionStore(tmp_path / "sessions")
    damaged, fine = saved(store, handoff_flow), saved(store, handoff_flow, "Bob")
    with_half_a_character(store, damaged)  # only the damaged one answered "Ada"
    listed = run_cli("resume", data=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert fine.id[:12] in listed.stdout and damaged.id[:12] not in listed.stdout
    assert f"skipped {store.path_for(damaged.id)}: not a readable session: history.1.answer.text" in listed.stderr
    as_json = run_cli("resume", "--json", data=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [s["id"] for s in data["sessions"]] == [fine.id]
    assert [Path(s["path"]).stem for s in data["skipped"]] == [damaged.id]
    summary = run_cli("summary", damaged.id, data=tmp_path)
    assert summary.returncode == 1 and summary.stdout == ""
    assert "is not a readable session: history.1.answer.text holds U+D800" in summary.stderr
    assert "Traceback" not in listed.stderr + as_json.stderr + summary.stderr
    assert run_cli("summary", fine.id, data=tmp_path).stdout.startswith("# Case summary: Handoff test flow")


def test_a_file_name_that_is_not_utf8_is_listed_not_crashed_on(tmp_path: Path, handoff_flow: Flow) -> None:
    if sys.platform == "darwin" or os.name == "nt":
        pytest.skip("the file system insists on Unicode names")
    store = SessionStore(tmp_path / "sessions")
    good = saved(store, handoff_flow)
    (store.folder / os.fsdecode(b"\xff.json")).write_text("{}")
    listed = run_cli("resume", "--json", data=tmp_path)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert [s["id"] for s in data["sessions"]] == [good.id]
    assert [Path(s["path"]).name for s in data["skipped"]] == ["\udcff.json"]


def test_saving_a_lone_surrogate_is_a_clear_os_error_and_keeps_the_previous_save(
    store: SessionStore, handoff_flow: Flow
) -> None:
    session = saved(store, handoff_flow)
    before = store.path_for(session.id).read_bytes()
    session.state.notes.append("half a character: \ud800")  # what no text-cleaning step let through
    with pytest.raises(UnsavableSession) as caught:
        store.save(session)
    assert str(caught.value) == (
        f"session {session.id} cannot be saved: notes.0 holds U+D800, half of a character that is not text "
        "(the previous save is kept)"
    )
    # The app tells the user about any OSError of a save and carries on; store callers catch StoreError.
    assert isinstance(caught.value, OSError) and isinstance(caught.value, StoreError)
    assert store.path_for(session.id).read_bytes() == before
    assert sorted(p.name for p in store.folder.iterdir()) == [f"{session.id}.json"]


# --- leftovers of killed writers -----------------------------------------------------------------


def test_stale_temporary_files_are_removed_when_sessions_are_listed(store: SessionStore, handoff_flow: Flow) -> None:
    session = saved(store, handoff_flow)
    sid = session.id
    folder = store.folder
    plant(folder, f".{sid}.json.k1ll3d_a.tmp", 2 * HOUR, size=1_000_000)  # a killed save, long ago
    plant(folder, f".{sid}.json.k1ll3d_b.tmp", 25 * HOUR)
    plant(folder, ".gone0000.json.abc.tmp", 2 * HOUR)  # of a session whose file is gone
    plant(folder, ".gone0000.lock", 2 * HOUR)  # the lock file of a process that was killed
    plant(folder, f".{sid}.json.recent_1.tmp", 10 * 60)  # could be a save in progress: too young to judge
    plant(folder, ".notes.txt", 2 * HOUR)  # not ours: left alone
    plant(folder, "draft.tmp", 2 * HOUR)
    listing = store.list()
    assert [s.id for s in listing.sessions] == [sid] and listing.skipped == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".notes.txt", f".{sid}.json.recent_1.tmp", f"{sid}.json", "draft.tmp"]
    )


def test_opening_a_session_removes_its_stale_temporary_files(
    store: SessionStore, handoff_flow: Flow, handoff_catalog: Catalog
) -> None:
    a, b = saved(store, handoff_flow), saved(store, handoff_flow)
    plant(store.folder, f".{a.id}.json.old_tmp1.tmp", 2 * HOUR)
    plant(store.folder, f".{b.id}.json.old_tmp2.tmp", 2 * HOUR)
    store.resume(a.id, handoff_catalog)
    names = {p.name for p in store.folder.iterdir()}
    assert f".{a.id}.json.old_tmp1.tmp" not in names
    assert f".{b.id}.json.old_tmp2.tmp" in names, "opening one session looks at its own files only"


def test_the_work_of_one_listing_is_bounded(
    store: SessionStore, handoff_flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = saved(store, handoff_flow)
    monkeypatch.setattr(store_module, "SWEEP_LIMIT", 3)
    for i in range(5):
        plant(store.folder, f".{session.id}.json.old{i}.tmp", 2 * HOUR)
    store.list()
    assert len(list(store.folder.glob("*.tmp"))) == 2
    store.list()
    assert list(store.folder.glob("*.tmp")) == []


# --- two selfhelps on one session ----------------------------------------------------------------

#: Resumes a session for writing (as `selfhelp resume ID` does), says "held", then saves typed answers.
HOLDER = """
import sys
from pathlib import Path
from selfhelp.flow.catalog import flow_sources, load_catalog
from selfhelp.session.store import SessionStore

store = SessionStore(sys.argv[1])
catalog = load_catalog(flow_sources([Path(sys.argv[3])], include_shipped=False, environ={}))
session, _ = store.resume(sys.argv[2], catalog, claim=True)
print("held", flush=True)
for line in sys.stdin:
    assert session.submit(line.strip()).ok
    store.save(session)
    print("saved", session.current.node, flush=True)
"""


class Holder:
    """Another selfhelp process with the session open."""

    def __init__(self, folder: Path, session_id: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(folder), session_id, str(TEST_FLOWS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert self.readline() == "held"

    def readline(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            assert self.proc.stderr is not None
            raise AssertionError(f"the holder stopped: {self.proc.stderr.read()}")
        return line.strip()

    def answer(self, text: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self.readline()

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


HolderOf = Callable[[Path, str], "Holder"]


@pytest.fixture
def holder_of() -> Iterator[HolderOf]:
    """Starts holders; any still running at the end is killed."""
    holders: list[Holder] = []

    def start(folder: Path, session_id: str) -> Holder:
        holders.append(Holder(folder, session_id))
        return holders[-1]

    yield start
    for holder in holders:
        if holder.proc.poll() is None:
            holder.stop(kill=True)


def test_a_second_writer_is_refused_and_nothing_is_lost(
    store: SessionStore, handoff_flow: Flow, handoff_catalog: Catalog, holder_of: HolderOf
) -> None:
    session = saved(store, handoff_flow)
    first = holder_of(store.folder, session.id)
    here, _ = SessionStore(store.folder).resume(session.id, handoff_catalog)  # a second selfhelp reads it: allowed
    assert here.submit("1f8fad5b-d9cb-469f-a165-70867728950e").ok
    before = store.path_for(session.id).read_bytes()

    second = SessionStore(store.folder)
    with pytest.raises(SessionConflict) as caught:
        second.save(here)
    assert str(caught.value) == (
        f"this session ({session.id[:12]}) is open in another selfhelp (process {first.proc.pid}): "
        "carry on there, or quit it first; nothing here overwrites it"
    )
    assert store.path_for(session.id).read_bytes() == before, "the refused save wrote nothing"
    with pytest.raises(SessionConflict, match="is open in another selfhelp"):
        second.resume(session.id, handoff_catalog, claim=True)
    with pytest.raises(SessionConflict, match="is open in another selfhelp"):
        second.delete(session.id)

    # The first goes on saving, unharmed; once it has quit, the session can be opened here.
    assert first.answer(GUID) == "saved describe"
    first.stop()
    resumed, _ = second.resume(session.id, handoff_catalog, claim=True)
    assert resumed.values == {"problem": "other", "customer_name": "Ada", "tenant_id": GUID}
    second.save(resumed)
    second.release(session.id)


def test_a_killed_writer_leaves_the_session_free(store: SessionStore, handoff_flow: Flow, holder_of: HolderOf) -> None:
    session = saved(store, handoff_flow)
    first = holder_of(store.folder, session.id)
    plant(store.folder, f".{session.id}.json.killed1.tmp", 2 * HOUR)
    store.list()
    assert (store.folder / f".{session.id}.json.killed1.tmp").exists(), "the session is held: its files stay"
    with pytest.raises(SessionConflict):
        store.claim(session.id)
    first.stop(kill=True)
    assert (store.folder / f".{session.id}.lock").exists(), "a killed process cannot remove its lock file"
    store.claim(session.id)  # the system freed the lock with the process
    assert not (store.folder / f".{session.id}.json.killed1.tmp").exists()
    store.release(session.id)
    assert sorted(p.name for p in store.folder.iterdir()) == [f"{session.id}.json"]


def test_resume_id_says_the_session_is_open_elsewhere_and_starts_no_app(
    tmp_path: Path,
    handoff_flow: Flow,
    holder_of: HolderOf,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    store = SessionStore()
    session = saved(store, handoff_flow)
    first = holder_of(store.folder, session.id)
    before = store.path_for(session.id).read_bytes()
    calls: list[dict[str, object]] = []

    def fake_run_app(catalog: Catalog, **kwargs: object) -> int:
        calls.append(kwargs)
        return 0

    # Stand in for the Textual app: this test is about the command, not the UI.
    monkeypatch.setitem(sys.modules, "selfhelp.tui.app", types.SimpleNamespace(run_app=fake_run_app))
    assert main(["--flows", str(TEST_FLOWS), "resume", session.id[:8]]) == 1
    err = capsys.readouterr().err
    assert f"selfhelp: this session ({session.id[:12]}) is open in another selfhelp (process {first.proc.pid})" in err
    assert calls == [] and store.path_for(session.id).read_bytes() == before
    first.stop()
    assert main(["--flows", str(TEST_FLOWS), "resume", session.id[:8]]) == 0
    assert len(calls) == 1


def test_stores_in_one_process_share_its_sessions(
    store: SessionStore, handoff_flow: Flow, handoff_catalog: Catalog
) -> None:
    # `selfhelp resume ID` opens the session with its store; the app saves it with its own.
    session = saved(store, handoff_flow)
    command_store, app_store = SessionStore(store.folder), SessionStore(store.folder)
    resumed, _ = command_store.resume(session.id, handoff_catalog, claim=True)
    assert resumed.submit(GUID).ok
    app_store.save(resumed)
    assert store.load(session.id).history[-1].node == "describe"
    command_store.release(session.id)
