"""From a self-help article to a draft flow.

The articles this reads (see ``shared/articles``) share one shape::

    <properties pageTitle="..." articleId="..." supportTopicIds="..." productPesIds="..." />
    # Title
    ## **Recommended Steps**
    intro text
    **A sub-heading**            <- a branch of the flow
    text; a list introduced by "... several reasons:" lists causes
    **Next Step:** guidance      <- what to do when the causes did not help
    **IMPORTANT:** text          <- a bold lead-in is a branch of its own
    ## **Recommended Documents**
    * [Title](https://...)       <- links

:func:`parse_article` splits the text into named sections (each with a hash of
its text); :func:`build_draft` turns them into flow data that validates clean.
Every node records the section it came from (``source``) and that section's
hash (``source_hash``), which ``selfhelp drift`` compares later. What the
importer cannot map is reported, line by line; nothing here raises on odd input.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from selfhelp.base.text import shown
from selfhelp.flow.schema import MODELINE

MAX_ARTICLE_BYTES = 512 * 1024
INTRO = "Recommended Steps"
DOCUMENTS = "Recommended Documents"
DRAFT_VERSION = "0.1.0"

#: Bold lead-ins that stay part of the text around them instead of starting a section.
_INLINE_LEADS = {"note", "notes", "tip", "tips", "example", "examples"}
#: A list introduced by a line like this lists causes ("it could be for several reasons:").
_CAUSE_INTRO = re.compile(r"\b(reasons?|causes?|could be (?:for|due|because)|due to|why)\b", re.IGNORECASE)

_PROPERTIES = re.compile(r"<properties\b(.*?)/?>", re.DOTALL | re.IGNORECASE)
_ATTRIBUTE = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_H = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*\s*([^*].*?)\s*\*\*\s*:?\s*$")
_BOLD_LEAD = re.compile(r"^\*\*\s*([^*].*?)\s*\*\*\s*(:?)\s*(\S.*)$")
_ITEM = re.compile(r"^([ \t]*)(?:(\d{1,3})[.)]|[*+-])[ \t]+(.*)$")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_HTML_TAG = re.compile(r"</?(?:br|p|div|span)\b[^>]*>", re.IGNORECASE)


def section_hash(text: str) -> str:
    """A short hash of a section's text, blind to changes of wrapping and spacing."""
    normal = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(normal.encode()).hexdigest()[:16]


@dataclass
class Note:
    """Something in the article that was not mapped (or was mapped with a guess)."""

    line: int
    """1-based line in the article (0 for the whole article)."""
    message: str

    def format(self, display: str) -> str:
        return f"{display}:{self.line}: {self.message}" if self.line else f"{display}: {self.message}"


@dataclass
class Section:
    """A named part of the article: the intro, a branch, a next step, or the documents."""

    name: str
    kind: Literal["intro", "branch", "next_step", "documents"]
    line: int
    """1-based line of its heading (or first line)."""
    lines: list[tuple[int, str]] = field(default_factory=list)
    """Its body, with line numbers."""

    @property
    def text(self) -> str:
        return _tidy("\n".join(t for _, t in self.lines))

    @property
    def hash(self) -> str:
        return section_hash(self.text)


@dataclass
class Article:
    """A parsed article: its header, title, sections and the links it recommends."""

    properties: dict[str, str]
    title: str | None
    sections: list[Section]
    links: list[tuple[str, str]]
    notes: list[Note]
    error: str | None = None
    """Why no flow can be drafted from it (``None`` when one can)."""
    form: list[dict[str, Any]] | None = None
    """For a support scoping form: its form elements."""

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def hashes(self) -> dict[str, str]:
        """Each section's name and current hash (intro included)."""
        return {s.name: s.hash for s in self.sections}


# --- reading --------------------------------------------------------------------


def _tidy(text: str) -> str:
    """Text ready for a node: tabs as spaces (so YAML keeps it a literal block), no trailing spaces."""
    lines = [_untab(line).rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _untab(line: str) -> str:
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)].expandtabs(4)
    return indent + stripped.replace("\t", " ")


