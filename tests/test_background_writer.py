"""The background writer: one thread, files written in the order asked, each with its latest text."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from selfhelp.base import atomic
from selfhelp.base.atomic import BackgroundWriter


class HeldDisk:
    """Stands in for ``write_atomic``: records each write, and holds the first one until released."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.writes: list[tuple[str, str, str]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()
        self.fail = fail or set()

    def __call__(self, path: Path, text: str) -> None:
        if not self.writes and not self.first_started.is_set():
            self.first_started.set()
            assert self.release.wait(10), "the test never released the first write"
        thread = threading.current_thread()
        self.writes.append((path.name, text, f"{thread.name}{' (daemon)' if thread.daemon else ''}"))
        if path.name in self.fail:
            raise OSError(f"cannot write {path.name}")


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> HeldDisk:
    held = HeldDisk()
    monkeypatch.setattr(atomic, "write_atomic", held)
    return held


def test_writes_happen_in_a_thread_in_order_and_only_the_latest_text_of_a_file(tmp_path: Path, disk: HeldDisk) -> None:
    writer = BackgroundWriter()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    writer.write(a, "a1")  # returns at once, though the disk is held
    assert disk.first_started.wait(10)
    writer.write(a, "a2")
    writer.write(b, "b1")
    writer.write(a, "a3")  # replaces a2, which was never written
    assert writer.wait(timeout=0.01) is False  # still held
    disk.release.set()
    assert writer.wait(timeout=10) is True
    assert [(name, text) for name, text, _ in disk.writes] == [("a.json", "a1"), ("a.json", "a3"), ("b.json", "b1")]
    # Not a daemon: the interpreter waits for it at exit, so quitting never drops a save.
    assert {thread for _, _, thread in disk.writes} == {"selfhelp-writer"}


def test_a_failed_write_is_reported_and_the_others_go_on(tmp_path: Path, disk: HeldDisk) -> None:
    disk.fail = {"bad.json"}
    disk.release.set()
    failures: list[tuple[str, str]] = []
    writer = BackgroundWriter(on_error=lambda path, error: failures.append((path.name, str(error))))
    writer.write(tmp_path / "bad.json", "x")
    writer.write(tmp_path / "good.json", "y")
    assert writer.wait(timeout=10)
    assert failures == [("bad.json", "cannot write bad.json")]
    assert [name for name, _, _ in disk.writes] == ["bad.json", "good.json"]


def test_a_broken_error_callback_does_not_stop_the_writer(tmp_path: Path, disk: HeldDisk) -> None:
    disk.fail = {"bad.json"}
    disk.release.set()

    def broken(path: Path, error: Exception) -> None:
        raise RuntimeError("oops")

    writer = BackgroundWriter(on_error=broken)
    writer.write(tmp_path / "bad.json", "x")
    writer.write(tmp_path / "good.json", "y")
    assert writer.wait(timeout=10)
    assert [name for name, _, _ in disk.writes] == ["bad.json", "good.json"]


def test_the_real_write_is_atomic_and_the_thread_outlives_no_work(tmp_path: Path) -> None:
    writer = BackgroundWriter()
    target = tmp_path / "deep" / "file.json"
    writer.write(target, "one")
    writer.write(target, "two")
    assert writer.wait(timeout=10)
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]  # no temporary file left
    for thread in threading.enumerate():  # no idle thread kept: the writer ends once it has nothing to write
        if thread.name == "selfhelp-writer":
            thread.join(timeout=10)
            assert not thread.is_alive()
