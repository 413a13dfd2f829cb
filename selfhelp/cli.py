"""The ``selfhelp`` command line: flags common to every subcommand, then one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from selfhelp import __version__, commands
from selfhelp.commands import run_app
from selfhelp.commands.common import UsageError
from selfhelp.flow.sources import FLOWS_ENV


def command_modules() -> list[ModuleType]:
    """Every module of ``selfhelp.commands`` that defines ``register``, in their ``ORDER``.

    Each subcommand is one module with ``register(subparsers)``; finding them
    here means adding a command never touches this file. Command modules import
    only the standard library at their top and keep the rest inside ``run``:
    all of them are imported to build the parser, so ``selfhelp --version`` and
    the app's start-up would otherwise pay for every command's imports.
    """
    found = []
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own exit status for usage errors is 2, as ours; only the wording differs.
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="selfhelp",
        description="A self-help diagnostic assistant: walk a troubleshooting flow, paste an error, get an answer.",
        epilog=f"Extra flow folders can also be listed in ${FLOWS_ENV} (separated like PATH).",
    )
    parser.add_argument("--version", action="version", version=f"selfhelp {__version__}")
    parser.add_argument(
        "--flows", metavar="DIR", action="append", default=[], help="an extra folder of flows (repeatable)"
    )
    parser.add_argument("--agent", action="store_true", help="open in agent mode (flow tree, jumps, notes)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in command_modules():
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", run_app.run)
    try:
        return handler(args)
    except UsageError as exc:
        print(f"selfhelp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