def _plain(text: str) -> str:
    """Markdown made plain: links to their text, emphasis and code marks removed, spaces joined."""
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"[*_`]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _heading_name(text: str) -> str:
    return _plain(text).strip().rstrip(":").strip()


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


def _properties(text: str, notes: list[Note]) -> tuple[dict[str, str], int]:
    """The ``<properties>`` header's attributes, and the offset where the article body starts."""
    match = _PROPERTIES.search(text[:20_000])
    if match is None or text[: match.start()].strip():
        notes.append(Note(0, "no <properties .../> header at the top: source taken from the title and file name"))
        return {}, 0
    props = {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTRIBUTE.finditer(match[1])}
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


class _Parser:
    """Walks the article's lines once, opening a section at each heading or bold lead-in."""

    def __init__(self, notes: list[Note]) -> None:
        self.notes = notes
        self.sections: list[Section] = []
        self.links: list[tuple[str, str]] = []
        self.title: str | None = None
        self.area: str | None = None
        """The ``##`` section being read: INTRO, DOCUMENTS, or an unknown one (skipped)."""
        self.current: Section | None = None
        self.names: set[str] = set()

    def _open(self, name: str, kind: Literal["intro", "branch", "next_step", "documents"], line: int) -> Section:
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
            line = _HTML_TAG.sub("", line)
            self.notes.append(Note(number, "HTML tags removed"))
        heading = _H.match(line)
        if heading and len(heading.group(1)) <= 2:
            self._heading(number, len(heading.group(1)), _heading_name(heading.group(2)))
            return
        if self.area == INTRO:
            self._steps_line(number, line, heading)
        elif self.area == DOCUMENTS:
            self._documents_line(number, line)
        elif self.area is None and line.strip() and self.title is not None:
            self.notes.append(Note(number, "text before '## Recommended Steps' is not mapped"))

    def _heading(self, number: int, level: int, name: str) -> None:
        if level == 1:
            if self.title is None and name:
                self.title = name
            return
        if name.casefold() == INTRO.casefold():
            if self.area == INTRO or self.section(INTRO):
                self.notes.append(Note(number, "a second 'Recommended Steps' section: read as part of the first"))
            else:
                self._open(INTRO, "intro", number)
            self.area = INTRO
        elif name.casefold() == DOCUMENTS.casefold():
            self.area = DOCUMENTS
            if self.section(DOCUMENTS) is None:
                self._open(DOCUMENTS, "documents", number)
            else:
                self.current = self.section(DOCUMENTS)
        else:
            self.area = "other"
            self.notes.append(
                Note(
                    number,
                    f"the section {name!r} is not one the importer knows (Recommended Steps, Recommended "
                    "Documents): not mapped",
                )
            )

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def _steps_line(self, number: int, line: str, heading: re.Match[str] | None) -> None:
        if heading is not None:  # ### and deeper: a sub-heading
            name = _heading_name(heading.group(2))
            if name:
                self._open(name, "next_step" if _is_next_step(name) else "branch", number)
                return
        bold = _BOLD_LINE.match(line)
        if bold and _heading_name(bold.group(1)):
            name = _heading_name(bold.group(1))
            if name.casefold() not in _INLINE_LEADS:
                self._open(name, "next_step" if _is_next_step(name) else "branch", number)
                return
        lead = _BOLD_LEAD.match(line)
        if lead and (lead.group(1).endswith(":") or lead.group(2)) and _heading_name(lead.group(1)):
            name = _heading_name(lead.group(1))
            if name.casefold() not in _INLINE_LEADS:
                self._open(name, "next_step" if _is_next_step(name) else "branch", number)
                self._add(number, lead.group(3))
                return
        self._add(number, line)

    def _add(self, number: int, line: str) -> None:
        if self.current is not None:
            self.current.lines.append((number, line))

    def _documents_line(self, number: int, line: str) -> None:
        found = _LINK.findall(line)
        for title, url in found:
            if _plain(title):
                self.links.append((_plain(title)[:200], url))
        if not found and line.strip():
            self.notes.append(Note(number, "a line of Recommended Documents without a link is not mapped"))
        self._add(number, line)


