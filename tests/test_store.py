"""Saved sessions: atomic saves, listings that survive bad files, resuming, and the resume/summary commands."""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.flow.catalog import Catalog, flow_sources, load_catalog
from selfhelp.flow.models import Flow
from selfhelp.session.engine import Session, SessionMismatch
from selfhelp.session.store import (
    DATA_ENV,
    CorruptSession,
    FlowMissing,
    ResumeRefused,
    SessionNotFound,
    SessionStore,
    data_dir,
    write_atomic,
)
from tests.conftest import GUID, TEST_FLOWS, walked

# --- where data lives -------------------------------------------------------------


def test_data_dir_env_overrides_platformdirs(tmp_path: Path) -> None:
    assert data_dir({DATA_ENV: str(tmp_path)}) == tmp_path
    default = data_dir({})
    assert default.name == "selfhelp" and default != tmp_path


def test_store_folder_defaults_to_sessions_in_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert SessionStore().folder == tmp_path / "sessions"
    assert SessionStore(tmp_path / "elsewhere").folder == tmp_path / "elsewhere"


# --- saving and loading -----------------------------------------------------------


def test_save_then_load_keeps_every_answer(store: SessionStore, handoff_flow: Flow, handoff_catalog: Catalog) -> None:
    session = walked(handoff_flow, 1, "Ada", GUID)
    session.add_note("called the partner")
    path = store.save(session)
    assert path == store.folder / f"{session.id}.json"
    state = store.load(session.id)
    assert state.history == session.history and state.notes == ["called the partner"]
    resumed, notice = store.resume(session.id, handoff_catalog)
    assert notice is None
    assert resumed.values == {"problem": "other", "customer_name": "Ada", "tenant_id": GUID}
    assert resumed.current.node == "describe"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_saved_files_are_private(store: SessionStore, handoff_flow: Flow) -> None:
    path = store.save(Session(handoff_flow))
    assert path.stat().st_mode & 0o077 == 0, "sessions hold tenant ids: other users must not read them"


def test_saving_again_replaces_the_file_and_leaves_no_temporary_files(store: SessionStore, handoff_flow: Flow) -> None:
    session = Session(handoff_flow)
    store.save(session)
    session.choose(1)
    store.save(session)
    # The lock file says the session is open here (see the tests of two writers below) until released.
    assert sorted(p.name for p in store.folder.iterdir()) == [f".{session.id}.lock", f"{session.id}.json"]
    store.release(session.id)
    assert [p.name for p in store.folder.iterdir()] == [f"{session.id}.json"]
    assert store.load(session.id).history[-1].node == "name"


