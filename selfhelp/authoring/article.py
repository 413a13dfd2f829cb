"""Reading a self-help article: its header, its sections, and the blocks each section is made of.

The articles (see ``shared/articles``) share a loose shape::

    <properties pageTitle="..." articleId="..." supportTopicIds="..." />   <- any attribute casing
    # Title
    ## **Recommended Steps**
    intro text
    **A sub-heading (often a question)**   <- a section of its own (so is ``###``, or another ``##``)
    paragraphs, bullet lists (nested), numbered steps (``1.``, ``1.<tab>``, ``a.``), **Note:** lines
    ## **Recommended Documents**
    * [Title](https://...)                 <- links

:func:`parse_article` splits the text into named :class:`Section` objects, and each section into
:class:`Block` objects: a paragraph, a list item (nested items are blocks of their own) or a note.
Sections and blocks each have a hash of their text, blind to spacing and wrapping, which
``selfhelp drift`` compares later. What cannot be read is noted, line by line; nothing here raises.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from selfhelp.base.text import shown

MAX_ARTICLE_BYTES = 512 * 1024
INTRO = "Recommended Steps"
DOCUMENTS = "Recommended Documents"

#: Header attributes the importer maps to flow fields, by their lower-case names (articles vary the casing).
KNOWN_ATTRIBUTES = {
    "pagetitle": "pageTitle",
    "description": "description",
    "articleid": "articleId",
    "supporttopicids": "supportTopicIds",
    "productpesids": "productPesIds",
    "selfhelptype": "selfHelpType",
}
#: Bold lead-ins that mark a note: a block of the section around them, never a section of their own.
NOTE_LEADS = re.compile(r"^(?:please\s+)?(note|notes|tip|tips|example|examples)\b", re.I)
#: Bold lead-ins that warn: a section of their own (``**IMPORTANT:** text``), offered by what they say.
WARNING_LEADS = re.compile(r"^(important|caution|warning|attention)$", re.I)

_PROPERTIES = re.compile(r"<properties\b(.*?)/?>", re.DOTALL | re.IGNORECASE)
_ATTRIBUTE = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_H = re.compile(r"^[ ]{0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_BOLD_LINE = re.compile(r"^[ ]{0,3}\*\*\s*([^*].*?)\s*\*\*\s*:?\s*$")
_BOLD_LEAD = re.compile(r"^\*\*\s*([^*].*?)\s*\*\*\s*(:?)\s*(\S.*)$")
#: A list item: bullets (``* - + •``), numbers (``1.`` ``1)``), single letters (``a.``), "Step 1:".
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[*+\-•]|\d{1,3}[.)]|[a-z][.)]|step\s+\d{1,2}\s*:)(?:[ \t]+|$)(?P<body>.*)$",
    re.IGNORECASE,
)
LINK = re.compile(r"\[([^\]\n]*)\]\((https?://[^\s)]+)\)")
_HTML_TAG = re.compile(r"</?(?:br|p|div|span|b|i|strong|em|u)\b[^>]*>", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"^<!?--.*--!?>$")

BlockKind = Literal["paragraph", "bullet", "step", "note", "heading"]
SectionKind = Literal["intro", "branch", "next_step", "documents"]


def text_hash(text: str) -> str:
    """A short hash of a text, blind to changes of wrapping and spacing."""
    normal = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(normal.encode()).hexdigest()[:16]


#: The name earlier versions used; sections and blocks are hashed alike.
section_hash = text_hash


@dataclass
class Note:
    """Something in the article that was not mapped (or was mapped with a guess)."""

    line: int
    """1-based line in the article (0 for the whole article)."""
    message: str
    """What happened, in a sentence."""
    review: bool = False
    """Whether an author must look at the draft here (a guess was made), not merely be told."""

    def format(self, display: str) -> str:
        """The note as ``file:line: message``."""
        return f"{display}:{self.line}: {self.message}" if self.line else f"{display}: {self.message}"


@dataclass
class Block:
    """A paragraph, a list item (with the items nested in it) or a note, in a section."""

    number: int
    """1-based, in reading order within its section (nested items count); 0 is the section's heading."""
    kind: BlockKind
    line: int
    """1-based line where it starts."""
    depth: int
    """Indentation in columns (tabs as four): nesting of list items."""
    own: list[str] = field(default_factory=list)
    """Its own lines, list marker removed."""
    children: list[Block] = field(default_factory=list)
    """Items nested in it."""
    marker: str = ""
    """The list marker as written (``*``, ``1.``, ``a)``), empty for paragraphs and notes."""

    @property
    def own_text(self) -> str:
        """Its own text, without nested items."""
        return tidy("\n".join(self.own))

    @property
    def text(self) -> str:
        """Its text with the nested items, as Markdown (nested items indented under it)."""
        parts = [self.own_text]
        for child in self.children:
            mark = child.marker if child.marker and child.marker[0].isalnum() else "*"
            body = child.text.replace("\n", "\n    ")
            parts.append(f"    {mark} {body}")
        return "\n".join(p for p in parts if p)

    @property
    def hash(self) -> str:
        """The hash drift compares: of its text with nested items, blind to spacing and markers."""
        return text_hash(self.text if self.number else self.own_text)

    @property
    def last_line(self) -> int:
        """The last line it covers (nested items included)."""
        end = self.line + max(len(self.own) - 1, 0)
        return max([end, *(c.last_line for c in self.children)])

    def walk(self) -> list[Block]:
        """This block and every block nested in it, in reading order."""
        return [self, *(b for c in self.children for b in c.walk())]