def _is_next_step(name: str) -> bool:
    return name.casefold() in ("next step", "next steps")


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
    article = Article(properties=props, title=parser.title, sections=parser.sections, links=parser.links, notes=notes)
    if parser.section(INTRO) is None:
        article.error = "no '## Recommended Steps' section: there is nothing to map to a flow"
    return article


# --- causes ---------------------------------------------------------------------


@dataclass
class Cause:
    """A list item that names a cause."""

    title: str
    pattern: str
    text: str
    line: int


def _indent(spaces: str) -> int:
    return len(spaces.expandtabs(4))


def find_causes(section: Section) -> tuple[list[Cause], list[tuple[int, str]]]:
    """The section's cause items, and its other lines (the text kept on the branch)."""
    causes: list[Cause] = []
    rest: list[tuple[int, str]] = []
    #: The text that introduces the items at each open indentation level.
    intro_at: list[tuple[int, str]] = []
    last_text = ""
    for number, line in section.lines:
        item = _ITEM.match(line)
        if item is None:
            if line.strip():
                last_text = line
                intro_at = [(d, t) for d, t in intro_at if d < _indent(line[: len(line) - len(line.lstrip())])]
            rest.append((number, line))
            continue
        depth = _indent(item.group(1))
        intro_at = [(d, t) for d, t in intro_at if d < depth]
        introducer = intro_at[-1][1] if intro_at else last_text
        body = item.group(3).strip()
        cause = _cause(body, number) if _introduces_causes(introducer) else None
        if cause is not None:
            causes.append(cause)
        else:
            rest.append((number, line))
        intro_at.append((depth, body))
    return causes, rest


def _introduces_causes(text: str) -> bool:
    plain = _plain(text)
    return plain.endswith(":") and bool(_CAUSE_INTRO.search(plain))


def _cause(body: str, line: int) -> Cause | None:
    lead = re.match(r"^\*\*\s*([^*]+?)\s*\*\*\s*[:\-–—]?\s*(.*)$", body)
    if lead:
        title = _heading_name(lead.group(1))
        pattern = title
    else:
        title = _plain(body).rstrip(" .;:")
        pattern = title
    if not pattern.strip(" .!*-"):
        return None
    return Cause(title=_shorten(title, 200), pattern=pattern, text=body, line=line)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


# --- drafting -------------------------------------------------------------------


@dataclass
class Draft:
    """What importing produced: the flow's data (``None`` on failure), what was not mapped, and why it failed."""

    data: dict[str, Any] | None
    notes: list[Note]
    error: str | None = None
    sections: int = 0
    causes: int = 0

    def to_yaml(self, article_name: str) -> str:
        """The draft as a flow file, ready to review and save."""
        header = [
            MODELINE,
            f"# Draft imported from {article_name} by 'selfhelp import'. Review every node: the wording,",
            "# the questions and the error patterns are guesses from the article's structure.",
        ]
        return "\n".join(header) + "\n" + dump_yaml(self.data or {})


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so a draft reads like a hand-written flow."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a shared list written twice beats an anchor an author must learn to read


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: dict[str, Any]) -> str:
    """Flow data as YAML, keys in the order given."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def slug(text: str, fallback: str = "node") -> str:
    """An id made of lower-case words joined by -, at most 60 characters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)
    out = "-".join(words)[:60].strip("-")
    return out or fallback


