"""``selfhelp schema``: print (or write, or check) the flow format's JSON Schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from selfhelp.commands.common import UsageError

ORDER = 51


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "schema",
        help="print the JSON Schema of flow files, for editors",
        description="Print the JSON Schema generated from the flow models. Flow files point editors at it "
        "with a first line '# yaml-language-server: $schema=../docs/flow.schema.json'.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the schema to FILE")
    group.add_argument("--check", type=Path, metavar="FILE", help="exit 1 when FILE differs from the generated schema")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from selfhelp.flow.schema import flow_schema_text

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
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    sys.stdout.write(text)
    return 0
