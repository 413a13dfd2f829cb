"""Graph export: every node and edge exactly once, labelled, outcomes marked, text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from selfhelp.authoring.export import EXPORTERS, flow_graph, to_dot, to_mermaid
from selfhelp.cli import build_parser, main
from selfhelp.flow.models import Flow, OutcomeNode
from selfhelp.flow.validate import check_file

ROOT = Path(__file__).resolve().parents[1]
CPOR = ROOT / "flows" / "cpor-customer-association.yaml"


@pytest.fixture(scope="module")
def cpor() -> Flow:
    flow = check_file(CPOR).flow
    assert flow is not None
    return flow


def _edge_count(flow: Flow) -> int:
    graph = flow_graph(flow)
    return sum(1 for n in graph.nodes.values() for e in n.edges if e.target in graph.nodes)


def test_mermaid_has_every_node_and_edge_once(cpor: Flow) -> None:
    text = to_mermaid(cpor)
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    declared = [line.split('"')[0].strip().rstrip("{[/(") for line in lines if '"' in line and "-->" not in line]
    declared = [re.match(r"n_\w+", d).group(0) for d in declared]  # type: ignore[union-attr]
    assert sorted(declared) == sorted("n_" + nid.replace("-", "_") for nid in cpor.nodes)
    edges = [line for line in lines if "-->" in line]
    assert len(edges) == _edge_count(cpor) == len(set(edges))
    assert '    n_what_happening -->|"Something else"| n_other_issue' in lines
    assert '    n_ask_claim_id -->|"when error_message is not set"| n_describe_problem' in lines
    outcomes = [nid for nid, n in cpor.nodes.items() if isinstance(n, OutcomeNode)]
    class_line = next(line for line in lines if line.strip().startswith("class ") and "outcome" in line)
    assert sorted(class_line.split()[1].split(",")) == sorted("n_" + o.replace("-", "_") for o in outcomes)
    assert '(["Contact the support team [contact_support]"])' in text


def test_dot_has_every_node_and_edge_once(cpor: Flow) -> None:
    text = to_dot(cpor)
    assert text.startswith('digraph "cpor-customer-association" {')
    assert text.rstrip().endswith("}")
    assert sum(1 for line in text.splitlines() if " -> " in line) == _edge_count(cpor)
    for nid in cpor.nodes:
        assert sum(1 for line in text.splitlines() if line.strip().startswith(f'"{nid}" [')) == 1
    assert '"contact-support" [label="Contact the support team [contact_support]", shape=doubleoctagon' in text


HOSTILE = 'Say "hi"]; click A call evil() %% <b>#x;</b> | `x` \\ end'


def _hostile_flow() -> Flow:
    data = {
        "id": "hostile",
        "title": "t",
        "version": "1",
        "start": "end",
        "nodes": {
            "end": {"kind": "question", "title": HOSTILE, "choices": [{"label": HOSTILE, "goto": "done"}]},
            "done": {"kind": "outcome", "result": "resolved", "title": "line\nbreak"},
        },
    }
    return Flow.model_validate(data)


def test_mermaid_labels_cannot_break_out_of_their_quotes() -> None:
    text = to_mermaid(_hostile_flow())
    for line in text.splitlines():
        assert line.count('"') in (0, 2), line
        assert "<b>" not in line and "`" not in line
    assert "n_end{" in text  # `end` is a Mermaid keyword: ids are prefixed
    assert "#34;hi#34;" in text


def test_dot_labels_are_escaped() -> None:
    text = to_dot(_hostile_flow())
    assert 'label="Say \\"hi\\"]; click A call evil() %% <b>#x;</b> | `x` \\\\ end"' in text
    assert "line break" in text


def test_graph_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(CPOR), "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph")
    assert main(["graph", "cpor-customer-association"]) == 0
    assert capsys.readouterr().out.startswith("flowchart TD")
    assert main(["graph", "cpor-customer-associatio"]) == 2
    assert "did you mean" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump({"id": "x"}), encoding="utf-8")
    assert main(["graph", str(broken)]) == 1
    assert "has errors" in capsys.readouterr().err


def test_the_graph_command_offers_exactly_the_export_formats() -> None:
    # The command lists the formats itself: parsing must not import the exporters (and pydantic with them).
    (sub,) = [a for a in build_parser()._actions if a.dest == "command"]
    (fmt,) = [a for a in sub.choices["graph"]._actions if a.dest == "format"]
    assert list(fmt.choices) == list(EXPORTERS) == ["mermaid", "dot"]


def test_the_authoring_guide_shows_the_current_cpor_graph(cpor: Flow) -> None:
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert "```mermaid\n" + to_mermaid(cpor) + "```" in guide