class _Builder:
    """Builds the draft's nodes; each node carries its section's name and hash."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.nodes: dict[str, dict[str, Any]] = {}
        intro = article.section(INTRO)
        assert intro is not None
        self.intro = intro
        self.causes = 0

    def new_id(self, name: str) -> str:
        base = slug(name)
        candidate, n = base, 2
        while candidate in self.nodes:
            candidate, n = f"{base}-{n}", n + 1
        self.nodes[candidate] = {}
        return candidate

    def node(self, node_id: str, kind: str, section: Section, title: str | None, text: str, **rest: Any) -> None:
        data: dict[str, Any] = {"kind": kind, "source": section.name, "source_hash": section.hash}
        if title:
            data["title"] = _shorten(title, 200)
        data["text"] = text
        links = _inline_links(text)
        if links and "links" not in rest:
            data["links"] = links
        data.update({k: v for k, v in rest.items() if v is not None})
        self.nodes[node_id] = data

    def build(self) -> dict[str, Any]:
        article = self.article
        self.resolved = self.new_id("resolved")
        self.contact = self.new_id("contact-support")
        documents = article.section(DOCUMENTS)
        self.docs = self.new_id("recommended-documents") if article.links and documents else None
        self.fallback = self.docs or self.contact
        branches = self._branches()
        if branches:
            start = self.new_id("start")
            choices = [(name, self._branch(section, ns)) for name, section, ns in branches]
            self._start(start, choices)
        else:
            start = self._branch(self.intro, None, paste=True)
        self._ends(documents)
        return self._flow(start)

    def _branches(self) -> list[tuple[str, Section, Section | None]]:
        """Branch sections with the next-step section that follows each (a lone next step is a branch)."""
        found: list[tuple[str, Section, Section | None]] = []
        for section in self.article.sections:
            if section.kind == "branch":
                found.append((section.name, section, None))
            elif section.kind == "next_step":
                if found and found[-1][2] is None:
                    found[-1] = (found[-1][0], found[-1][1], section)
                else:
                    found.append((section.name, section, None))
        return found

    def _branch(self, section: Section, next_step: Section | None, *, paste: bool = False) -> str:
        causes, rest = find_causes(section)
        causes = _unique_patterns(causes)
        self.causes += len(causes)
        help_target = self._next_step(next_step) if next_step else self.fallback
        body = _tidy("\n".join(t for _, t in rest))
        node_id = self.new_id(section.name)
        if not causes:
            self._advice(node_id, section, body, help_target)
            return node_id
        choices = []
        for cause in causes:
            cause_id = self.new_id(cause.title)
            self.node(
                cause_id,
                "cause",
                section,
                cause.title,
                _tidy(cause.text) + "\n\n**Did this solve it?**",
                errors=[cause.pattern],
                choices=self._fixed(help_target),
            )
            choices.append({"label": _shorten(cause.title, 200), "goto": cause_id})
        if paste:
            choices.append({"label": "I have an error message to paste", "goto": self._paste(node_id)})
        choices.append({"label": "None of these", "goto": help_target})
        text = body + ("\n\n" if body else "") + "**Which of these matches what you see?**"
        self.node(node_id, "question", section, section.name, text, choices=choices)
        return node_id

    def _next_step(self, section: Section) -> str:
        node_id = self.new_id(section.name)
        self._advice(node_id, section, section.text, self.contact)
        return node_id

    def _advice(self, node_id: str, section: Section, body: str, otherwise: str) -> None:
        """A section's advice as a cause node that asks whether it solved the issue (else ``otherwise``)."""
        text = body + ("\n\n" if body else "") + "**Did this solve it?**"
        self.node(node_id, "cause", section, section.name, text, choices=self._fixed(otherwise))

    def _fixed(self, help_target: str) -> list[dict[str, str]]:
        return [
            {"label": "Yes, that fixed it", "goto": self.resolved},
            {"label": "No, I still need help", "goto": help_target},
        ]

    def _paste(self, back_to: str) -> str:
        node_id = self.new_id("paste-error")
        self.node(
            node_id,
            "match",
            self.intro,
            "Paste the error",
            "Paste the error message you see. We'll look for the matching cause.",
            no_match=back_to,
        )
        return node_id

    def _start(self, start: str, branches: list[tuple[str, str]]) -> None:
        choices = [{"label": _shorten(name, 200), "goto": goto} for name, goto in branches]
        if self.causes:
            choices.append({"label": "I have an error message to paste", "goto": self._paste(start)})
        choices.append({"label": "Something else", "goto": self.fallback})
        intro = self.intro.text
        intro = _tidy("\n".join(line for line in intro.split("\n")))
        text = intro + ("\n\n" if intro else "") + "**What is your issue about?**"
        title = self.article.title or self.article.properties.get("pageTitle") or "Start"
        self.node(start, "question", self.intro, title, text, choices=choices)

    def _ends(self, documents: Section | None) -> None:
        links = [{"title": t, "url": u} for t, u in _dedupe(self.article.links)]
        self.node(self.resolved, "outcome", self.intro, "Resolved", "Glad that solved it.", result="resolved", links=[])
        self.node(
            self.contact,
            "outcome",
            self.intro,
            "Contact support",
            "If this hasn't resolved your issue, please contact the support team.",
            result="contact_support",
            links=links or None,
        )
        if self.docs and documents is not None:
            self.node(
                self.docs,
                "question",
                documents,
                "Recommended documents",
                "These documents may answer your question.\n\n**Does one of them answer it?**",
                links=links,
                choices=[
                    {"label": "Yes, that answers it", "goto": self.resolved},
                    {"label": "No, I still need help", "goto": self.contact},
                ],
            )

    def _flow(self, start: str) -> dict[str, Any]:
        props = self.article.properties
        article_id = (props.get("articleId") or "").strip()
        title = (props.get("pageTitle") or "").strip() or self.article.title or article_id or "Imported article"
        source: dict[str, Any] = {"article_id": article_id or slug(title), "title": _shorten(title, 200)}
        for key, field_name in (("supportTopicIds", "support_topic_ids"), ("productPesIds", "product_ids")):
            ids = [p.strip() for p in (props.get(key) or "").split(",") if p.strip()]
            if ids:
                source[field_name] = ids
        ends = [n for n in (self.docs, self.resolved, self.contact) if n]
        middle = {k: v for k, v in self.nodes.items() if k != start and k not in ends}
        ordered = {start: self.nodes[start], **middle, **{k: self.nodes[k] for k in ends}}
        for data in ordered.values():
            if data.get("links") == []:
                del data["links"]
        return {
            "id": slug(article_id or title, "imported-flow"),
            "title": _shorten(title, 200),
            "description": _shorten(_plain(props.get("description") or ""), 1000),
            "version": DRAFT_VERSION,
            "source": source,
            "start": start,
            "nodes": ordered,
        }