def test_a_failed_write_keeps_the_previous_save(
    store: SessionStore, handoff_flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = Session(handoff_flow)
    path = store.save(session)
    before = path.read_bytes()
    session.choose(1)

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save(session)
    assert path.read_bytes() == before
    store.release(session.id)
    assert [p.name for p in store.folder.iterdir()] == [path.name], "the temporary file is removed"


def test_write_atomic_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.txt"
    write_atomic(target, "héllo\n")
    assert target.read_text(encoding="utf-8") == "héllo\n"


# --- listing ----------------------------------------------------------------------


def test_list_is_newest_first_with_summaries(store: SessionStore, handoff_flow: Flow) -> None:
    old = walked(handoff_flow, 1)
    new = walked(handoff_flow, 0, "The customer tenant ID and subdomain do not match", 0)
    old.state.updated, new.state.updated = "2026-01-01T10:00:00+00:00", "2026-01-02T10:00:00+00:00"
    store.save(old)
    store.save(new)
    listing = store.list()
    assert [s.id for s in listing.sessions] == [new.id, old.id]
    done, open_ = listing.sessions
    assert (done.finished, done.result, done.node, done.node_title, done.steps) == (
        True,
        "resolved",
        "resolved",
        "Fixed",
        3,
    )
    assert (open_.finished, open_.node, open_.node_title, open_.steps) == (False, "name", "Your name", 1)
    assert open_.flow_title == "Handoff test flow" and open_.flow_id == "handoff-test"
    assert [s.id for s in store.unfinished().sessions] == [old.id]


def test_list_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    listing = SessionStore(tmp_path / "nope").list()
    assert listing.sessions == [] and listing.skipped == []


BAD_FILES = {
    "empty": (b"", "empty"),
    "cut-short": (b'{"format": 1, "id": "cut-short", "flow_id": "handoff-te', "bad JSON"),
    "array": (b"[1, 2]", "not a JSON object"),
    "no-history": (b'{"id": "no-history", "flow_id": "x", "flow_version": "1", "flow_hash": "h"}', "history"),
    "empty-history": (
        b'{"id": "empty-history", "flow_id": "x", "flow_version": "1", "flow_hash": "h", "history": []}',
        "history is empty",
    ),
    "latin1": ("caf\u00e9".encode("latin-1"), "UTF-8"),
    "too-deep": (b"[" * 200_000, "nests too deeply"),
}


def test_unreadable_files_are_skipped_with_a_reason(store: SessionStore, handoff_flow: Flow) -> None:
    good = Session(handoff_flow)
    store.save(good)
    for name, (content, _) in BAD_FILES.items():
        (store.folder / f"{name}.json").write_bytes(content)
    # A session copied under another name: its id no longer matches the file.
    (store.folder / "renamed.json").write_text((store.folder / f"{good.id}.json").read_text())
    listing = store.list()
    assert [s.id for s in listing.sessions] == [good.id]
    reasons = {s.path.stem: s.reason for s in listing.skipped}
    assert set(reasons) == {*BAD_FILES, "renamed"}
    for name, (_, expected) in BAD_FILES.items():
        assert expected in reasons[name], (name, reasons[name])
    assert "holds session" in reasons["renamed"]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_loading_an_unreadable_file_is_a_clear_error(store: SessionStore, name: str) -> None:
    store.folder.mkdir(parents=True)
    (store.folder / f"{name}.json").write_bytes(BAD_FILES[name][0])
    with pytest.raises(CorruptSession, match="is not a readable session"):
        store.load(name)


# --- ids --------------------------------------------------------------------------


def test_a_unique_prefix_names_a_session(store: SessionStore, handoff_flow: Flow) -> None:
    a, b = Session(handoff_flow), Session(handoff_flow)
    a.state.id, b.state.id = "abc111", "abc222"
    store.save(a)
    store.save(b)
    assert store.resolve("abc1") == "abc111"
    assert store.resolve("abc222") == "abc222"
    with pytest.raises(SessionNotFound, match="fits 2 saved sessions"):
        store.resolve("abc")
    with pytest.raises(SessionNotFound, match="no saved session"):
        store.resolve("zzz")


@pytest.mark.parametrize("bad", ["../secret", "a/b", "", "*", "x" * 65, "a.json"])
def test_ids_that_could_escape_the_folder_are_refused(store: SessionStore, bad: str) -> None:
    with pytest.raises(SessionNotFound):
        store.load(bad)


def test_delete(store: SessionStore, handoff_flow: Flow) -> None:
    session = Session(handoff_flow)
    store.save(session)
    assert store.delete(session.id) is True
    assert store.list().sessions == []
    with pytest.raises(SessionNotFound):
        store.delete(session.id)


# --- resuming ---------------------------------------------------------------------


def test_resume_refuses_a_flow_that_is_not_loaded(store: SessionStore, handoff_flow: Flow) -> None:
    session = Session(handoff_flow)
    store.save(session)
    with pytest.raises(FlowMissing, match="'handoff-test', which is not loaded"):
        store.resume(session.id, Catalog())


def _catalog_with(tmp_path: Path, text: str) -> Catalog:
    folder = tmp_path / "changed"
    folder.mkdir()
    (folder / "handoff.yaml").write_text(text, encoding="utf-8")
    cat = load_catalog(flow_sources([folder], include_shipped=False, environ={}))
    assert "handoff-test" in cat.flows, [d.format() for d in cat.problems]
    return cat


def test_resume_on_a_changed_flow_that_still_fits_gives_a_notice(
    store: SessionStore, handoff_flow: Flow, tmp_path: Path
) -> None:
    session = walked(handoff_flow, 1, "Ada")
    store.save(session)
    text = (TEST_FLOWS / "handoff.yaml").read_text(encoding="utf-8")
    changed = _catalog_with(tmp_path, text.replace('version: "1"', 'version: "2"'))
    resumed, notice = store.resume(session.id, changed)
    assert notice is not None and "changed" in notice and "1 -> 2" in notice
    assert resumed.values["customer_name"] == "Ada" and resumed.current.node == "tenant"


def test_resume_on_a_changed_flow_that_no_longer_fits_is_refused(
    store: SessionStore, handoff_flow: Flow, tmp_path: Path
) -> None:
    session = walked(handoff_flow, 1, "Ada")
    store.save(session)
    text = (TEST_FLOWS / "handoff.yaml").read_text(encoding="utf-8")
    # "Something else" now leads straight to the tenant question: the saved path went through "name".
    changed = _catalog_with(
        tmp_path, text.replace("value: other\n        goto: name", "value: other\n        goto: tenant")
    )
    with pytest.raises(ResumeRefused, match="cannot be resumed") as caught:
        store.resume(session.id, changed)
    assert isinstance(caught.value, SessionMismatch), "callers catching the engine's error still catch it"


def test_a_hand_edited_step_is_reported_not_crashed_on(
    store: SessionStore, handoff_flow: Flow, handoff_catalog: Catalog
) -> None:
    session = walked(handoff_flow, 1)
    path = store.save(session)
    data = json.loads(path.read_text())
    data["history"][-1]["node"] = "no-such-step"
    path.write_text(json.dumps(data))
    with pytest.raises(CorruptSession, match="no-such-step"):
        store.resume(session.id, handoff_catalog)


# --- the commands -----------------------------------------------------------------


def test_resume_lists_unfinished_sessions(
    data_folder: Path, handoff_flow: Flow, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SessionStore()
    open_, done = (
        walked(handoff_flow, 1, "Ada"),
        walked(handoff_flow, 0, "The customer tenant ID and subdomain do not match", 0),
    )
    store.save(open_)
    store.save(done)
    (store.folder / "junk.json").write_text("{")
    assert main(["resume"]) == 0
    out, err = capsys.readouterr()
    assert open_.id[:12] in out and "handoff-test: Tenant ID" in out
    assert done.id[:12] not in out
    assert "skipped" in err and "junk.json" in err
    assert main(["resume", "--json", "--all"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {s["id"] for s in listed["sessions"]} == {open_.id, done.id}
    assert listed["skipped"][0]["path"].endswith("junk.json")


def test_resume_with_nothing_saved(data_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resume"]) == 0
    assert "No unfinished sessions" in capsys.readouterr().out


def test_resume_id_opens_the_app_with_the_session(
    data_folder: Path, handoff_flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    session = walked(handoff_flow, 1, "Ada")
    SessionStore().save(session)
    calls: list[dict] = []

    def fake_run_app(catalog: Catalog, **kwargs: object) -> int:
        calls.append(kwargs)
        return 0

    # Stand in for the Textual app: this test is about the command, not the UI.
    monkeypatch.setitem(sys.modules, "selfhelp.tui.app", types.SimpleNamespace(run_app=fake_run_app))
    assert main(["--flows", str(TEST_FLOWS), "--agent", "resume", session.id[:8]]) == 0
    (kwargs,) = calls
    assert kwargs["flow_id"] == "handoff-test" and kwargs["agent"] is True and kwargs["notice"] is None
    resumed = kwargs["session"]
    assert isinstance(resumed, Session) and resumed.values["customer_name"] == "Ada"
    assert (data_folder / "cache" / "first-paint.json").is_file()  # the next 'selfhelp run' paints from it


def test_resume_errors_are_messages_not_tracebacks(
    data_folder: Path, handoff_flow: Flow, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resume", "nosuchsession"]) == 2
    assert "no saved session" in capsys.readouterr().err
    store = SessionStore()
    store.folder.mkdir(parents=True)
    (store.folder / "broken.json").write_text('{"id": "broken"')
    assert main(["resume", "broken"]) == 1
    err = capsys.readouterr().err
    assert "not a readable session" in err and "Traceback" not in err
    session = Session(handoff_flow)
    store.save(session)
    assert main(["resume", session.id]) == 1, "the test flow is not loaded without --flows"
    assert "not loaded" in capsys.readouterr().err


def test_summary_command_prints_markdown_text_and_json(
    data_folder: Path, handoff_flow: Flow, capsys: pytest.CaptureFixture[str]
) -> None:
    session = walked(handoff_flow, 1, "Ada", GUID, "It broke.")
    SessionStore().save(session)
    assert main(["--flows", str(TEST_FLOWS), "summary", session.id]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Case summary: Handoff test flow") and "## Support form" in out
    assert main(["--flows", str(TEST_FLOWS), "summary", session.id, "--format", "json", "--save"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["outcome"]["result"] == "contact_support" and summary["missing"] == ["claim_date"]
    saved = [Path(line.removeprefix("saved ")) for line in captured.err.splitlines()]
    assert [p.suffix for p in saved] == [".md", ".json"] and all(p.parent == data_folder / "summaries" for p in saved)
    assert json.loads(saved[1].read_text()) == summary
    assert main(["--flows", str(TEST_FLOWS), "summary", session.id, "--format", "text"]) == 0
    assert "Your name [customer_name]: Ada" in capsys.readouterr().out


def test_summary_save_that_cannot_write_is_a_clear_error(
    data_folder: Path, handoff_flow: Flow, capsys: pytest.CaptureFixture[str]
) -> None:
    session = walked(handoff_flow, 1, "Ada", GUID, "It broke.")
    SessionStore().save(session)
    (data_folder / "summaries").write_text("a file where the folder should be")
    assert main(["--flows", str(TEST_FLOWS), "summary", session.id, "--save"]) == 1
    err = capsys.readouterr().err
    assert "cannot save the case summary" in err and "Traceback" not in err
