"""``selfhelp serve``: the command each browser session runs, the defaults, the access options, bad options.

The real server, on loopback, is tested in test_serve_loopback.py.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from selfhelp.cli import build_parser, main
from selfhelp.commands import serve
from selfhelp.tui.serve import ServeOptions, display_url, origin_allowed


class FakeServer:
    """Records how the server was set up instead of listening."""

    made: ClassVar[list[ServeOptions]] = []

    def __init__(self, options: ServeOptions) -> None:
        FakeServer.made.append(options)

    def serve(self) -> None:
        pass


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    import selfhelp.tui.serve

    FakeServer.made.clear()
    monkeypatch.setattr(selfhelp.tui.serve, "GuardedServer", FakeServer)
    return FakeServer


def test_defaults_to_loopback_a_new_token_and_four_sessions(fake_server, capsys) -> None:
    assert main(["--agent", "serve", "--flow", "cpor-customer-association"]) == 0
    [options] = fake_server.made
    assert (options.host, options.port, options.max_sessions, options.public_url) == ("127.0.0.1", 8000, 4, None)
    assert options.command.endswith("-m selfhelp --agent run cpor-customer-association")
    assert options.token is not None and len(options.token) == 43  # 32 random bytes, base64url
    assert capsys.readouterr().err == ""


def test_each_start_makes_a_different_token(fake_server) -> None:
    assert main(["serve"]) == 0 and main(["serve"]) == 0
    first, second = fake_server.made
    assert first.token != second.token


def test_token_and_cap_can_be_set(fake_server, capsys) -> None:
    assert main(["serve", "--token", "s3cret-Token_1.0~", "--max-sessions", "1"]) == 0
    [options] = fake_server.made
    assert (options.token, options.max_sessions) == ("s3cret-Token_1.0~", 1)
    assert capsys.readouterr().err == ""


def test_no_token_is_said_plainly(fake_server, capsys) -> None:
    assert main(["serve", "--no-token"]) == 0
    assert fake_server.made[0].token is None
    assert capsys.readouterr().err == (
        "selfhelp: warning: running without an access token (--no-token): every user and program on this "
        "computer can use the app (web pages cannot: their WebSockets are refused)\n"
    )


def test_an_open_address_is_warned_about(fake_server, capsys) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "9000"]) == 0
    assert fake_server.made[0].port == 9000
    assert "serving on 0.0.0.0: the token and every answer cross it unencrypted" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--no-token"]) == 0
    err = capsys.readouterr().err
    assert "anyone on the network can use the app" in err and "serving on 0.0.0.0: no authentication" in err


@pytest.mark.parametrize(
    ("argv", "message"), [(["serve", "--port", "0"], "--port"), (["serve", "--flow", "nope"], "no flow")]
)
def test_bad_options_are_usage_errors(fake_server, capsys, argv, message) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err and not fake_server.made


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--max-sessions", "0"], "argument --max-sessions: must be at least 1, not 0"),
        (["serve", "--max-sessions", "many"], "argument --max-sessions: not a whole number: 'many'"),
        (["serve", "--token", "a b"], "argument --token: a token is letters, digits and . _ ~ - only"),
        (["serve", "--token", ""], "(for no token at all, use --no-token)"),
        (["serve", "--token", "abc", "--no-token"], "argument --no-token: not allowed with argument --token"),
    ],
)
def test_bad_access_options_are_usage_errors(fake_server, capsys, argv, message) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err and not fake_server.made


def test_flow_folders_are_passed_on(tmp_path) -> None:
    args = build_parser().parse_args(["--flows", str(tmp_path), "serve"])
    assert f"--flows {tmp_path}" in serve.app_command(args)


def test_agent_mode_and_online_checks_are_passed_on_to_every_session() -> None:
    argv = serve.app_command(build_parser().parse_args(["--agent", "--online", "serve", "--flow", "cpor-create-claim"]))
    assert argv.endswith(" -m selfhelp --agent --online run cpor-create-claim")
    assert "--online" not in serve.app_command(build_parser().parse_args(["serve"]))


@pytest.mark.parametrize(
    ("origin", "host_header", "bound", "public_url", "allowed"),
    [
        (None, "127.0.0.1:8000", "127.0.0.1", None, True),  # a program, not a browser: the token decides
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "127.0.0.1", None, True),
        ("http://localhost:8000", "localhost:8000", "127.0.0.1", None, True),
        ("http://[::1]:8000", "[::1]:8000", "::1", None, True),
        ("http://evil.example", "127.0.0.1:8000", "127.0.0.1", None, False),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", "127.0.0.1", None, False),  # another local server's page
        # The same host and port can only be this server, whatever the scheme (a TLS proxy may keep the Host).
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "127.0.0.1", None, True),
        ("null", "127.0.0.1:8000", "127.0.0.1", None, False),
        ("file://", "127.0.0.1:8000", "127.0.0.1", None, False),
        ("http://evil.example:8000", "evil.example:8000", "127.0.0.1", None, False),  # DNS rebinding
        ("http://box.lan:8000", "box.lan:8000", "0.0.0.0", None, True),
        ("http://evil.example:8000", "box.lan:8000", "0.0.0.0", None, False),
        ("http://box.lan", "box.lan", "0.0.0.0", None, True),
        ("https://help.example.com", "127.0.0.1:8000", "127.0.0.1", "https://help.example.com/", True),
        ("https://help.example.com:443", "127.0.0.1:8000", "127.0.0.1", "https://help.example.com/sub/", True),
        ("https://other.example.com", "127.0.0.1:8000", "127.0.0.1", "https://help.example.com/", False),
    ],
)
def test_origin_allowed(origin, host_header, bound, public_url, allowed) -> None:
    assert origin_allowed(origin, host_header=host_header, bound_host=bound, public_url=public_url) is allowed


@pytest.mark.parametrize(
    ("host", "public_url", "expected"),
    [
        ("127.0.0.1", None, "http://127.0.0.1:8000"),
        ("0.0.0.0", None, "http://127.0.0.1:8000"),
        ("::", None, "http://[::1]:8000"),
        ("::1", None, "http://[::1]:8000"),
        ("127.0.0.1", "https://help.example.com/", "https://help.example.com"),
    ],
)
def test_display_url(host, public_url, expected) -> None:
    assert display_url(ServeOptions("selfhelp", host, 8000, public_url, None, 4)) == expected
