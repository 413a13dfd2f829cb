"""Set-up shared by every test."""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from selfhelp.flow.catalog import Catalog, flow_sources, load_catalog, shipped_flows_dir
from selfhelp.flow.models import Flow
from selfhelp.flow.validate import check_file
from selfhelp.session.engine import Session
from selfhelp.session.store import DATA_ENV, SessionStore


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep every test, and the apps and servers they start in subprocesses, out of the user's cache folder.

    Loading flows writes no cache (tests/test_first_paint.py proves it); starting the app does, and some
    tests start it in a child process (``selfhelp serve`` runs one per browser session) without saying where.
    """
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELFHELP_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def _a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests call the app-opening commands with a stand-in app: act as if there were a terminal.

    The refusal without one is tested for real, in subprocesses (tests/test_no_terminal.py).
    """
    monkeypatch.setattr("selfhelp.commands.common.terminal_missing", lambda: None)


# --- flows and sessions walked through them ---------------------------------------------------------

#: The flows written for the tests (``tests/flows``): ``handoff-test`` among them.
TEST_FLOWS = Path(__file__).parent / "flows"
#: A tenant ID as a partner types it.
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def checked_flow(path: Path) -> Flow:
    """The flow in ``path``, which must validate clean (else its problems are the failure's message)."""
    report = check_file(path)
    assert report.ok and report.flow is not None, [d.format() for d in report.diagnostics]
    return report.flow


@pytest.fixture(scope="session")
def cpor() -> Flow:
    """The shipped CPOR flow (``flows/cpor-customer-association.yaml``)."""
    return checked_flow(shipped_flows_dir() / "cpor-customer-association.yaml")


@pytest.fixture(scope="session")
def handoff_catalog() -> Catalog:
    """The test flows alone (no shipped flows, no environment): ``handoff-test`` loaded clean."""
    catalog = load_catalog(flow_sources([TEST_FLOWS], include_shipped=False, environ={}))
    assert "handoff-test" in catalog.flows, [d.format() for d in catalog.problems]
    return catalog


@pytest.fixture
def handoff_flow(handoff_catalog: Catalog) -> Flow:
    """The ``handoff-test`` flow (``tests/flows/handoff.yaml``): every answer kind, and a support form."""
    return handoff_catalog.flows["handoff-test"].flow


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The commands' data folder (``$SELFHELP_DATA_DIR``): the test's temporary folder, the start-up cache in it.

    The cache goes there too because ``resume`` refreshes it.
    """
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    monkeypatch.setenv("SELFHELP_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    """A session store of its own, in the test's temporary folder."""
    return SessionStore(tmp_path / "sessions")


def walked(flow: Flow, *answers: int | str) -> Session:
    """A session with ``answers`` given in order: ints pick a choice, strings are typed."""
    session = Session(flow)
    for answer in answers:
        reply = session.choose(answer) if isinstance(answer, int) else session.submit(answer)
        assert reply.ok, reply.reason
    return session


#: The tenant that owns contoso.onmicrosoft.com on the fake sign-in service.
CONTOSO_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@pytest.fixture(autouse=True)
def _no_real_sign_in_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches Microsoft's sign-in service: by default checks ask a closed port on 127.0.0.1.

    Tests that want answers start :func:`discovery` (a fake service on 127.0.0.1) and point the checks at it.
    """
    monkeypatch.setenv("SELFHELP_LOGIN_AUTHORITY", "http://127.0.0.1:9")


class _Discovery(http.server.BaseHTTPRequestHandler):
    """A fake OpenID discovery service: the domain in the path picks the answer."""

    stop: threading.Event
    seen: list[str]

    def log_message(self, format: str, *args: object) -> None:  # quiet: no noise in test output
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.seen.append(self.path)
        domain = self.path.strip("/").split("/")[0]
        if domain == "contoso.onmicrosoft.com":
            document = {
                "issuer": f"https://sts.windows.net/{CONTOSO_TENANT}/",
                "token_endpoint": f"https://login.microsoftonline.com/{CONTOSO_TENANT}/oauth2/token",
            }
            self._send(200, json.dumps(document).encode())
        elif domain == "nobody-owns-this.example":
            self._send(400, b'{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant not found."}')
        elif domain == "slow.example":
            self.stop.wait(5)  # longer than the test's timeout; the fixture ends the wait at teardown
            self._send(200, b"{}")
        elif domain == "bad-json.example":
            self._send(200, b'{"issuer": "https://sts.windows.net/')
        elif domain == "redirect.example":
            target = f"http://127.0.0.1:{self.server.server_address[1]}/contoso.onmicrosoft.com/.well-known/x"
            self._send(302, b"", {"Location": target})
        elif domain == "huge.example":
            self._send(200, b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}')
        elif domain == "server-error.example":
            self._send(500, b'{"error":"server_error"}')
        else:
            self._send(404, b"{}")


@dataclasses.dataclass
class FakeDiscovery:
    """A running fake sign-in service on 127.0.0.1."""

    url: str
    """Its address, for SELFHELP_LOGIN_AUTHORITY."""
    seen: list[str]
    """The paths asked for, in order."""


@pytest.fixture
def discovery(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscovery]:
    """A fake discovery service on 127.0.0.1 (a bounded threaded server), with the checks pointed at it."""
    stop = threading.Event()
    seen: list[str] = []
    handler = type("Handler", (_Discovery,), {"stop": stop, "seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("SELFHELP_LOGIN_AUTHORITY", url)
    try:
        yield FakeDiscovery(url, seen)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
