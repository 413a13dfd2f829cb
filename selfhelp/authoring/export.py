"""Draw a flow as a graph: Mermaid (renders on GitHub) or Graphviz DOT.

Every node and every edge appears exactly once. Edges carry the choice text
(or the branch condition, "no match", "matched"); outcome nodes are drawn with
their own shape and style. All flow text is escaped for the target language:
a label can never break out of its quotes or inject syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selfhelp.flow.graph import Edge, FlowGraph
from selfhelp.flow.models import AnyNode, Branch, Condition, Flow, OutcomeNode

#: Mermaid node shapes by kind: (opening, closing).
_MERMAID_SHAPES: dict[str, tuple[str, str]] = {
    "question": ("{", "}"),
    "input": ("[/", "/]"),
    "match": ("[[", "]]"),
    "cause": ("[", "]"),
    "outcome": ("([", "])"),
    "check": ("{{", "}}"),
}
_DOT_SHAPES: dict[str, str] = {
    "question": "diamond",
    "input": "parallelogram",
    "match": "hexagon",
    "cause": "box",
    "outcome": "doubleoctagon",
    "check": "octagon",
}


def flow_graph(flow: Flow) -> FlowGraph:
    """The graph of a validated flow (the same edges the validator and coverage use)."""
    return FlowGraph.from_raw(flow.model_dump(mode="json", exclude_none=True))


def describe_condition(cond: Condition) -> str:
    """A condition as a short phrase: ``program = "OSU"``, ``tenant_id is not set``."""
    if cond.is_set is not None:
        return f"{cond.value} is {'set' if cond.is_set else 'not set'}"
    if cond.equals is not None:
        return f'{cond.value} = "{cond.equals}"'
    if cond.not_equals is not None:
        return f'{cond.value} ≠ "{cond.not_equals}"'
    return f"{cond.value} in [{', '.join(cond.one_of or [])}]"


def edge_label(flow: Flow, source: str, edge: Edge) -> str:
    """What an edge means to a reader: the choice text, the branch condition, or how a match leads on."""
    node: AnyNode | None = flow.nodes.get(source)
    path = edge.path
    if len(path) >= 5 and path[2] == "next" and isinstance(path[3], int) and node is not None:
        route = getattr(node, "next", None)
        branch = route[path[3]] if isinstance(route, list) and path[3] < len(route) else None
        if isinstance(branch, Branch):
            return f"when {describe_condition(branch.when)}" if branch.when else "otherwise"
    return edge.label or ""


def node_label(node_id: str, node: AnyNode) -> str:
    """A node's title (or id), with the outcome's result for ends."""
    title = node.title or node_id
    if isinstance(node, OutcomeNode):
        return f"{title} [{node.result.value}]"
    return title


def _edges(flow: Flow) -> list[tuple[str, Edge]]:
    graph = flow_graph(flow)
    return [(nid, e) for nid, n in graph.nodes.items() for e in n.edges if e.target in graph.nodes]


def _draw(flow: Flow, node_line: Callable[[str, AnyNode], str], edge_line: Callable[[str, str, str], str]) -> list[str]:
    """A line per node, then a line per edge (source, target, label: empty when the edge has none)."""
    lines = [node_line(nid, node) for nid, node in flow.nodes.items()]
    lines += [edge_line(source, edge.target, edge_label(flow, source, edge)) for source, edge in _edges(flow)]
    return lines


# --- Mermaid --------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text safe inside a Mermaid quoted label: quotes, brackets and markup become entity codes."""
    text = re.sub(r"\s+", " ", text).strip()
    out = []
    for ch in text:
        # Mermaid's entity syntax is #code; it decodes these itself, so nothing here is read as syntax or HTML.
        out.append(f"#{ord(ch)};" if ch in '"#<>&|`' or not ch.isprintable() else ch)
    return "".join(out)


def _mermaid_ids(flow: Flow) -> dict[str, str]:
    """Flow ids made into Mermaid ids: letters, digits and _, never a keyword such as ``end``."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for nid in flow.nodes:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", nid)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        ids[nid] = candidate
    return ids


def to_mermaid(flow: Flow) -> str:
    """The flow as a Mermaid flowchart."""
    ids = _mermaid_ids(flow)

    def node_line(nid: str, node: AnyNode) -> str:
        opening, closing = _MERMAID_SHAPES[node.kind]
        return f'    {ids[nid]}{opening}"{_mermaid_text(node_label(nid, node))}"{closing}'

    def edge_line(source: str, target: str, label: str) -> str:
        arrow = f'-->|"{_mermaid_text(label)}"|' if label else "-->"
        return f"    {ids[source]} {arrow} {ids[target]}"

    lines = ["flowchart TD", *_draw(flow, node_line, edge_line)]
    lines.append("    classDef outcome fill:#e6f4ea,stroke:#1e7e34,stroke-width:2px")
    lines.append("    classDef start stroke-width:3px")
    outcomes = [ids[nid] for nid, n in flow.nodes.items() if isinstance(n, OutcomeNode)]
    if outcomes:
        lines.append(f"    class {','.join(outcomes)} outcome")
    lines.append(f"    class {ids[flow.start]} start")
    return "\n".join(lines) + "\n"


# --- DOT ------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks folded."""
    text = re.sub(r"\s+", " ", text).strip()
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(flow: Flow) -> str:
    """The flow as a Graphviz digraph."""

    def node_line(nid: str, node: AnyNode) -> str:
        attrs = [f"label={_dot_string(node_label(nid, node))}", f"shape={_DOT_SHAPES[node.kind]}"]
        if isinstance(node, OutcomeNode):
            attrs.append('style=filled, fillcolor="#e6f4ea"')
        if nid == flow.start:
            attrs.append("penwidth=3")
        return f"    {_dot_string(nid)} [{', '.join(attrs)}];"

    def edge_line(source: str, target: str, label: str) -> str:
        attr = f" [label={_dot_string(label)}]" if label else ""
        return f"    {_dot_string(source)} -> {_dot_string(target)}{attr};"

    lines = [f"digraph {_dot_string(flow.id)} {{", "    rankdir=TB;", "    node [fontname=Helvetica];"]
    lines.append("    edge [fontname=Helvetica, fontsize=10];")
    lines += _draw(flow, node_line, edge_line)
    lines.append("}")
    return "\n".join(lines) + "\n"


#: Each output format by name (``selfhelp graph --format`` offers these; a test keeps the two in step).
EXPORTERS: dict[str, Callable[[Flow], str]] = {"mermaid": to_mermaid, "dot": to_dot}


def export(flow: Flow, fmt: str) -> str:
    """The flow in ``fmt`` (``mermaid`` or ``dot``)."""
    return EXPORTERS[fmt](flow)
