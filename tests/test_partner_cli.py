"""The command line as a partner meets it (issue 11, items 13-14): help that says what a command does,
a summary readable on a terminal, a resume list without empty sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.commands import summary as summary_command
from selfhelp.flow.models import Flow
from selfhelp.session.store import SessionStore
from tests.conftest import GUID, TEST_FLOWS, walked


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("run", "Open the app at the first question of a flow"),
        ("list", "List every flow found"),
    ],
)
def test_run_and_list_help_describe_the_command(command: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert says in " ".join(capsys.readouterr().out.split())


def test_summary_prints_text_to_a_terminal_and_markdown_to_a_pipe(
    data_folder: Path, handoff_flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    session = walked(handoff_flow, 1, "Ada_Lovelace", GUID, "It broke.")
    SessionStore().save(session)
    assert main(["--flows", str(TEST_FLOWS), "summary", session.id]) == 0
    piped = capsys.readouterr().out
    assert piped.startswith("# Case summary: Handoff test flow") and "Ada\\_Lovelace" in piped
    monkeypatch.setattr(summary_command, "is_terminal", lambda stream: True)
    assert main(["--flows", str(TEST_FLOWS), "summary", session.id]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Case summary: Handoff test flow") and "Ada_Lovelace" in shown and "\\" not in shown
    assert main(["--flows", str(TEST_FLOWS), "summary", session.id, "--format", "markdown"]) == 0
    assert capsys.readouterr().out == piped, "--format still chooses"


def test_resume_lists_no_session_without_an_answer(
    data_folder: Path, handoff_flow: Flow, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SessionStore()
    answered, empty = walked(handoff_flow, 1, "Ada"), walked(handoff_flow)
    store.save(answered)
    store.save(empty)
    assert main(["resume"]) == 0
    out = capsys.readouterr().out
    assert answered.id[:12] in out and empty.id[:12] not in out
    assert "(1 with no answer yet not shown: --all lists them.)" in out
    assert main(["resume", "--all"]) == 0
    assert empty.id[:12] in capsys.readouterr().out
