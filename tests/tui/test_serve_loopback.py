"""The real ``selfhelp serve``, in a subprocess on 127.0.0.1, probed with an aiohttp client.

Every wait is bounded: a server that never starts, or a session that never
draws, fails the test instead of hanging it. Nothing listens or connects
anywhere but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
#: Generous for a slow, shared machine: starting Python, then the app (Textual) in each session.
START_DEADLINE = 60.0
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass
class Served:
    """A running ``selfhelp serve``."""

    process: subprocess.Popen[bytes]
    port: int
    token: str | None
    stdout: Path
    stderr: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        """The WebSocket URL the page gives the browser (with the token in its path)."""
        return f"ws://127.0.0.1:{self.port}/ws" + (f"/{self.token}" if self.token else "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(folder: Path, *flags: str) -> Iterator[Served]:
    """Start the server with FLAGS, wait (bounded) until it answers, stop it afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    env |= {"SELFHELP_DATA_DIR": str(folder / "data"), "SELFHELP_CONFIG": str(folder / "none.yaml")}
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("wb") as out_file, err.open("wb") as err_file:
        # Files, not pipes: nobody has to keep reading them for the server to go on.
        process = subprocess.Popen(
            [sys.executable, "-m", "selfhelp", "serve", "--host", "127.0.0.1", "--port", str(port), *flags],
            stdout=out_file,
            stderr=err_file,
            env=env,
            start_new_session=True,  # its own process group: the sessions' app processes go down with it
        )
    served = Served(process, port, None, out, err)
    try:
        served.token = _wait_until_up(served, want_token="--no-token" not in flags)
        yield served
    finally:
        _stop(process)


