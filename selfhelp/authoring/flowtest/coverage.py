"""Which nodes and edges of a flow the scenarios exercised, with the YAML line of what they missed.

Edges are those of :class:`selfhelp.flow.graph.FlowGraph`: each choice, each ``next``
(or each branch of it), each ``no_match``, and each cause a match step can lead
to. Two choices leading to the same node are two edges: each is a way the user
can go, and each deserves a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from selfhelp.authoring.export import edge_label
from selfhelp.base.safe_yaml import LoadedYaml
from selfhelp.flow.graph import Edge, FlowGraph
from selfhelp.flow.models import Branch, Flow, MatchNode
from selfhelp.session.engine import (
    CONTINUE_LABEL,
    NONE_OF_THESE_LABEL,
    SKIP_MATCH_LABEL,
    Answer,
    Visit,
    condition_holds,
)

#: An edge's identity: its source node, its target and where it is written.
EdgeKey = tuple[str, str, tuple[str | int, ...]]


def edge_key(source: str, edge: Edge) -> EdgeKey:
    return (source, edge.target, edge.path)


@dataclass
class FlowCoverage:
    """The coverage of one flow: what exists, what was exercised."""

    flow: Flow
    path: Path
    """The flow file."""
    display: str
    """The flow file as shown in reports."""
    graph: FlowGraph
    """Every node and edge there is to cover (the validator's graph of the flow)."""
    loaded: LoadedYaml
    """The flow file as loaded, for the line of each node and edge missed."""
    nodes_seen: set[str] = field(default_factory=set)
    """The nodes some scenario visited."""
    edges_seen: set[EdgeKey] = field(default_factory=set)
    """The edges some scenario took."""

    @classmethod
    def of(cls, flow: Flow, path: Path, display: str, loaded: LoadedYaml) -> FlowCoverage:
        return cls(flow=flow, path=path, display=display, graph=FlowGraph.from_raw(loaded.data), loaded=loaded)

    # --- what exists ------------------------------------------------------------

    def all_edges(self) -> list[tuple[str, Edge]]:
        """Every edge to an existing node, in file order."""
        return [(nid, e) for nid, n in self.graph.nodes.items() for e in n.edges if e.target in self.graph.nodes]

    def missed_nodes(self) -> list[tuple[str, int]]:
        """Nodes never reached, with the line of their id."""
        return [
            (nid, self.loaded.position(("nodes", nid), prefer_key=True)[0])
            for nid in self.graph.nodes
            if nid not in self.nodes_seen
        ]

    def missed_edges(self) -> list[tuple[str, Edge, int]]:
        """Edges never taken, with the line where each is written."""
        return [
            (nid, e, self.loaded.position(e.path)[0])
            for nid, e in self.all_edges()
            if edge_key(nid, e) not in self.edges_seen
        ]

    @property
    def totals(self) -> tuple[int, int, int, int]:
        """(nodes covered, nodes, edges covered, edges)."""
        keys = {edge_key(nid, e) for nid, e in self.all_edges()}
        nodes = set(self.graph.nodes)
        return len(self.nodes_seen & nodes), len(nodes), len(self.edges_seen & keys), len(keys)

    @property
    def percent(self) -> float:
        """Nodes and edges covered, as one percentage of all nodes and edges."""
        nc, n, ec, e = self.totals
        return 100.0 * (nc + ec) / (n + e) if n + e else 100.0

    # --- recording --------------------------------------------------------------

    def record(self, history: list[Visit], presets: dict[str, str]) -> None:
        """Mark the nodes visited and the edges taken in one session's history."""
        values = dict(presets)
        for i, visit in enumerate(history):
            self.nodes_seen.add(visit.node)
            answer = visit.answer
            if answer is None or i + 1 >= len(history):
                continue
            key = self._taken(visit.node, answer, values)
            if key is not None:
                self.edges_seen.add(key)
            if answer.store and answer.value is not None:
                values[answer.store] = answer.value

    def _taken(self, node_id: str, answer: Answer, values: dict[str, str]) -> EdgeKey | None:
        """The edge an answer went along, told apart from others to the same node."""
        kind, text, goto = answer.kind, answer.text, answer.goto
        gnode = self.graph.nodes.get(node_id)
        if gnode is None:
            return None
        options = [e for e in gnode.edges if e.target == goto]
        node = self.flow.nodes.get(node_id)
        picked: Edge | None = None
        if len(options) == 1:
            picked = options[0]
        elif kind == "choice" and text not in (CONTINUE_LABEL, SKIP_MATCH_LABEL):
            # Several choices may lead to the same node: the label says which one was picked.
            picked = next((e for e in options if e.label and e.label.casefold() == text.casefold()), None)
        elif kind == "check" and answer.check is not None:
            # Several results may lead to the same node: the result says which edge was taken.
            picked = next((e for e in options if e.label == answer.check.result), None)
        elif isinstance(node, MatchNode):
            matched = kind == "match" and answer.match is not None and answer.match.verdict != "none"
            wanted = "matched" if matched and text != NONE_OF_THESE_LABEL else "no match"
            picked = next((e for e in options if e.label == wanted), None)
        else:
            picked = self._branch_taken(node, options, values)
        return edge_key(node_id, picked) if picked is not None else None

    @staticmethod
    def _branch_taken(node: object, options: list[Edge], values: dict[str, str]) -> Edge | None:
        """The first ``next`` branch whose condition held, given the values kept before the answer."""
        route = getattr(node, "next", None)
        if not isinstance(route, list):
            return options[0] if options else None
        # The engine routes before it keeps the answer, so ``values`` are those kept before this step.
        for i, branch in enumerate(route):
            if not isinstance(branch, Branch):
                continue
            if branch.when is None or condition_holds(branch.when, values):
                return next((e for e in options if e.path[-2:] == (i, "goto")), None)
        return None


@dataclass
class Coverage:
    """Coverage of every flow tested in a run, keyed by the flow file."""

    flows: dict[Path, FlowCoverage] = field(default_factory=dict)

    def for_flow(self, flow: Flow, path: Path, display: str, loaded: LoadedYaml) -> FlowCoverage:
        key = path.resolve()
        if key not in self.flows:
            self.flows[key] = FlowCoverage.of(flow, path, display, loaded)
        return self.flows[key]

    def lowest(self) -> float:
        """The lowest percentage among the flows (100 when no flow was tested)."""
        return min((c.percent for c in self.flows.values()), default=100.0)

    def format(self, *, details: bool = True) -> str:
        """One line per flow, then (with ``details``) every node and edge missed, with its line."""
        lines: list[str] = []
        for cov in self.flows.values():
            nc, n, ec, e = cov.totals
            lines.append(f"{cov.display}: nodes {nc}/{n}, edges {ec}/{e}, coverage {cov.percent:.1f}%")
            if not details:
                continue
            for nid, line in cov.missed_nodes():
                lines.append(f"  {cov.display}:{line}: node {nid!r} never reached")
            for nid, edge, line in cov.missed_edges():
                text = edge_label(cov.flow, nid, edge)
                label = f" ({text})" if text else ""
                lines.append(f"  {cov.display}:{line}: edge {nid} -> {edge.target}{label} never taken")
        return "\n".join(lines)
