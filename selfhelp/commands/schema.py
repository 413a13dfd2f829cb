"""``selfhelp schema``: print (or write, or check) the flow format's JSON Schema."""

from __future__ import annotations

import argparse
import sys

from selfhelp.commands.common import UsageError, write_output
from selfhelp.flow.schema import flow_schema_text


def run(args: argparse.Namespace) -> int:
    text = flow_schema_text()
    if args.check is not None:
        try:
            current = args.check.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {args.check}: {exc.strerror or exc}") from None
        if current != text:
            print(f"{args.check} is stale: run 'selfhelp schema --output {args.check}'", file=sys.stderr)
            return 1
        print(f"{args.check} is up to date")
        return 0
    write_output(args.output, text)
    if args.output is not None:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0
