"""Which graph problems only follow from a schema problem already reported, so are not reported again.

One slip often breaks a node's schema and, through it, the graph: ``choice:`` written for
``choices:`` is an unknown field, then a missing field, then a dead end, then every node behind the
question is unreachable. The schema problem is the cause; the rest would only bury it. The graph
rules therefore skip what a schema problem already explains:

- a node whose kind is unknown, or whose ways on (``choices``, ``next``, ``no_match``,
  ``candidates``, or an unknown field that is a misspelling of one of them) failed the schema, has
  doubtful edges: it is no ``dead-end``, its own targets raise no ``choices-same-target`` or
  ``next-no-fallback``, and a choice of it that failed is no ``choice-without-target``;
- when a node reached from the start has doubtful edges, it may lead anywhere: no node is reported
  ``unreachable-node``; nor is a node of unknown kind, whose kind may be what leads to it;
- a node with doubtful edges may reach an outcome: no ``trap-cycle`` that could leave through it;
- a match step with doubtful edges reports no ``match-no-fallback``; nor ``match-no-patterns`` when
  some node's ``errors`` failed, or sit on a node of unknown kind (``kind: caus``);
- a ``candidate-not-cause`` whose candidate has an unknown kind, and a ``value-used-not-set`` when
  some node's ``store`` failed (or is misspelt), are left to the schema problem.

Fix the schema problem and the graph rules judge the node again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from selfhelp.flow.graph import FlowGraph, Path_

#: The fields of a node that say where it leads.
EDGE_FIELDS = frozenset({"choices", "next", "no_match", "candidates", "results"})


@dataclass(frozen=True)
class SchemaProblem:
    """A schema problem, by the data path it concerns."""

    rule: str
    path: Path_
    meant: str | None = None
    """For an unknown field: the known field it is most likely a misspelling of, if any."""

    @property
    def concerns(self) -> Path_ | None:
        """The path the problem is about: an unknown field stands for the field it misspells (or nothing)."""
        if self.rule == "unknown-field":
            return (*self.path[:-1], self.meant) if self.meant else None
        return self.path


@dataclass
class Cascade:
    """The schema problems of one flow and what follows from them in its graph."""

    graph: FlowGraph
    problems: list[SchemaProblem]
    _paths: list[Path_] = field(init=False)
    _broken: set[str] = field(init=False)
    _doubtful: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self._paths = [p for p in (sp.concerns for sp in self.problems) if p is not None]
        # A node that is not a mapping, or whose kind is missing or unknown: nothing of it can be judged.
        self._broken = {str(p[1]) for p in self._paths if p[:1] == ("nodes",) and (len(p) == 2 or p[2:] == ("kind",))}
        self._doubtful = self._broken | {str(p[1]) for p in self._paths if _is_edge_path(p)}

    def edges_doubtful(self, node_id: str) -> bool:
        """Whether the node's ways on failed the schema, so the graph does not know where it leads."""
        return node_id in self._doubtful

    def _under(self, prefix: Path_, fields: Iterable[str] = ()) -> bool:
        """Whether a problem concerns ``prefix`` itself, or (when fields are given) one of those fields below it."""
        wanted = set(fields)
        n = len(prefix)
        return any(p[:n] == prefix and (len(p) == n or (wanted and p[n] in wanted)) for p in self._paths)

    def _field_failed(self, name: str) -> bool:
        """Whether some node's ``name`` field failed the schema (or is misspelt)."""
        return any(len(p) >= 3 and p[0] == "nodes" and p[2] == name for p in self._paths)

    def _patterns_doubtful(self) -> bool:
        """Whether some node's error patterns failed, or sit on a node whose kind (``caus``?) is unknown."""
        broken_patterns = any(self.graph.nodes[n].has_error_patterns for n in self._broken if n in self.graph.nodes)
        return broken_patterns or self._field_failed("errors")

    def explains(self, rule: str, path: Path_) -> bool:
        """Whether a graph problem of ``rule`` at ``path`` follows from a schema problem already reported."""
        node_id = str(path[1]) if len(path) >= 2 and path[0] == "nodes" else None
        if rule in ("dead-end", "match-no-fallback", "choices-same-target", "next-no-fallback"):
            return node_id is not None and self.edges_doubtful(node_id)
        if rule == "choice-without-target":
            return self._under(path, ["goto"])
        if rule == "match-no-patterns":
            return (node_id is not None and self.edges_doubtful(node_id)) or self._patterns_doubtful()
        if rule == "candidate-not-cause":
            target = self._target_at(path)
            return target is not None and target in self._broken
        if rule == "value-used-not-set":
            return self._field_failed("store")
        if rule == "unreachable-node":
            # Whether a node of unknown kind is reached may hang on its kind (a cause a match step finds).
            return node_id in self._broken or self._start_reaches_doubt()
        if rule == "trap-cycle":
            return node_id is not None and node_id in self._may_reach_outcome()
        return False

    def _target_at(self, path: Path_) -> str | None:
        node = self.graph.nodes.get(str(path[1])) if len(path) >= 2 else None
        return next((e.target for e in node.written if e.path == path), None) if node else None

    def _start_reaches_doubt(self) -> bool:
        start = self.graph.start
        if start is None or start not in self.graph.nodes:
            return False
        return any(self.edges_doubtful(nid) for nid in self.graph.reachable_from([start]))

    def _may_reach_outcome(self) -> set[str]:
        """The nodes that reach an outcome if every node with doubtful edges is taken to reach one."""
        preds: dict[str, set[str]] = {nid: set() for nid in self.graph.nodes}
        for nid in self.graph.nodes:
            for succ in self.graph.successors(nid):
                preds[succ].add(nid)
        good = {nid for nid, n in self.graph.nodes.items() if n.is_outcome or self.edges_doubtful(nid)}
        stack = list(good)
        while stack:
            for pred in preds[stack.pop()]:
                if pred not in good:
                    good.add(pred)
                    stack.append(pred)
        return good


def _is_edge_path(path: Path_) -> bool:
    """Whether a problem at ``path`` makes a node's ways on doubtful.

    ``nodes.X.choices`` (or ``next``, ...) itself, one of its entries, or an entry's ``goto``; not,
    say, a choice's label or a branch's condition, which leave the target known.
    """
    if len(path) < 3 or path[0] != "nodes" or path[2] not in EDGE_FIELDS:
        return False
    return len(path) <= 4 or path[4] == "goto"
