"""A session killed with SIGKILL mid-conversation resumes with every answer it had."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.tui.conftest import CPOR, GUID, at, conversation

#: Runs the app headless, answers three steps, waits for their saves, says READY, then waits to be killed.
CHILD = textwrap.dedent(
    f"""
    import asyncio, sys, time
    from pathlib import Path
    from selfhelp.flow.catalog import flow_sources, load_catalog
    from selfhelp.session.store import SessionStore
    from selfhelp.tui.app import SelfHelpApp

    async def main():
        app = SelfHelpApp(load_catalog(flow_sources(environ={{}})), flow_id={CPOR!r},
                          store=SessionStore(Path(sys.argv[1])))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("1")            # an error about the tenant ID or subdomain
            await pilot.press("2")            # checked with the customer, still failing: the tenant ID is asked
            await pilot.pause()
            app.screen.query_one("#answer-input").value = {GUID!r}
            await pilot.press("enter")
            await pilot.pause()
            app.wait_for_saves()              # saves are written by a thread: the last one is on disk now
            print("READY", flush=True)
            time.sleep(600)                   # blocks the loop: nothing more can be written

    asyncio.run(main())
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
async def test_sigkilled_session_resumes_with_every_answer(make_app, catalog, tmp_path: Path) -> None:
    from selfhelp.session.store import SessionStore

    folder = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    store = SessionStore(folder)
    [saved] = store.unfinished().sessions
    session, notice = store.resume(saved.id, catalog)
    assert notice is None
    app = make_app(session=session, store=store)
    async with app.run_test(size=(80, 24)):
        assert at(app) == "ask-customer-domain"
        answers = [m.answer for m in conversation(app).query("UserMessage")]
        assert answers == [
            "I get an error about the customer tenant ID or subdomain",
            "No, I've checked the details with my customer and still get the error",
            GUID,
        ]
        assert session.values["tenant_id"] == GUID
