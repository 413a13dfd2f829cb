"""Compare a flow with the article it mirrors: which nodes' source sections changed since they were written.

Every imported node records ``source`` (the article section's name) and
``source_hash`` (a hash of that section's text, see
:func:`selfhelp.authoring.importer.section_hash`). Re-reading the article and hashing
its sections again tells which nodes an author should revisit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from selfhelp.authoring.importer import Article, parse_article, read_article
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


def find_article(flow_file: Path, source_path: str, folders: Iterable[Path] = ()) -> Path | None:
    """The article a flow's ``source.path`` names: beside the flow file, in ``folders``, or in the working folder.

    Only the file name counts: a flow must not point the tool elsewhere on the disk.
    """
    name = Path(source_path).name
    if not name:
        return None
    for folder in (flow_file.parent, *folders, Path.cwd()):
        if (folder / name).is_file():
            return folder / name
    return None


def article_sections(flow_file: Path, source_path: str) -> list[str] | None:
    """The section names of the article a flow mirrors, found as :func:`find_article` finds it;
    ``None`` when it cannot be found, read or parsed (then nothing can be said about its sections).

    The validator takes this as its :data:`selfhelp.flow.content_rules.SectionLookup`: the flow layer
    cannot read articles itself, as this layer stands above it.
    """
    path = find_article(flow_file, source_path)
    if path is None:
        return None
    text, _ = read_article(path)
    if text is None:
        return None
    article = parse_article(text)
    return None if article.error else [section.name for section in article.sections]
