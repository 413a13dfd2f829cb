"""``selfhelp record SESSION_FILE``: turn a saved session into a flow test scenario."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from selfhelp.authoring.flowtest.record import dump_scenarios, scenario_from_session
from selfhelp.commands.common import UsageError, catalog_from_args
from selfhelp.flow.models import Flow
from selfhelp.flow.validate import check_file
from selfhelp.session.engine import Session, SessionMismatch
from selfhelp.session.store import CorruptSession, json_object

MAX_SESSION_BYTES = 4 * 1024 * 1024


def run(args: argparse.Namespace) -> int:
    text = _read(args.session_file)
    try:
        data = json_object(text)  # the store's guard: deep nesting is a corrupt file, not a RecursionError
    except CorruptSession as exc:
        raise UsageError(f"{args.session_file} is not a saved session ({exc})") from None
    flow, flow_path = _flow_for(args, data)
    try:
        session, notice = Session.from_json(flow, text)
    except SessionMismatch as exc:
        print(f"selfhelp: cannot record {args.session_file}: {exc}", file=sys.stderr)
        return 1
    if notice:
        print(f"selfhelp: note: {notice}", file=sys.stderr)
    nodes = [v.node for v in session.history]
    name = args.name or f"recorded: {nodes[0]} to {nodes[-1]} ({len(nodes) - 1} steps)"
    print(f"# Recorded from {args.session_file.name}; save beside {flow_path.name} as *.test.yaml")
    sys.stdout.write(dump_scenarios(flow_path.name, [scenario_from_session(session, name)]))
    return 0


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_SESSION_BYTES:
        raise UsageError(f"{path} is too large to be a saved session")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a saved session (not UTF-8 text)") from None


def _flow_for(args: argparse.Namespace, data: dict[str, Any]) -> tuple[Flow, Path]:
    """The flow the session walked: ``--flow``, else the loaded flow with the session's flow id."""
    if args.flow_file is not None:
        report = check_file(args.flow_file)
        if not report.ok or report.flow is None:
            raise UsageError(f"{args.flow_file} is not a usable flow; run 'selfhelp validate {args.flow_file}'")
        return report.flow, args.flow_file
    flow_id = data.get("flow_id")
    if not isinstance(flow_id, str):
        raise UsageError(f"{args.session_file} is not a saved session (no flow_id)")
    loaded = catalog_from_args(args).get(flow_id)
    if loaded is None:
        raise UsageError(f"no flow {flow_id!r} is loaded; give its file with --flow")
    return loaded.flow, loaded.path
