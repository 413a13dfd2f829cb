"""``selfhelp serve``: the app in a web browser, through textual-serve.

Each browser tab runs its own ``selfhelp`` process. The server has no
authentication of its own: it listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys

from selfhelp.commands.common import UsageError, catalog_from_args, warn_broken

ORDER = 40
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve",
        help="run the app in a web browser (textual-serve; no authentication, 127.0.0.1 by default)",
        description="Serve the app over HTTP for a web browser. There is no authentication: anyone who can "
        "reach the address can use it, so keep the default 127.0.0.1 unless the network is trusted.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--flow", metavar="FLOW_ID", help="open this flow in every browser session")
    parser.add_argument("--public-url", help="the address browsers use, when behind a proxy")
    parser.set_defaults(handler=run)


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


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    from selfhelp.base.suggest import did_you_mean

    catalog = catalog_from_args(args)
    warn_broken(catalog)
    if args.flow is not None and catalog.get(args.flow) is None:
        hint = did_you_mean(args.flow, catalog.flows)
        raise UsageError(f"no flow {args.flow!r}" + (f"; {hint}" if hint else "; see 'selfhelp list'"))
    if not catalog.flows:
        raise UsageError("no usable flows found; see 'selfhelp validate'")
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UsageError("'selfhelp serve' needs textual-serve: pip install textual-serve") from None
    if not _is_loopback(args.host):
        print(
            f"selfhelp: warning: serving on {args.host}: there is no authentication, "
            "anyone who can reach this address can use the app",
            file=sys.stderr,
        )
    server = Server(app_command(args), host=args.host, port=args.port, title="selfhelp", public_url=args.public_url)
    server.serve()
    return 0
