"""The agent's map of the flow: every node as a tree, the current step and the path taken marked."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from selfhelp.base.text import shown
from selfhelp.flow.models import Flow

#: A letter-like symbol per node kind, so kinds read without colour.
KIND_ICONS = {"question": "?", "input": "✎", "match": "⌕", "cause": "!", "outcome": "■", "check": "⚙"}
CURRENT, VISITED, UNVISITED = "▶", "✓", " "


class FlowTree(Tree[str]):
    """The flow as a tree from its start; a node reached twice is listed again as a link (↪)."""

    DEFAULT_CSS = """
    FlowTree { width: 1fr; height: 1fr; }
    """

    def __init__(self, flow: Flow, *, id: str | None = None) -> None:
        super().__init__(Text(shown(flow.title)), data=None, id=id)
        self.flow = flow
        self.show_root = False
        self.guide_depth = 2
        self._by_node: dict[str, list[TreeNode[str]]] = {}
        self._marks: dict[str, str] = {}
        self._build_map()

    def _add_flow_node(self, parent: TreeNode[str], node_id: str, seen: set[str]) -> None:
        node = self.flow.nodes.get(node_id)
        if node is None:
            return
        if node_id in seen:
            leaf = parent.add_leaf("", data=node_id)
            self._by_node.setdefault(node_id, []).append(leaf)
            return
        seen.add(node_id)
        targets = list(dict.fromkeys(self.flow.targets(node)))
        branch = parent.add("", data=node_id, expand=True) if targets else parent.add_leaf("", data=node_id)
        self._by_node.setdefault(node_id, []).insert(0, branch)
        for target in targets:
            self._add_flow_node(branch, target, seen)

    def _build_map(self) -> None:
        seen: set[str] = set()
        self._add_flow_node(self.root, self.flow.start, seen)
        unreached = [nid for nid in self.flow.nodes if nid not in seen]
        if unreached:
            # Agents may still jump to a node no path leads to, so it is listed rather than hidden.
            group = self.root.add(Text("Not reached from the start"), expand=True)
            for nid in unreached:
                self._add_flow_node(group, nid, seen)
        self.root.expand()
        self.mark(self.flow.start, [])

    def _flow_label(self, node_id: str, primary: bool) -> Text:
        node = self.flow.nodes[node_id]
        mark = self._marks.get(node_id, UNVISITED)
        title = shown(node.title or node_id)
        prefix = f"{mark} {KIND_ICONS.get(node.kind, '·')} " if primary else f"{mark} ↪ "
        # Tree labels are Rich Text: built from plain strings, never parsed as markup.
        return Text.assemble(prefix, (title, "bold" if mark == CURRENT else ""))

    def mark(self, current: str, visited: list[str]) -> None:
        """Mark the current step (▶) and the steps on the path (✓), and bring the current one into view."""
        self._marks = dict.fromkeys(visited, VISITED)
        self._marks[current] = CURRENT
        for node_id, tree_nodes in self._by_node.items():
            for i, tree_node in enumerate(tree_nodes):
                tree_node.set_label(self._flow_label(node_id, i == 0))
        if current in self._by_node and self.is_mounted:
            self.move_cursor(self._by_node[current][0])
