"""A session process killed with SIGKILL resumes with every answer it had given.

The child process is a real interpreter running only the core (Session and
SessionStore), answering steps from JSON lines on stdin and acknowledging each
after it is saved. The parent waits for acknowledgements, never for time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp.flow.catalog import Catalog, flow_sources, load_catalog, shipped_flows_dir
from selfhelp.session.handoff import build_summary
from selfhelp.session.store import SessionStore

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

HERE = Path(__file__).parent
CPOR = shipped_flows_dir() / "cpor-customer-association.yaml"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"

#: Answers steps read from stdin, one JSON object a line: {"choose": i} or {"text": "..."}; saves after each.
CHILD = """
import json, sys
from pathlib import Path
from selfhelp.session.engine import Session
from selfhelp.session.store import SessionStore
from selfhelp.flow.validate import check_file

flow = check_file(Path(sys.argv[1])).flow
store = SessionStore(sys.argv[2])
session = Session(flow)
store.save(session)
print("id", session.id, flush=True)
for line in sys.stdin:
    action = json.loads(line)
    if "choose" in action:
        reply = session.choose(action["choose"])
    elif "note" in action:
        session.add_note(action["note"])
        reply = None
    else:
        reply = session.submit(action["text"])
    store.save(session)
    print("ok" if reply is None or reply.ok else "refused", session.current.node, flush=True)
"""

#: Like CHILD, but the save after the first answer stops inside the write (temp file written, not yet renamed).
STALL = """
import json, os, sys
from pathlib import Path
from selfhelp.session.engine import Session
from selfhelp.session.store import SessionStore
from selfhelp.flow.validate import check_file

real_fsync = os.fsync
saves = 0
def stalling_fsync(fd):
    real_fsync(fd)
    if saves == 2:
        print("in-write", "-", flush=True)
        sys.stdin.readline()  # wait here, mid-save, until killed
os.fsync = stalling_fsync

session = Session(check_file(Path(sys.argv[1])).flow)
store = SessionStore(sys.argv[2])
print("id", session.id, flush=True)
for line in sys.stdin:
    session.choose(json.loads(line)["choose"])
    saves += 1
    store.save(session)
    print("ok", session.current.node, flush=True)
"""


class Child:
    """A session process under the test's control."""

    def __init__(self, script: str, flow: Path, folder: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, str(flow), str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )
        first = self.readline().split()
        assert first[0] == "id", first
        self.session_id = first[1]

    def readline(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            assert self.proc.stderr is not None
            raise AssertionError(f"the child stopped: {self.proc.stderr.read()}")
        return line.strip()

    def act(self, action: dict[str, object]) -> str:
        """Send one action and wait until the child has saved it; returns the node it is at."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(action) + "\n")
        self.proc.stdin.flush()
        status, node = self.readline().split()
        assert status == "ok", (action, node)
        return node

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        assert self.proc.returncode == -signal.SIGKILL
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def catalog_of(flow: Path) -> Catalog:
    cat = load_catalog(flow_sources([flow], include_shipped=False, environ={}))
    assert not cat.broken, [d.format() for d in cat.problems]
    return cat


def test_cpor_session_killed_mid_way_resumes_with_every_answer(tmp_path: Path) -> None:
    description = "Error: tenant and [bold]subdomain[/bold] don't match\nsecond line \u202e\x1b[31m"
    child = Child(CHILD, CPOR, tmp_path)
    try:
        assert child.act({"choose": 0}) == "tenant-subdomain-mismatch"
        assert child.act({"choose": 1}) == "ask-tenant-id"
        assert child.act({"text": GUID}) == "ask-customer-domain"
        assert child.act({"text": "contoso.onmicrosoft.com"}) == "check-tenant-domain"
        assert child.act({"choose": 1}) == "ask-claim-id"  # don't check online
        assert child.act({"text": "C-1, C-2"}) == "describe-problem"
        assert child.act({"text": description}) == "ask-program"
        assert child.act({"note": "agent: partner on the phone"}) == "ask-program"
    finally:
        child.kill()

    store = SessionStore(tmp_path)
    assert [s.id for s in store.unfinished().sessions] == [child.session_id]
    session, notice = store.resume(child.session_id, catalog_of(CPOR))
    assert notice is None
    assert session.current.node == "ask-program"
    assert [v.node for v in session.history] == [
        "what-happening",
        "tenant-subdomain-mismatch",
        "ask-tenant-id",
        "ask-customer-domain",
        "check-tenant-domain",
        "ask-claim-id",
        "describe-problem",
        "ask-program",
    ]
    assert session.values == {
        "tenant_id": GUID,
        "customer_domain": "contoso.onmicrosoft.com",
        "tenant_check": "unavailable",
        "claim_id": "C-1, C-2",
        # Kept cleaned: the bidi override and the escape sequence are gone, the trailing space trimmed.
        "error_message": "Error: tenant and [bold]subdomain[/bold] don't match\nsecond line",
    }
    assert session.state.notes == ["agent: partner on the phone"]

    # The resumed session carries on to the support form as if nothing happened.
    assert session.choose(0).ok  # OSU - Business Applications
    assert session.submit("1234567").ok
    assert session.submit("").ok  # no earning period dates
    assert session.submit("").ok
    assert session.submit("").ok  # no Dynamics subscription ID
    assert session.outcome is not None and session.outcome.result.value == "contact_support"
    summary = build_summary(session)
    assert summary.missing == []
    assert {f.field: f.value for f in summary.form}["customer_tenant_id"] == GUID


def test_a_kill_in_the_middle_of_a_save_keeps_the_previous_save(tmp_path: Path) -> None:
    test_flow = HERE / "flows" / "handoff.yaml"
    child = Child(STALL, test_flow, tmp_path)
    try:
        assert child.act({"choose": 0}) == "paste"
        assert child.proc.stdin is not None
        child.proc.stdin.write(json.dumps({"choose": 0}) + "\n")  # skip the paste: the save stalls
        child.proc.stdin.flush()
        assert child.readline().split()[0] == "in-write"
    finally:
        child.kill()
    assert any(p.suffix == ".tmp" for p in tmp_path.iterdir()), "the kill came mid-save"
    store = SessionStore(tmp_path)
    listing = store.list()
    assert listing.skipped == [] and [s.node for s in listing.sessions] == ["paste"]
    session, _ = store.resume(child.session_id, catalog_of(test_flow))
    assert session.values == {"problem": "error"} and session.current.node == "paste"
    assert session.choose(0).ok, "the resumed session goes on (skipping the paste)"
    store.save(session)
    assert store.load(child.session_id).history[-1].node == "name"
