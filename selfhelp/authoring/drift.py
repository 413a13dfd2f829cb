"""Compare a flow with the article it mirrors: which nodes' source text changed since they were written.

Every imported node records ``source`` (the article section's name), optionally ``source_block`` (the
paragraph, list item or step of that section it mirrors, see :class:`selfhelp.authoring.article.Block`)
and ``source_hash`` (a hash of that block's text, or of the whole section's without a block). Re-reading
the article and hashing again tells which nodes an author should revisit: editing one bullet flags
only the nodes citing that bullet (and those citing the section as a whole), and changes of spacing or
wrapping flag nothing. :func:`accept_hashes` writes the new hashes into the flow file once reviewed,
editing only the hash values in place so comments and formatting stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from selfhelp.authoring.article import Article, Block, parse_article, read_article
from selfhelp.base.safe_yaml import LoadedYaml
from selfhelp.flow.models import Flow

Status = Literal["changed", "moved", "missing", "untracked"]


@dataclass(frozen=True)
class DriftItem:
    """One node whose source needs a look."""

    node: str
    source: str
    status: Status
    """changed (the cited text changed), moved (unchanged, now at another block number: ``moved_to``),
    missing (no such section or block any more), untracked (no hash)."""
    line: int = 0
    """The line of the node's ``source_hash`` (or ``source``) in the flow file, when known."""
    current_hash: str | None = None
    """The hash of the cited text now (``None`` when it is missing)."""
    block: int | None = None
    """The cited block's number (``None``: the whole section)."""
    current_text: str = ""
    """The cited text now, to show the author before a hash is accepted."""
    article_line: int = 0
    """Where the cited text starts in the article now."""
    section_found: bool = False
    """For a missing block: the section is still there (the block is not)."""
    moved_to: int | None = None
    """For a moved block: its number now (blocks inserted or removed before it shifted it)."""

    @property
    def cited(self) -> str:
        """What the node cites, in words: the section, or a block of it."""
        return f"section {self.source!r}" if self.block is None else f"block {self.block} of section {self.source!r}"

    def format(self, display: str) -> str:
        """The item as ``file:line: node ...: what happened``."""
        where = f"{display}:{self.line}: " if self.line else f"{display}: "
        match self.status:
            case "changed":
                at = f", article line {self.article_line}" if self.article_line else ""
                return f"{where}node {self.node!r}: {self.cited} changed (now {self.current_hash}{at})"
            case "moved":
                return (
                    f"{where}node {self.node!r}: {self.cited} is unchanged but now block {self.moved_to} "
                    f"(article line {self.article_line}); --accept renumbers it"
                )
            case "missing":
                if self.section_found:
                    return f"{where}node {self.node!r}: the section {self.source!r} has no block {self.block} any more"
                return f"{where}node {self.node!r}: the article has no section {self.source!r} any more"
            case _:
                return f"{where}node {self.node!r}: {self.cited} is not tracked (no source_hash)"


def drift(flow: Flow, article: Article, loaded: LoadedYaml | None = None) -> list[DriftItem]:
    """Every node with a ``source`` whose cited text changed, vanished, or carries no hash, in file order."""
    items: list[DriftItem] = []
    for node_id, node in flow.nodes.items():
        if not node.source:
            continue
        key = "source_hash" if node.source_hash else "source"
        line = loaded.position(("nodes", node_id, key))[0] if loaded is not None else 0
        block_no = node.source_block
        section = article.section(node.source)
        if section is None:
            items.append(DriftItem(node_id, node.source, "missing", line, block=block_no))
            continue
        block: Block | None = section.block(block_no) if block_no is not None else None
        if block_no is not None and block is None:
            items.append(DriftItem(node_id, node.source, "missing", line, block=block_no, section_found=True))
            continue
        current = block.hash if block is not None else section.hash
        if block_no is not None and node.source_hash and node.source_hash != current:
            # Text inserted or removed before the block shifts its number: find it by its hash.
            same = [b for b in section.all_blocks() if b.hash == node.source_hash]
            if len(same) == 1:
                items.append(
                    DriftItem(
                        node_id,
                        node.source,
                        "moved",
                        line,
                        current,
                        block_no,
                        same[0].text,
                        same[0].line,
                        moved_to=same[0].number,
                    )
                )
                continue
        text = block.text if block is not None else section.text
        where = block.line if block is not None else section.line
        if node.source_hash is None:
            items.append(DriftItem(node_id, node.source, "untracked", line, current, block_no, text, where))
        elif node.source_hash != current:
            items.append(DriftItem(node_id, node.source, "changed", line, current, block_no, text, where))
    return items


class AcceptError(ValueError):
    """A hash cannot be written in place (the value is not a plain one-line scalar where it was read)."""


_SCALAR = re.compile(r"""(?:'[^'\n]*'|"[^"\n]*"|[^\s#,}\]]+)""")


def accept_hashes(text: str, loaded: LoadedYaml, items: Iterable[DriftItem]) -> tuple[str, list[str]]:
    """The flow file's text with each changed item's ``source_hash`` replaced by its current hash, and each
    moved item's ``source_block`` by its new number.

    Only the hash values change, each found at the position the safe loader recorded, so comments, quoting
    and layout elsewhere stay as they were. Returns the new text and the nodes updated.

    Raises:
        AcceptError: a hash is not a one-line scalar at its recorded position (nothing is changed then).
    """
    lines = text.split("\n")
    done: list[str] = []
    for item in items:
        if item.status == "moved" and item.moved_to is not None:
            _replace(lines, loaded, item.node, "source_block", str(item.moved_to))
            done.append(item.node)
            continue
        if item.status != "changed" or item.current_hash is None:
            continue
        # An all-digit hash written plain would read back as a number.
        value = f"'{item.current_hash}'" if item.current_hash.isdigit() else item.current_hash
        _replace(lines, loaded, item.node, "source_hash", value)
        done.append(item.node)
    return "\n".join(lines), done


def _replace(lines: list[str], loaded: LoadedYaml, node: str, key: str, value: str) -> None:
    """Replace the one-line scalar of ``nodes.NODE.KEY`` in ``lines`` at the position the loader recorded."""
    path = ("nodes", node, key)
    if path not in loaded.values:
        raise AcceptError(f"node {node!r}: the position of its {key} is not known")
    line_no, col = loaded.values[path]
    line = lines[line_no - 1]
    found = _SCALAR.match(line, col - 1)
    if found is None:
        raise AcceptError(f"line {line_no}: node {node!r}: {key} is not a one-line value")
    lines[line_no - 1] = line[: found.start()] + value + line[found.end() :]


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
