"""Compare a flow with the article it mirrors: which nodes' source sections changed since they were written.

Every imported node records ``source`` (the article section's name) and
``source_hash`` (a hash of that section's text, see
:func:`selfhelp.authoring.importer.section_hash`). Re-reading the article and hashing
its sections again tells which nodes an author should revisit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from selfhelp.authoring.importer import Article
from selfhelp.base.safe_yaml import LoadedYaml
from selfhelp.flow.models import Flow

Status = Literal["changed", "missing", "untracked"]


@dataclass(frozen=True)
class DriftItem:
    """One node whose source needs a look."""

    node: str
    source: str
    status: Status
    """changed (the section's text changed), missing (no section has that name any more), untracked (no hash)."""
    line: int = 0
    """The line of the node's ``source_hash`` (or ``source``) in the flow file, when known."""
    current_hash: str | None = None

    def format(self, display: str) -> str:
        where = f"{display}:{self.line}: " if self.line else f"{display}: "
        match self.status:
            case "changed":
                return f"{where}node {self.node!r}: section {self.source!r} changed (now {self.current_hash})"
            case "missing":
                return f"{where}node {self.node!r}: the article has no section {self.source!r} any more"
            case _:
                return f"{where}node {self.node!r}: section {self.source!r} is not tracked (no source_hash)"


def drift(flow: Flow, article: Article, loaded: LoadedYaml | None = None) -> list[DriftItem]:
    """Every node with a ``source`` whose section changed, vanished, or carries no hash, in file order."""
    hashes = article.hashes()
    items: list[DriftItem] = []
    for node_id, node in flow.nodes.items():
        if not node.source:
            continue
        key = "source_hash" if node.source_hash else "source"
        line = loaded.position(("nodes", node_id, key))[0] if loaded is not None else 0
        current = hashes.get(node.source)
        if current is None:
            items.append(DriftItem(node_id, node.source, "missing", line))
        elif node.source_hash is None:
            items.append(DriftItem(node_id, node.source, "untracked", line, current))
        elif node.source_hash != current:
            items.append(DriftItem(node_id, node.source, "changed", line, current))
    return items
