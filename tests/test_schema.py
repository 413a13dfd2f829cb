"""The JSON Schema kept in docs/ is generated from the models, and flows point editors at it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfhelp.cli import main
from selfhelp.flow.models import NODE_KINDS
from selfhelp.flow.schema import MODELINE, SCHEMA_PATH, flow_schema, flow_schema_text

ROOT = Path(__file__).resolve().parents[1]


def test_the_kept_schema_is_not_stale() -> None:
    kept = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert kept == flow_schema_text(), "run: selfhelp schema --output docs/flow.schema.json"


def test_the_schema_describes_every_node_kind_and_field() -> None:
    schema = flow_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    nodes = next(iter(schema["properties"]["nodes"]["patternProperties"].values()))
    assert sorted(nodes["discriminator"]["mapping"]) == sorted(NODE_KINDS)
    cause = schema["$defs"]["CauseNode"]
    assert cause["additionalProperties"] is False
    assert cause["properties"]["errors"]["description"].startswith("Error messages")
    assert schema["properties"]["start"]["pattern"] == "^[a-z0-9][a-z0-9_-]*$"


def test_shipped_flows_point_editors_at_the_kept_schema() -> None:
    flows = [p for p in (ROOT / "flows").glob("*.yaml") if not p.name.endswith((".test.yaml", ".examples.yaml"))]
    assert flows
    for flow in flows:
        first = flow.read_text(encoding="utf-8").splitlines()[0]
        assert first == MODELINE, flow
        target = (flow.parent / first.split("$schema=", 1)[1]).resolve()
        assert target == (ROOT / SCHEMA_PATH).resolve()


def test_schema_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "selfhelp flow"
    out = tmp_path / "s.json"
    assert main(["schema", "--output", str(out)]) == 0
    assert main(["schema", "--check", str(out)]) == 0
    out.write_text("{}", encoding="utf-8")
    assert main(["schema", "--check", str(out)]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(["schema", "--check", str(tmp_path / "missing.json")]) == 2