def _wait_until_up(served: Served, *, want_token: bool) -> str | None:
    """The token the server printed (``None`` if it printed none), once it answers HTTP."""
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        assert served.process.poll() is None, f"server exited: {served.stderr.read_text()}"
        printed = served.stdout.read_text()
        if "Press Ctrl+C to stop." in printed:
            try:
                with socket.create_connection(("127.0.0.1", served.port), timeout=1):
                    pass
            except OSError:
                pass
            else:
                found = re.search(rf"^    http://127\.0\.0\.1:{served.port}/\?token=(\S+)$", printed, re.MULTILINE)
                assert (found is not None) is want_token, printed
                return found.group(1) if found else None
        time.sleep(0.1)
    raise AssertionError(f"server not up after {START_DEADLINE}s: {served.stderr.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (textual-serve stops its sessions), then, if it lingers, kill its process group."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server with a generated token and room for two sessions."""
    yield from _start(tmp_path_factory.mktemp("serve"), "--max-sessions", "2")


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server without a token."""
    yield from _start(tmp_path_factory.mktemp("serve-open"), "--no-token")


async def _handshake_status(url: str, **kwargs: object) -> int:
    """The HTTP status a refused WebSocket handshake gets (101 if it was accepted, then closed)."""
    async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
        try:
            ws = await http.ws_connect(url, **kwargs)  # type: ignore[arg-type]
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status
        await ws.close()
        return 101


async def _first_drawing(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    """The first bytes the session's app sends: it started, under the web driver, and drew."""
    # Not receive(timeout=...): the server's heartbeat pings restart that timeout, so it would never end.
    async with asyncio.timeout(START_DEADLINE):
        msg = await ws.receive()
    assert msg.type == aiohttp.WSMsgType.BINARY, msg
    return msg.data


def test_start_up_prints_the_address_with_a_fresh_token(server: Served) -> None:
    assert server.token is not None and re.fullmatch(r"[A-Za-z0-9_-]{43}", server.token)
    assert server.stdout.read_text().startswith(
        f"selfhelp is served at http://127.0.0.1:{server.port}/ (at most 2 sessions at once).\n"
        "Open it in a web browser with its access token:\n"
    )
    assert "warning" not in server.stderr.read_text()


async def test_the_page_needs_the_token(server: Served) -> None:
    async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
        for query in ("", "?token=wrong"):
            async with http.get(f"{server.base}/{query}") as response:
                assert response.status == 403
                assert "needs its access token" in await response.text()
        async with http.get(f"{server.base}/?token={server.token}") as response:
            assert response.status == 200
            cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"selfhelp-token-{server.port}={server.token};")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        # Later visits without the token in the address: the cookie is enough.
        headers = {"Cookie": f"selfhelp-token-{server.port}={server.token}"}
        async with http.get(f"{server.base}/", headers=headers) as response:
            assert response.status == 200


async def test_the_page_has_no_third_party_url(server: Served) -> None:
    async with (
        aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http,
        http.get(f"{server.base}/?token={server.token}") as response,
    ):
        page = await response.text()
    hosts = {m.group(1) for m in re.finditer(r"""(?:https?|wss?)://([^/\s"'<>)]+)""", page)}
    # www.w3.org is the SVG logo's xmlns: a name, never fetched.
    assert hosts == {f"127.0.0.1:{server.port}", "www.w3.org"}
    assert "googleapis" not in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{server.port}/ws/{server.token}"' in page
    font = f"http://127.0.0.1:{server.port}/static/fonts/RobotoMono-VariableFont_wght.ttf"
    assert f'url("{font}")' in page
    async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http, http.get(font) as response:
        assert response.status == 200
        assert (await response.read())[:4] == b"\x00\x01\x00\x00"  # a TrueType font, served from here


async def test_websockets_from_other_origins_are_refused(server: Served) -> None:
    assert await _handshake_status(server.ws, origin="http://evil.example") == 403
    assert await _handshake_status(server.ws, origin="null") == 403
    assert await _handshake_status(server.ws, origin=f"http://127.0.0.1:{server.port + 1}") == 403
    # A page of evil.example whose name now points at 127.0.0.1 (DNS rebinding): same-origin, by its own Host.
    rebound = f"evil.example:{server.port}"
    assert await _handshake_status(server.ws, origin=f"http://{rebound}", headers={"Host": rebound}) == 403


async def test_websockets_need_the_token(server: Served) -> None:
    origin = server.base
    assert await _handshake_status(f"{server.base.replace('http', 'ws')}/ws", origin=origin) == 403
    assert await _handshake_status(f"{server.base.replace('http', 'ws')}/ws/wrong", origin=origin) == 403


async def test_same_origin_sessions_run_the_app_up_to_the_cap(server: Served) -> None:
    """Two sessions draw (the app runs under textual-serve, terminal or not); a third is refused until one ends."""
    async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
        first = await http.ws_connect(server.ws, origin=server.base)
        second = await http.ws_connect(server.ws)  # no Origin: a program, not a page; the token lets it in
        try:
            assert await _first_drawing(first)
            assert await _first_drawing(second)
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(server.ws, origin=server.base)
            assert refused.value.status == 503
            async with http.get(f"{server.base}/?token={server.token}") as response:
                assert response.status == 503
                assert "runs at most 2 sessions at once, and all are in use" in await response.text()
            await first.close()
            third = await _connect_when_room(http, server)
            assert await _first_drawing(third)
            await third.close()
        finally:
            await first.close()
            await second.close()


async def _connect_when_room(http: aiohttp.ClientSession, server: Served) -> aiohttp.ClientWebSocketResponse:
    """Connect once the closed session's app has quit (bounded)."""
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            return await http.ws_connect(server.ws, origin=server.base)
        except aiohttp.WSServerHandshakeError as exc:
            assert exc.status == 503 and time.monotonic() < deadline, exc
        await asyncio.sleep(0.2)


def test_the_token_stays_out_of_the_access_log(server: Served) -> None:
    """The earlier tests asked for the page and WebSockets with the token: the log shows neither."""
    deadline = time.monotonic() + START_DEADLINE
    while "/ws/[token]" not in (log := server.stdout.read_text()):  # logged just after each answer
        assert time.monotonic() < deadline, log
        time.sleep(0.1)
    assert "/?token=[token]" in log
    assert log.count(server.token) == 1, "printed once, at start, and nowhere else"


def test_without_a_token_start_up_says_so(open_server: Served) -> None:
    assert open_server.token is None
    assert "selfhelp: warning: running without an access token (--no-token)" in open_server.stderr.read_text()
    assert "?token=" not in open_server.stdout.read_text()


async def test_without_a_token_the_page_is_open_but_other_origins_still_refused(open_server: Served) -> None:
    async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http, http.get(f"{open_server.base}/") as response:
        assert response.status == 200
        assert f'data-session-websocket-url="ws://127.0.0.1:{open_server.port}/ws"' in await response.text()
    assert await _handshake_status(open_server.ws, origin="http://evil.example") == 403
