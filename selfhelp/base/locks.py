"""Lock files that say "this process is using that": one process at a time, freed when it ends, however it ends.

A lock is a small file holding the owner's process id, locked with the operating system's advisory
lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows). The system drops the lock when the owner
exits, even when it is killed, so a lock is never left held by a process that is gone, and the
owner's id being reused by another program later does not matter. The process id in the file only
names the owner in messages.

Locks belong to the process: taking a lock this process already holds succeeds at once (the app's
worker threads and the command that opened the session share it).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    #: Windows locks byte ranges and refuses reads of locked bytes: lock one far past the process id.
    _LOCKED_OFFSET = 1 << 30

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCKED_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCKED_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # BlockingIOError when another holds it
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class LockedElsewhere(Exception):
    """Another process holds the lock."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is locked by {'process ' + str(pid) if pid else 'another process'}")
        self.path = path
        self.pid = pid
        """The holder's process id, when its lock file says."""


@dataclass
class _Held:
    path: Path
    fd: int


_held: dict[str, _Held] = {}
_registry = threading.Lock()


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def holds(path: Path) -> bool:
    """Whether this process holds the lock ``path``."""
    with _registry:
        return _key(path) in _held


def acquire(path: Path) -> None:
    """Hold the lock ``path`` (creating the file) until :func:`release` or the end of the process.

    Raises:
        LockedElsewhere: another process holds it.
        OSError: the lock file cannot be created.
    """
    key = _key(path)
    with _registry:
        if key in _held:
            return
        # A holder releasing removes the file: a lock won on a file that is no longer at ``path`` is
        # worthless, so check, and start again with the new file (a few times at most).
        for _ in range(5):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            if not _try_lock(fd):
                pid = _pid_in(fd)
                os.close(fd)
                raise LockedElsewhere(path, pid)
            if _still_at(fd, path):
                _write_pid(fd)
                _held[key] = _Held(path, fd)
                return
            os.close(fd)
        raise LockedElsewhere(path, None)


def release(path: Path) -> None:
    """Give up the lock ``path`` (if held) and remove its file."""
    with _registry:
        held = _held.pop(_key(path), None)
    if held is None:
        return
    if os.name != "nt":
        # Removed while still locked, so that nobody can win a lock on a file about to vanish.
        with contextlib.suppress(OSError):
            held.path.unlink()
    os.close(held.fd)
    if os.name == "nt":  # pragma: no cover - Windows cannot remove an open file
        with contextlib.suppress(OSError):
            held.path.unlink()


def held_elsewhere(path: Path) -> bool:
    """Whether another process holds the lock ``path`` now (a missing lock file is held by nobody)."""
    if holds(path):
        return False
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        if not _try_lock(fd):
            return True
        _unlock(fd)
        return False
    finally:
        os.close(fd)


def remove_if_free(path: Path) -> bool:
    """Remove the lock file ``path`` left by a process that has ended; ``False`` when someone holds it."""
    if holds(path):
        return False
    try:
        acquire(path)
    except LockedElsewhere:
        return False
    release(path)
    return True


def _still_at(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _write_pid(fd: int) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())


def _pid_in(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


@atexit.register
def _release_all() -> None:
    """Remove this process's lock files when it exits normally (the system frees the locks anyway)."""
    with _registry:
        paths = [held.path for held in _held.values()]
    for path in paths:
        release(path)