@dataclass
class Section:
    """A named part of the article: the intro, a branch, a next step, or the documents."""

    name: str
    kind: SectionKind
    line: int
    """1-based line of its heading (or first line)."""
    lines: list[tuple[int, str]] = field(default_factory=list)
    """Its body, with line numbers."""
    _blocks: list[Block] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """Its body as one text."""
        return tidy("\n".join(t for _, t in self.lines))

    @property
    def hash(self) -> str:
        """The hash of its whole text."""
        return text_hash(self.text)

    @property
    def blocks(self) -> list[Block]:
        """Its top-level blocks (nested items hang under theirs), read once."""
        if self._blocks is None:
            self._blocks = split_blocks(self.lines)
        return self._blocks

    def heading(self) -> Block:
        """Block 0: the heading, so a node that mirrors only the heading can cite it."""
        return Block(0, "heading", self.line, 0, [self.name])

    def all_blocks(self) -> list[Block]:
        """Every block, nested ones included, in reading order (block ``n`` is at index ``n - 1``)."""
        return [b for top in self.blocks for b in top.walk()]

    def block(self, number: int) -> Block | None:
        """The block with this number (0: the heading), if there is one."""
        if number == 0:
            return self.heading()
        found = self.all_blocks()
        return found[number - 1] if 0 < number <= len(found) else None


@dataclass
class Article:
    """A parsed article: its header, title, sections and the links it recommends."""

    properties: dict[str, str]
    """The header's attributes, known ones under their usual names (``articleId``), others as written."""
    title: str | None
    sections: list[Section]
    links: list[tuple[str, str]]
    notes: list[Note]
    error: str | None = None
    """Why no flow can be drafted from it (``None`` when one can)."""
    form: list[dict[str, Any]] | None = None
    """For a support scoping form: its form elements."""
    title_line: int = 0
    """The line of the ``#`` title."""

    def section(self, name: str) -> Section | None:
        """The section with this name."""
        return next((s for s in self.sections if s.name == name), None)

    def hashes(self) -> dict[str, str]:
        """Each section's name and current hash (intro included)."""
        return {s.name: s.hash for s in self.sections}

    def metadata(self) -> dict[str, str]:
        """The header attributes the flow has no field for, as written."""
        return {k: v for k, v in self.properties.items() if k not in KNOWN_ATTRIBUTES.values()}