def _inline_links(text: str) -> list[dict[str, str]]:
    return [{"title": _plain(t)[:200], "url": u} for t, u in _dedupe(_LINK.findall(text)) if _plain(t)]


def _dedupe(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for title, url in links:
        if url not in seen:
            seen.add(url)
            out.append((title, url))
    return out


def _unique_patterns(causes: list[Cause]) -> list[Cause]:
    first: dict[str, Cause] = {}
    for cause in causes:
        first.setdefault(cause.pattern.casefold(), cause)
    return list(first.values())


def build_draft(article: Article, *, path_name: str | None = None, form: list[dict[str, Any]] | None = None) -> Draft:
    """A draft flow from a parsed article; ``data`` is ``None`` (and ``error`` says why) when none can be made."""
    notes = list(article.notes)
    if article.error is not None:
        return Draft(data=None, notes=notes, error=article.error)
    builder = _Builder(article)
    data = builder.build()
    if path_name:
        data["source"]["path"] = path_name
    if form:
        contact = data["nodes"][builder.contact]
        contact["collect"] = _collect(form)
    branches = sum(1 for s in article.sections if s.kind in ("branch", "next_step"))
    if not branches:
        notes.append(Note(article.section(INTRO).line, "no bold sub-headings: the whole section is one step"))  # type: ignore[union-attr]
    if not builder.causes:
        notes.append(
            Note(
                0,
                "no list of causes found (a list after a line like '... several reasons:'): no error "
                "patterns, so no paste step",
            )
        )
    return Draft(data=data, notes=notes, sections=len(article.sections), causes=builder.causes)


def _collect(form: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contact-support fields from a scoping form's elements, in the form's order."""
    fields = []
    for element in sorted(form, key=lambda e: e.get("order") if isinstance(e.get("order"), int) else 10**6):
        field_id, label = element.get("id"), element.get("displayLabel")
        if isinstance(field_id, str) and field_id.strip() and isinstance(label, str) and label.strip():
            fields.append(
                {"field": field_id.strip(), "label": label.strip(), "required": element.get("required") is True}
            )
    return fields


def import_text(text: str, *, path_name: str | None = None, form: list[dict[str, Any]] | None = None) -> Draft:
    """Parse an article's text and draft a flow from it; never raises."""
    return build_draft(parse_article(text), path_name=path_name, form=form)
