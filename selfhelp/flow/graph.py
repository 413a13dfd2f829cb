"""The flow as a graph: which node leads where, read from raw (possibly invalid) data.

The graph rules must run even when some nodes break the schema, so every
problem is reported in one run. This module therefore reads the plain data the
YAML loader built, tolerating anything, and records the path of each edge so
a problem can point at its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass
class Edge:
    """One way from a node to another."""

    target: str
    """The id the edge leads to."""
    path: Path_
    """Where the target is written in the file."""
    label: str | None = None
    """The choice text or branch description, if any."""


@dataclass
class GraphNode:
    """What the graph rules need to know of one node."""

    id: str
    kind: str | None
    edges: list[Edge] = field(default_factory=list)
    stores: list[str] = field(default_factory=list)
    uses: list[tuple[str, Path_]] = field(default_factory=list)
    targetless_choices: list[Path_] = field(default_factory=list)
    has_error_patterns: bool = False

    @property
    def is_outcome(self) -> bool:
        return self.kind == "outcome"


def _as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _condition_uses(cond: Any, path: Path_) -> list[tuple[str, Path_]]:
    name = _as_dict(cond).get("value")
    return [(name, (*path, "value"))] if isinstance(name, str) else []


def read_node(node_id: str, raw: Any) -> GraphNode:
    """Extract one node's edges, stored and used values from its raw mapping."""
    data = _as_dict(raw)
    kind = data.get("kind") if isinstance(data.get("kind"), str) else None
    node = GraphNode(id=node_id, kind=kind)
    base: Path_ = ("nodes", node_id)
    for i, choice in enumerate(_as_list(data.get("choices"))):
        cpath = (*base, "choices", i)
        choice = _as_dict(choice)
        goto = choice.get("goto")
        label = choice.get("label") if isinstance(choice.get("label"), str) else None
        if isinstance(goto, str):
            node.edges.append(Edge(goto, (*cpath, "goto"), label))
        else:
            node.targetless_choices.append(cpath)
        node.uses += _condition_uses(choice.get("when"), (*cpath, "when"))
    nxt = data.get("next")
    if isinstance(nxt, str):
        node.edges.append(Edge(nxt, (*base, "next")))
    for i, branch in enumerate(_as_list(nxt)):
        branch = _as_dict(branch)
        if isinstance(branch.get("goto"), str):
            node.edges.append(
                Edge(branch["goto"], (*base, "next", i, "goto"), "when" if branch.get("when") else "otherwise")
            )
        node.uses += _condition_uses(branch.get("when"), (*base, "next", i, "when"))
    if isinstance(data.get("no_match"), str):
        node.edges.append(Edge(data["no_match"], (*base, "no_match"), "no match"))
    for i, cand in enumerate(_as_list(data.get("candidates"))):
        if isinstance(cand, str):
            node.edges.append(Edge(cand, (*base, "candidates", i), "matched"))
    store = data.get("store", "error_message" if kind == "match" else None)
    if isinstance(store, str):
        node.stores.append(store)
    for i, item in enumerate(_as_list(data.get("collect"))):
        name = _as_dict(item).get("value")
        if isinstance(name, str):
            node.uses.append((name, (*base, "collect", i, "value")))
    errors = _as_list(data.get("errors"))
    node.has_error_patterns = any(isinstance(e, str) and e.strip() for e in errors)
    return node


@dataclass
class FlowGraph:
    """Every node of a flow with its edges; match steps without candidates lead to every patterned cause."""

    start: str | None
    nodes: dict[str, GraphNode]

    @classmethod
    def from_raw(cls, data: Any) -> FlowGraph:
        """Build the graph from a flow's raw mapping, ignoring whatever is malformed."""
        data = _as_dict(data)
        start = data.get("start") if isinstance(data.get("start"), str) else None
        nodes = {nid: read_node(nid, raw) for nid, raw in _as_dict(data.get("nodes")).items()}
        graph = cls(start=start, nodes=nodes)
        patterned = [n.id for n in nodes.values() if n.kind == "cause" and n.has_error_patterns]
        for node in nodes.values():
            raw_node = _as_dict(_as_dict(data.get("nodes")).get(node.id))
            if node.kind == "match" and "candidates" not in raw_node:
                node.edges += [Edge(c, ("nodes", node.id, "kind"), "matched") for c in patterned]
        return graph

    def successors(self, node_id: str) -> list[str]:
        """The ids a node leads to that exist in the flow."""
        node = self.nodes.get(node_id)
        return [e.target for e in node.edges if e.target in self.nodes] if node else []

    def reachable_from(self, roots: Iterable[str]) -> set[str]:
        """Every node reachable from ``roots`` (roots included)."""
        seen: set[str] = set()
        stack = [r for r in roots if r in self.nodes]
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            stack.extend(self.successors(nid))
        return seen

    def can_reach_outcome(self) -> set[str]:
        """Every node from which some outcome can be reached."""
        preds: dict[str, set[str]] = {nid: set() for nid in self.nodes}
        for nid in self.nodes:
            for succ in self.successors(nid):
                preds[succ].add(nid)
        good = {nid for nid, n in self.nodes.items() if n.is_outcome}
        stack = list(good)
        while stack:
            for pred in preds[stack.pop()]:
                if pred not in good:
                    good.add(pred)
                    stack.append(pred)
        return good

    def cycles_among(self, members: set[str]) -> list[list[str]]:
        """Strongly connected groups (of two or more, or a self-loop) within ``members``, in file order."""
        order = [nid for nid in self.nodes if nid in members]
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        groups: list[list[str]] = []
        counter = 0

        def succ(nid: str) -> list[str]:
            return [s for s in self.successors(nid) if s in members]

        for root in order:
            if root in index:
                continue
            # Iterative Tarjan: flows are small, but recursion limits are not ours to spend.
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                nid, i = work.pop()
                if i == 0:
                    index[nid] = low[nid] = counter
                    counter += 1
                    stack.append(nid)
                    on_stack.add(nid)
                nexts = succ(nid)
                if i < len(nexts):
                    work.append((nid, i + 1))
                    child = nexts[i]
                    if child not in index:
                        work.append((child, 0))
                    elif child in on_stack:
                        low[nid] = min(low[nid], index[child])
                    continue
                if low[nid] == index[nid]:
                    group: list[str] = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        group.append(top)
                        if top == nid:
                            break
                    if len(group) > 1 or nid in succ(nid):
                        groups.append(sorted(group, key=order.index))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[nid])
        return groups