# --- text helpers -----------------------------------------------------------------


def tidy(text: str) -> str:
    """Text ready for a node: tabs as spaces (so YAML keeps it a literal block), no trailing spaces."""
    lines = [_untab(line).rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _untab(line: str) -> str:
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)].expandtabs(4)
    return indent + stripped.replace("\t", " ")


def plain(text: str) -> str:
    """Markdown made plain: links to their text, emphasis and code marks removed, spaces joined.

    Only paired marks go: an underscore inside a word (``A_b``) is text, not emphasis.
    """
    text = LINK.sub(r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!\w)__(.+?)__(?!\w)", r"\1", text)
    text = re.sub(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = text.replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


def heading_name(text: str) -> str:
    """A heading's text as a section name: plain, without a closing colon."""
    return plain(text).strip().rstrip(":").strip()


def read_article(path: Path) -> tuple[str | None, str | None]:
    """The article's text, or why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    if len(raw) > MAX_ARTICLE_BYTES:
        return None, f"the file is {len(raw):,} bytes; articles may be at most {MAX_ARTICLE_BYTES:,}"
    if b"\x00" in raw:
        return None, "the file holds NUL bytes: it is not a text file"
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not valid UTF-8"


# --- blocks -----------------------------------------------------------------------


def _indent(spaces: str) -> int:
    return len(spaces.expandtabs(4))


def _item_body(body: str) -> str:
    # Some articles paste a bullet glyph and a tab inside a bullet ("* •\tCheck ..."): it is not text.
    return re.sub(r"^(?:[•·▪◦]\s*)+", "", body)


def split_blocks(lines: list[tuple[int, str]]) -> list[Block]:
    """A section's body as top-level blocks, list items nested by indentation.

    A line right after an item (no blank line between) continues it, as Markdown reads it; after a blank
    line, an indented line continues the item above it and an unindented one starts a paragraph.
    """
    top: list[Block] = []
    open_items: list[Block] = []  # the items that a deeper item or an indented line may belong to
    current: Block | None = None  # the block the next plain line continues
    blank = True
    for number, line in lines:
        if not line.strip():
            blank = True
            if current is not None and current.kind == "paragraph":
                current = None
            continue
        depth = _indent(line[: len(line) - len(line.lstrip(" \t"))])
        item = _ITEM.match(line)
        if item and (item.group("body").strip() or item.group("marker")[0] not in "*+-"):
            kind: BlockKind = "bullet" if item.group("marker")[0] in "*+-•" else "step"
            block = Block(0, kind, number, depth, [_item_body(item.group("body").strip())], marker=item["marker"])
            while open_items and open_items[-1].depth >= depth:
                open_items.pop()
            siblings = open_items[-1].children if open_items else top
            if kind == "bullet" and siblings and siblings[-1].kind == "step" and siblings[-1].depth == depth:
                # Bullets written flush under a numbered step ("1. Pick one:" then "* A", "* B") belong to it.
                siblings[-1].children.append(block)
                open_items.append(siblings[-1])
            else:
                siblings.append(block)
            open_items.append(block)
            current, blank = block, False
            continue
        text = line.strip()
        lead = _BOLD_LEAD.match(text) or _BOLD_LINE.match(text)
        is_note = bool(lead and NOTE_LEADS.match(heading_name(lead.group(1))))
        if is_note:
            current, open_items = Block(0, "note", number, depth, [text]), []
            top.append(current)
        elif current is not None and (not blank or (current.kind != "paragraph" and depth > current.depth)):
            current.own.append(text)
        elif open_items and blank and depth > 0 and depth > open_items[0].depth:
            holder = next((b for b in reversed(open_items) if b.depth < depth), open_items[0])
            holder.own.append(text)
            current = holder
        else:
            open_items = []
            current = Block(0, "paragraph", number, depth, [text])
            top.append(current)
        blank = False
    for n, block in enumerate((b for t in top for b in t.walk()), start=1):
        block.number = n
    return top


# --- header -----------------------------------------------------------------------


def _properties(text: str, notes: list[Note]) -> tuple[dict[str, str], int]:
    """The ``<properties>`` header's attributes, and the offset where the article body starts."""
    match = _PROPERTIES.search(text[:20_000])
    if match is None or text[: match.start()].strip():
        notes.append(Note(0, "no <properties .../> header at the top: source taken from the title and file name"))
        return {}, 0
    props: dict[str, str] = {}
    for m in _ATTRIBUTE.finditer(match[1]):
        name = KNOWN_ATTRIBUTES.get(m.group(1).casefold(), m.group(1))
        value = m.group(2) if m.group(2) is not None else m.group(3)
        unescaped = html.unescape(value)
        if unescaped != value:
            line = text[: match.start(1) + m.start()].count("\n") + 1
            notes.append(Note(line, f"the header's {name} holds HTML entities: read as {unescaped.strip()!r}"))
        props[name] = unescaped.strip() if unescaped != value else value
    for needed in ("articleId", "pageTitle"):
        if not props.get(needed, "").strip():
            notes.append(Note(1, f"the header has no {needed}"))
    return props, match.end()


def _scoping_form(text: str) -> list[dict[str, Any]] | None:
    """The form elements of a support scoping form (JSON between --- lines), if the text is one."""
    match = re.search(r"^---\s*$(.*?)^---\s*$", text, re.DOTALL | re.MULTILINE)
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return None
    elements = data.get("formElements") if isinstance(data, dict) else None
    return [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else None


# --- sections ---------------------------------------------------------------------


def is_next_step(name: str) -> bool:
    """Whether a heading names the guidance for when the causes above did not help."""
    return name.casefold() in ("next step", "next steps")


class _Parser:
    """Walks the article's lines once, opening a section at each heading or bold sub-heading."""

    def __init__(self, notes: list[Note]) -> None:
        self.notes = notes
        self.sections: list[Section] = []
        self.links: list[tuple[str, str]] = []
        self.title: str | None = None
        self.title_line = 0
        self.area: str | None = None
        """The ``##`` area being read: INTRO (steps and any later ``##`` sections), DOCUMENTS, or None."""
        self.current: Section | None = None
        self.names: set[str] = set()
        self.before: list[tuple[int, str]] = []
        """Lines between the title and the first ``##`` heading."""

    def _open(self, name: str, kind: SectionKind, line: int) -> Section:
        unique, n = name, 2
        while unique in self.names:
            unique, n = f"{name} ({n})", n + 1
        if unique != name:
            self.notes.append(Note(line, f"a second section is named {name!r}: it is called {unique!r} in the draft"))
        self.names.add(unique)
        section = Section(name=unique, kind=kind, line=line)
        self.sections.append(section)
        self.current = section
        return section

    def feed(self, number: int, line: str) -> None:
        if _HTML_TAG.search(line):
            line = _HTML_TAG.sub(" ", line).rstrip()
            self.notes.append(Note(number, "HTML tags removed"))
        heading = _H.match(line)
        if heading:
            level, name = len(heading.group(1)), heading_name(heading.group(2) or "")
            if not name:
                self.notes.append(Note(number, "an empty heading: ignored"))
                return
            if level <= 2:
                self._heading(number, level, name)
                return
        if self.area == INTRO:
            self._steps_line(number, line, heading)
        elif self.area == DOCUMENTS:
            self._documents_line(number, line)
        elif self.area is None and self.title is not None:
            self.before.append((number, line))

    def _heading(self, number: int, level: int, name: str) -> None:
        if level == 1:
            if _HTML_COMMENT.match(name) or name.startswith("<"):
                self.notes.append(Note(number, f"the title line {name!r} reads as a comment: not used as the title"))
            elif self.title is None:
                self.title, self.title_line = name, number
            return
        if name.casefold() == INTRO.casefold():
            if self.area == INTRO or self.section(INTRO):
                self.notes.append(Note(number, "a second 'Recommended Steps' section: read as part of the first"))
                self.current = self.section(INTRO)
            else:
                intro = self._open(INTRO, "intro", number)
                # Text between the title and the steps (an overview, a "Please note") opens the steps.
                intro.lines = [(n, t) for n, t in self.before]
                first = next((n for n, t in self.before if t.strip()), None)
                if first is not None:
                    self.notes.append(Note(first, "text before '## Recommended Steps' is read as the start of it"))
            self.area = INTRO
        elif name.casefold() == DOCUMENTS.casefold():
            self.area = DOCUMENTS
            if self.section(DOCUMENTS) is None:
                self._open(DOCUMENTS, "documents", number)
            else:
                self.current = self.section(DOCUMENTS)
        elif self.area == INTRO:
            # Another ## section among the steps (FAQs, a second topic): a branch like a sub-heading.
            self._open(name, "next_step" if is_next_step(name) else "branch", number)
        else:
            self.area = "other"
            self.notes.append(
                Note(
                    number,
                    f"the section {name!r} comes before 'Recommended Steps' and is not one the importer "
                    "knows (Recommended Steps, Recommended Documents): not mapped",
                )
            )

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def _steps_line(self, number: int, line: str, heading: re.Match[str] | None) -> None:
        if heading is not None:  # ### and deeper: a sub-heading
            name = heading_name(heading.group(2) or "")
            self._open(name, "next_step" if is_next_step(name) else "branch", number)
            return
        bold = _BOLD_LINE.match(line)
        if bold and heading_name(bold.group(1)) and not NOTE_LEADS.match(heading_name(bold.group(1))):
            name = heading_name(bold.group(1))
            self._open(name, "next_step" if is_next_step(name) else "branch", number)
            return
        lead = _BOLD_LEAD.match(line)
        if lead and (lead.group(1).endswith(":") or lead.group(2)):
            name = heading_name(lead.group(1))
            if name and not NOTE_LEADS.match(name):
                self._open(name, "next_step" if is_next_step(name) else "branch", number)
                self._add(number, lead.group(3))
                return
        self._add(number, line)

    def _add(self, number: int, line: str) -> None:
        if self.current is not None:
            self.current.lines.append((number, line))

    def _documents_line(self, number: int, line: str) -> None:
        found = LINK.findall(line)
        for title, url in found:
            if plain(title):
                self.links.append((plain(title)[:200], url))
        if not found and line.strip():
            self.notes.append(Note(number, "a line of Recommended Documents without a link is not mapped"))
        self._add(number, line)


def parse_article(text: str) -> Article:
    """Split an article into sections; never raises."""
    notes: list[Note] = []
    # Line ends as LF, no escapes or invisible characters: flows refuse them, and a draft must validate.
    text = shown(text)
    form = _scoping_form(text)
    props, body_at = _properties(text, notes)
    if props.get("selfHelpType", "").casefold() == "problemscopingquestions" or form is not None:
        return Article(
            properties=props,
            title=props.get("pageTitle"),
            sections=[],
            links=[],
            notes=notes,
            form=form,
            error="this is a support scoping form (selfHelpType problemScopingQuestions), not a troubleshooting "
            "article: it has no steps to map. Pass it with --form to fill the contact-support outcome's fields.",
        )
    parser = _Parser(notes)
    first_line = text[:body_at].count("\n") + 1
    for offset, line in enumerate(text[body_at:].split("\n")):
        parser.feed(first_line + offset, line)
    article = Article(
        properties=props,
        title=parser.title,
        sections=parser.sections,
        links=parser.links,
        notes=notes,
        title_line=parser.title_line,
    )
    if parser.section(INTRO) is None:
        article.error = "no '## Recommended Steps' section: there is nothing to map to a flow"
    elif not any(s.blocks for s in parser.sections if s.kind != "documents"):
        article.error = (
            "the 'Recommended Steps' section holds no text (only links, or nothing): there are no steps to "
            "map; link to the documents from another flow instead"
        )
    return article
