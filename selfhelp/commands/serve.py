"""``selfhelp serve``: the app in a web browser, through textual-serve.

Each browser tab runs its own ``selfhelp`` process. The server has no
authentication of its own: it listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys

from selfhelp.base.suggest import did_you_mean
from selfhelp.commands.common import UsageError, catalog_from_args, warn_broken


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
    catalog = catalog_from_args(args)
    warn_broken(catalog)
    if args.flow is not None and catalog.get(args.flow) is None:
        hint = did_you_mean(args.flow, catalog.flows)
        raise UsageError(f"no flow {args.flow!r}" + (f"; {hint}" if hint else "; see 'selfhelp list'"))
    if not catalog.flows:
        raise UsageError("no usable flows found; see 'selfhelp validate'")
    try:
        from textual_serve.server import Server  # an optional extra, loaded only to serve
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
