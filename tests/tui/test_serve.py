"""``selfhelp serve``: the command each browser session runs, the defaults, and bad options."""

from __future__ import annotations

from typing import ClassVar

import pytest

from selfhelp.cli import build_parser, main
from selfhelp.commands import serve


class FakeServer:
    """Records how the server was set up instead of listening."""

    made: ClassVar[list[FakeServer]] = []

    def __init__(self, command: str, host: str, port: int, title: str, public_url: str | None) -> None:
        self.command, self.host, self.port = command, host, port
        FakeServer.made.append(self)

    def serve(self) -> None:
        pass


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    import textual_serve.server

    FakeServer.made.clear()
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    return FakeServer


def test_defaults_to_loopback_and_runs_this_python(fake_server, capsys) -> None:
    assert main(["--agent", "serve", "--flow", "cpor-customer-association"]) == 0
    [server] = fake_server.made
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert server.command.endswith("-m selfhelp --agent run cpor-customer-association")
    assert capsys.readouterr().err == ""


def test_an_open_address_is_warned_about(fake_server, capsys) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "9000"]) == 0
    assert fake_server.made[0].port == 9000
    assert "no authentication" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"), [(["serve", "--port", "0"], "--port"), (["serve", "--flow", "nope"], "no flow")]
)
def test_bad_options_are_usage_errors(fake_server, capsys, argv, message) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err and not fake_server.made


def test_flow_folders_are_passed_on(tmp_path) -> None:
    args = build_parser().parse_args(["--flows", str(tmp_path), "serve"])
    assert f"--flows {tmp_path}" in serve.app_command(args)
