"""The flow as a graph: which node leads where, read from raw (possibly invalid) data.

The graph rules must run even when some nodes break the schema, so every
problem is reported in one run. This module therefore reads the plain data the
YAML loader built, tolerating anything, and records the path of each edge so
a problem can point at its line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from selfhelp.flow.models import TARGET_FIELDS

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
    """The ways on: what :meth:`selfhelp.flow.models.Flow.targets` gives for a valid flow, with paths."""
    written: list[Edge] = field(default_factory=list)
    """Every id written in the node's target fields, whether or not it is a way on (each must exist)."""
    candidates: list[Edge] | None = None
    """A match step's ``candidates`` list, when it gives one."""
    stores: list[str] = field(default_factory=list)
    uses: list[tuple[str, Path_]] = field(default_factory=list)
    targetless_choices: list[Path_] = field(default_factory=list)
    has_error_patterns: bool = False

    @property
    def is_outcome(self) -> bool:
        return self.kind == "outcome"

    def _lead(self, edge: Edge) -> None:
        """Record a way on written in the node."""
        self.written.append(edge)
        self.edges.append(edge)


def _as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _condition_uses(cond: Any, path: Path_) -> list[tuple[str, Path_]]:
    name = _as_dict(cond).get("value")
    return [(name, (*path, "value"))] if isinstance(name, str) else []


def _read_choices(node: GraphNode, value: Any, path: Path_) -> None:
    for i, choice in enumerate(_as_list(value)):
        cpath = (*path, i)
        choice = _as_dict(choice)
        goto = choice.get("goto")
        label = choice.get("label") if isinstance(choice.get("label"), str) else None
        if isinstance(goto, str):
            node._lead(Edge(goto, (*cpath, "goto"), label))
        else:
            node.targetless_choices.append(cpath)
        node.uses += _condition_uses(choice.get("when"), (*cpath, "when"))


def _read_next(node: GraphNode, value: Any, path: Path_) -> None:
    if isinstance(value, str):
        node._lead(Edge(value, path))
    for i, branch in enumerate(_as_list(value)):
        branch = _as_dict(branch)
        if isinstance(branch.get("goto"), str):
            node._lead(Edge(branch["goto"], (*path, i, "goto"), "when" if branch.get("when") else "otherwise"))
        node.uses += _condition_uses(branch.get("when"), (*path, i, "when"))


def _read_no_match(node: GraphNode, value: Any, path: Path_) -> None:
    if isinstance(value, str):
        node._lead(Edge(value, path, "no match"))


def _read_candidates(node: GraphNode, value: Any, path: Path_) -> None:
    # Which candidates are ways on depends on the other nodes: FlowGraph.from_raw decides.
    if isinstance(value, list):
        node.candidates = [Edge(c, (*path, i), "matched") for i, c in enumerate(value) if isinstance(c, str)]
        node.written += node.candidates


def _read_results(node: GraphNode, value: Any, path: Path_) -> None:
    # A check step's results: each result name leads to a node (the label names the result).
    for result, goto in _as_dict(value).items():
        if isinstance(goto, str):
            node._lead(Edge(goto, (*path, result), str(result)))


#: How each field of TARGET_FIELDS is read from raw data.
_READERS: dict[str, Callable[[GraphNode, Any, Path_], None]] = {
    "choices": _read_choices,
    "next": _read_next,
    "no_match": _read_no_match,
    "candidates": _read_candidates,
    "results": _read_results,
}
#: A node whose kind is missing or unknown is read for every target field, so its ids are still checked.
_ANY_KIND_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f for fields in TARGET_FIELDS.values() for f in fields))


def read_node(node_id: str, raw: Any) -> GraphNode:
    """Extract one node's edges, stored and used values from its raw mapping.

    The fields read for targets are those :data:`~selfhelp.flow.models.TARGET_FIELDS` gives for the
    node's kind. A match step's matched causes are added by :meth:`FlowGraph.from_raw`, which sees them all.
    """
    data = _as_dict(raw)
    kind = data.get("kind") if isinstance(data.get("kind"), str) else None
    node = GraphNode(id=node_id, kind=kind)
    base: Path_ = ("nodes", node_id)
    for name in TARGET_FIELDS.get(kind or "", _ANY_KIND_FIELDS):
        _READERS[name](node, data.get(name), (*base, name))
    store = data.get("store", "error_message" if kind == "match" else None)
    if isinstance(store, str):
        node.stores.append(store)
    if kind == "check":  # a check's inputs are kept values it reads
        for name, value in _as_dict(data.get("inputs")).items():
            if isinstance(value, str):
                node.uses.append((value, (*base, "inputs", name)))
    for i, item in enumerate(_as_list(data.get("collect"))):
        name = _as_dict(item).get("value")
        if isinstance(name, str):
            node.uses.append((name, (*base, "collect", i, "value")))
    errors = _as_list(data.get("errors"))
    node.has_error_patterns = any(isinstance(e, str) and e.strip() for e in errors)
    return node


def _matched(node: GraphNode, patterned: list[str]) -> list[Edge]:
    """The causes a match step can lead to, as :meth:`selfhelp.flow.models.Flow.candidate_causes` picks them:
    its listed candidates that have error patterns, or without a list every cause with patterns."""
    if node.candidates is None:
        return [Edge(c, ("nodes", node.id, "kind"), "matched") for c in patterned]
    return [e for e in node.candidates if e.target in patterned]


@dataclass
class FlowGraph:
    """Every node of a flow with its edges; a match step leads to the causes it can match."""

    start: str | None
    nodes: dict[str, GraphNode]

    @classmethod
    def from_raw(cls, data: Any) -> FlowGraph:
        """Build the graph from a flow's raw mapping, ignoring whatever is malformed."""
        data = _as_dict(data)
        start = data.get("start") if isinstance(data.get("start"), str) else None
        nodes = {nid: read_node(nid, raw) for nid, raw in _as_dict(data.get("nodes")).items()}
        patterned = [n.id for n in nodes.values() if n.kind == "cause" and n.has_error_patterns]
        for node in nodes.values():
            if node.kind == "match":
                node.edges += _matched(node, patterned)
        return cls(start=start, nodes=nodes)

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

    def can_reach_outcome(self, also_ends: Callable[[str], bool] = lambda _nid: False) -> set[str]:
        """Every node from which some outcome can be reached (``also_ends``: nodes taken to reach one too)."""
        preds: dict[str, set[str]] = {nid: set() for nid in self.nodes}
        for nid in self.nodes:
            for succ in self.successors(nid):
                preds[succ].add(nid)
        good = {nid for nid, n in self.nodes.items() if n.is_outcome or also_ends(nid)}
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
