"""``selfhelp serve``: the app in a web browser, through textual-serve.

Each browser tab runs its own ``selfhelp`` process, up to ``--max-sessions``.
The server (:mod:`selfhelp.tui.serve`) asks for an access token unless told
``--no-token``, accepts WebSockets from its own pages only, and listens on
127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys

from selfhelp.commands.common import UsageError, catalog_from_args, warn_broken

ORDER = 40
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Each session is a whole app process: a handful at once is plenty for one person's browser tabs.
DEFAULT_MAX_SESSIONS = 4
#: What a token may contain: it travels in a URL path, a query and a cookie, unescaped.
TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9._~-]+")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve",
        help="run the app in a web browser (textual-serve; access token, 127.0.0.1 by default)",
        description="Serve the app over HTTP for a web browser. The address to open, with its access token, "
        "is printed at start; WebSockets from other sites' pages are refused. Keep the default 127.0.0.1 "
        "unless the network is trusted: plain HTTP is not encrypted.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--flow", metavar="FLOW_ID", help="open this flow in every browser session")
    parser.add_argument("--public-url", help="the address browsers use, when behind a proxy")
    parser.add_argument(
        "--max-sessions",
        type=_positive,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"sessions (app processes) at once; more get a 'sessions in use' page (default {DEFAULT_MAX_SESSIONS})",
    )
    access = parser.add_mutually_exclusive_group()
    access.add_argument(
        "--token",
        type=_token,
        metavar="VALUE",
        help="the access token (default: a new random one; a given one shows in the process list)",
    )
    access.add_argument(
        "--no-token", action="store_true", help="no access token: anyone who can connect can use the app"
    )
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _token(text: str) -> str:
    """argparse type: a token that fits a URL and a cookie as it is."""
    if not TOKEN_CHARACTERS.fullmatch(text):
        raise argparse.ArgumentTypeError(
            "a token is letters, digits and . _ ~ - only (for no token at all, use --no-token)"
        )
    return text


def app_command(args: argparse.Namespace) -> str:
    """The command line each browser session runs: this Python, this package, the same options."""
    argv = [sys.executable, "-m", "selfhelp"]
    for folder in getattr(args, "flows", None) or []:
        argv += ["--flows", str(folder)]
    if getattr(args, "agent", False):
        argv.append("--agent")
    if args.flow:
        argv += ["run", args.flow]
    return shlex.join(argv)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    from selfhelp.flow.validate import did_you_mean

    catalog = catalog_from_args(args)
    warn_broken(catalog)
    if args.flow is not None and catalog.get(args.flow) is None:
        hint = did_you_mean(args.flow, catalog.flows)
        raise UsageError(f"no flow {args.flow!r}" + (f"; {hint}" if hint else "; see 'selfhelp list'"))
    if not catalog.flows:
        raise UsageError("no usable flows found; see 'selfhelp validate'")
    try:
        from selfhelp.tui.serve import ServeOptions, new_token, serve
    except ImportError:
        raise UsageError("'selfhelp serve' needs textual-serve: pip install textual-serve") from None
    token = None if args.no_token else (args.token or new_token())
    options = ServeOptions(app_command(args), args.host, args.port, args.public_url, token, args.max_sessions)
    return serve(options)
