"""``selfhelp serve``: the app in a web browser, through textual-serve.

Each browser tab runs its own ``selfhelp`` process, up to ``--max-sessions``.
The server (:mod:`selfhelp.tui.serve`) asks for an access token unless told
``--no-token``, accepts WebSockets from its own pages only, and listens on
127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
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
    if getattr(args, "online", False):
        argv.append("--online")
    if args.flow:
        argv += ["run", args.flow]
    return shlex.join(argv)


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
        from selfhelp.tui.serve import ServeOptions, new_token, serve
    except ImportError:
        raise UsageError("'selfhelp serve' needs textual-serve: pip install textual-serve") from None
    token = None if args.no_token else (args.token or new_token())
    options = ServeOptions(app_command(args), args.host, args.port, args.public_url, token, args.max_sessions)
    return serve(options)
