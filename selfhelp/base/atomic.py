"""Writing a file so that a crash leaves either the old file or the new one, never a mix.

Plain standard library: sessions, case summaries and the first-paint cache all write this way.
:class:`BackgroundWriter` does the same writes in a thread, for a caller that must not wait on the disk.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The temporary file must be in the same folder: os.replace is atomic only within one file system.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open folders and needs no such step."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class BackgroundWriter:
    """Writes files with :func:`write_atomic` in one thread, in the order asked, so the caller never waits on the disk.

    Every file gets its latest text: a file asked for again before its turn is
    written once, with the newer text (an older state is never written after a
    newer one). The thread runs only while there is something to write, and is
    not a daemon: the interpreter waits for it at exit, so nothing asked is lost
    by quitting. Each failed write is passed to ``on_error`` (called in the thread).
    """

    def __init__(self, on_error: Callable[[Path, Exception], None] | None = None) -> None:
        self._on_error = on_error
        self._pending: dict[Path, str] = {}
        """Files waiting for their turn, in the order first asked, with their latest text."""
        self._changed = threading.Condition()
        self._running = False

    def write(self, path: Path, text: str) -> None:
        """Have ``text`` written to ``path`` (atomically) soon; returns at once."""
        with self._changed:
            self._pending[path] = text
            if not self._running:
                self._running = True
                threading.Thread(target=self._drain, name="selfhelp-writer").start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until everything asked so far is on disk (or failed); ``False`` if ``timeout`` ran out first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._running, timeout)

    def _drain(self) -> None:
        while True:
            with self._changed:
                if not self._pending:
                    self._running = False
                    self._changed.notify_all()
                    return
                path = next(iter(self._pending))
                text = self._pending.pop(path)
            try:
                write_atomic(path, text)
            except Exception as exc:  # reported, never raised: the thread must go on with the others
                self._report(path, exc)

    def _report(self, path: Path, error: Exception) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(path, error)
        except Exception:  # a broken callback must not stop the writes (nor leave wait() waiting forever)
            return
