"""Without a terminal the app-opening commands refuse at once (exit 2, one line), instead of hanging.

These run the real command in a subprocess: the in-process tests stand in a
terminal (tests/conftest.py), so only here is the check itself exercised.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp.commands.common import why_no_terminal

CPOR = "cpor-customer-association"
#: Long enough for a slow, shared machine to start Python; the app without the check never exits at all.
DEADLINE = 30
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo terminals and /dev/null are POSIX")
ADVICE = "without one, use 'selfhelp match', 'selfhelp summary' or 'selfhelp resume --json'"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The user's environment, minus what would change the answer, with private data and config folders."""
    base = {k: v for k, v in os.environ.items() if k not in ("TEXTUAL_DRIVER", "TERM")}
    return {
        **base,
        "TERM": "xterm-256color",
        "SELFHELP_DATA_DIR": str(tmp_path / "data"),
        "SELFHELP_CONFIG": str(tmp_path / "none.yaml"),
    }


def selfhelp(argv: list[str], env: dict[str, str], **streams: object) -> subprocess.CompletedProcess[str]:
    """Run ``python -m selfhelp ARGV``; a hang is killed after :data:`DEADLINE` seconds (and fails the test)."""
    return subprocess.run([sys.executable, "-m", "selfhelp", *argv], env=env, text=True, timeout=DEADLINE, **streams)


@pytest.mark.parametrize("argv", [[], ["run", CPOR], ["resume", "0123456789ab"]], ids=["bare", "run", "resume"])
def test_no_terminal_exits_2_at_once_with_one_line(argv: list[str], env: dict[str, str]) -> None:
    """Like ``selfhelp run X </dev/null | cat``: stdin from /dev/null, stdout a pipe."""
    out = selfhelp(argv, env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert out.returncode == 2
    assert out.stdout == "", "nothing, escape codes least of all, goes down the pipe"
    assert out.stderr == f"selfhelp: error: the app needs a terminal (stdin is not a terminal); {ADVICE}\n"


def test_term_dumb_is_refused_even_on_a_terminal(env: dict[str, str]) -> None:
    """stdin, stdout and stderr on a real (pseudo) terminal: only TERM=dumb says the app cannot be drawn.

    The message goes to stderr, that is to the terminal: it is read back from the pty.
    """
    import pty

    main_fd, tty_fd = pty.openpty()
    try:
        out = selfhelp(["run", CPOR], {**env, "TERM": "dumb"}, stdin=tty_fd, stdout=tty_fd, stderr=tty_fd)
        written = _read_available(main_fd)
    finally:
        os.close(tty_fd)
        os.close(main_fd)
    assert out.returncode == 2
    expected = f"selfhelp: error: the app needs a terminal (TERM=dumb says this terminal cannot draw it); {ADVICE}"
    assert written.replace("\r\n", "\n").strip() == expected


def _read_available(fd: int) -> str:
    """What is waiting on the pty's main side (the child has exited, so it is all there)."""
    import select

    chunks = []
    while select.select([fd], [], [], 0.5)[0]:
        try:
            data = os.read(fd, 4096)
        except OSError:  # Linux reports the closed other side as EIO
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_listing_commands_still_work_without_a_terminal(env: dict[str, str]) -> None:
    out = selfhelp(["resume", "--json"], env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert out.returncode == 0 and '"sessions": []' in out.stdout


@pytest.mark.parametrize(
    ("streams", "environ", "expected"),
    [
        ((True, True, True), {"TERM": "xterm-256color"}, None),
        ((True, True, True), {}, None),  # no TERM at all (Windows): not a reason to refuse
        ((False, True, True), {"TERM": "xterm"}, "stdin is not a terminal"),
        ((True, False, True), {"TERM": "xterm"}, "stdout is not a terminal"),
        ((True, True, False), {"TERM": "xterm"}, "stderr is not a terminal"),
        ((True, True, True), {"TERM": "dumb"}, "TERM=dumb says this terminal cannot draw it"),
        # textual-serve's sessions: pipes everywhere, and Textual told to draw for the browser
        ((False, False, False), {"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "TERM": "dumb"}, None),
    ],
)
def test_why_no_terminal(streams: tuple[bool, bool, bool], environ: dict[str, str], expected: str | None) -> None:
    stdin, stdout, stderr = streams
    assert why_no_terminal(stdin=stdin, stdout=stdout, stderr=stderr, environ=environ) == expected
