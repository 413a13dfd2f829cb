"""The table of subcommands: the parser is built from it alone, and a command imports only its own module."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp import cli, commands


def test_the_commands_are_listed_in_this_order() -> None:
    assert [c.name for c in cli.COMMANDS] == [
        "run",
        "resume",
        "summary",
        "list",
        "validate",
        "match",
        "serve",
        "test",
        "record",
        "report",
        "graph",
        "schema",
        "import",
        "drift",
        "init",
        "check",
    ]


def test_every_command_module_has_one_row_and_a_run_function() -> None:
    modules = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if m.name != "common")
    assert sorted(c.module.rsplit(".", 1)[1] for c in cli.COMMANDS) == modules
    for command in cli.COMMANDS:
        assert callable(importlib.import_module(command.module).run), command.module


def loaded_command_modules(code: str) -> list[str]:
    """The ``selfhelp.commands`` modules a fresh interpreter has loaded after running ``code``."""
    script = (
        "import contextlib, io, json, sys\n"
        "from selfhelp.cli import build_parser, main\n"
        "def quietly(argv):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "        try:\n            main(argv)\n        except SystemExit:\n            pass\n"
        f"{code}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('selfhelp.commands.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_and_parsing_import_no_command_module() -> None:
    code = (
        "for argv in (['--help'], ['validate', '--help'], ['match', '--split', 'x'], ['nosuch']):\n"
        "    quietly(argv)\n"
        "build_parser().parse_args(['serve', '--port', '9000'])"
    )
    assert loaded_command_modules(code) == ["selfhelp.commands.common"]


def test_a_command_imports_only_its_own_module() -> None:
    assert loaded_command_modules("quietly(['schema'])") == ["selfhelp.commands.common", "selfhelp.commands.schema"]


def test_no_command_runs_the_app_with_the_global_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from selfhelp.commands import run_app

    seen: list[argparse.Namespace] = []
    monkeypatch.setattr(run_app, "run", lambda args: seen.append(args) or 7)
    assert cli.main(["--flows", str(tmp_path / "a"), "--agent", "--flows", str(tmp_path / "b")]) == 7
    [args] = seen
    assert args.command is None
    assert args.agent is True
    assert args.flows == [str(tmp_path / "a"), str(tmp_path / "b")]


def test_exclusive_options_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["schema", "--output", "a.json", "--check", "b.json"])
    assert exc.value.code == 2
    assert capsys.readouterr().err == (
        "usage: selfhelp schema [-h] [--output FILE | --check FILE]\n"
        "selfhelp schema: error: argument --check: not allowed with argument --output/-o\n"
    )


def test_serve_help_shows_its_defaults(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--host HOST           address to listen on (default 127.0.0.1)\n" in out
    assert "--port PORT           port to listen on (default 8000)\n" in out


def test_a_description_written_across_lines_is_one_paragraph() -> None:
    (commands_action,) = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert commands_action.choices["validate"].description == (
        "Check flow files: YAML safety, the schema and the graph rules. "
        "With no paths, checks every flow selfhelp would load."
    )


def test_run_help_reads_as_written(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    assert capsys.readouterr().out == (
        "usage: selfhelp run [-h] flow_id\n"
        "\n"
        "Open the app at the first question of a flow ('selfhelp list' shows the ids).\n"
        "Your answers are saved after every step; when you quit, the session's id is\n"
        "printed: continue it with 'selfhelp resume ID', print its case summary with\n"
        "'selfhelp summary ID'.\n"
        "\n"
        "positional arguments:\n"
        "  flow_id     the flow's id (see 'selfhelp list')\n"
        "\n"
        "options:\n"
        "  -h, --help  show this help message and exit\n"
    )
