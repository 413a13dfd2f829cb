"""From a self-help article to a draft flow.

:mod:`selfhelp.authoring.article` reads the article into sections and blocks; :func:`build_draft`
turns them into flow data that validates clean:

- each sub-heading (bold line, ``###``, a further ``##``) is a branch: the start question offers them
  (there is no start question when there is only one);
- in a branch, each paragraph or list item that stands for a case of its own is a node: bullets and
  paragraphs are alternatives (a question tells them apart by their lead-in or first sentence), numbered
  steps a procedure walked one step at a time; an item whose text introduces nested items ("... reasons:")
  is a question over them;
- guidance to wait ("within 5 business days") leads to a ``wait`` outcome; links are links; a
  "Next Step" section is where a branch's "still need help" goes; notes stay text.

Every node cites the block it mirrors (``source`` and ``source_block``) with that block's hash
(``source_hash``), which ``selfhelp drift`` compares later. :attr:`Draft.mapping` says what became
what, with article lines; :attr:`Draft.notes` what an author should know or review.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from selfhelp.authoring.article import (
    DOCUMENTS,
    INTRO,
    LINK,
    WARNING_LEADS,
    Article,
    Block,
    Note,
    Section,
    heading_name,
    parse_article,
    plain,
    read_article,
    section_hash,
    text_hash,
    tidy,
)
from selfhelp.base.unique import unique_by
from selfhelp.flow.schema import MODELINE

__all__ = [
    "DOCUMENTS",
    "INTRO",
    "Article",
    "Draft",
    "Mapped",
    "Note",
    "Section",
    "build_draft",
    "dump_yaml",
    "import_text",
    "parse_article",
    "read_article",
    "section_hash",
    "slug",
]

#: What a node cites: the article's section, and the block in it when there is one.
Cite = tuple[Section, Block | None]

DRAFT_VERSION = "0.1.0"
#: The longest choice label a draft writes; longer lead sentences are cut at a word (and noted).
LABEL_LIMIT = 90
MAX_ID = 60
#: The longest node id a draft makes from a title (ids name nodes in the file; they need not say it all).
NODE_ID = 40

#: A text that introduces a list of causes ("it could be for several reasons:").
_CAUSE_INTRO = re.compile(r"\b(reasons?|causes?|could be (?:for|due|because)|due to|why|scenarios?)\b", re.I)
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|fourteen|thirty|few|several)"
#: Guidance to wait: "within two (2) days", "wait 5 business days", "can take up to 48 hours".
_WAIT = re.compile(
    rf"\b(?:wait|allow|within|up to|takes?|take up to|after)\b(?![^.;]{{0,40}}?\b(?:previous|past|last|old)\b)"
    rf"[^.;]{{0,40}}?\b{_NUMBER}\b(?:\s*\(\d+\))?"
    r"\s*(?:-\s*\d+\s*)?(?:business |working |calendar )?(?:hours?|days?|weeks?|months?)\b",
    re.I,
)
#: A quoted error message inside a cause's text.
_QUOTED = re.compile(r"[\"“]([^\"”\n]{6,160})[\"”]")
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")


def slug(text: str, fallback: str = "node", limit: int = MAX_ID) -> str:
    """An id made of lower-case words joined by ``-``, at most ``limit`` characters, cut between words."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)
    out = ""
    for word in words:
        joined = f"{out}-{word}" if out else word
        if len(joined) > limit:
            break
        out = joined
    return out or (words[0][:limit] if words else fallback)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") or text[: limit - 1]
    return cut + "…"


@dataclass
class Mapped:
    """One row of the import report: a part of the article and the node it became."""

    line: int
    """First line of the part in the article."""
    end: int
    """Its last line."""
    what: str
    """What the part is (``bullet``, ``step``, ``paragraph``, ``sub-heading``, ...)."""
    node: str
    """The node's id."""
    kind: str
    """The node's kind, and for outcomes their result."""

    def format(self, display: str) -> str:
        """The row as ``file:line[-end]: what -> node (kind)``."""
        lines = f"{self.line}" if self.end <= self.line else f"{self.line}-{self.end}"
        return f"{display}:{lines}: {self.what} -> {self.kind} {self.node!r}"


@dataclass
class Draft:
    """What importing produced: the flow's data (``None`` on failure), what was not mapped, and why it failed."""

    data: dict[str, Any] | None
    notes: list[Note]
    error: str | None = None
    sections: int = 0
    causes: int = 0
    """How many distinct causes or scenarios got a node of their own."""
    mapping: list[Mapped] = field(default_factory=list)
    """What became what, in article order."""

    def to_yaml(self, article_name: str, schema: str | None = None) -> str:
        """The draft as a flow file, ready to review and save; ``schema`` is the path its modeline names
        (default: the repository's ``docs/flow.schema.json`` as seen from ``flows/``)."""
        header = [
            f"# yaml-language-server: $schema={schema}" if schema else MODELINE,
            f"# Draft imported from {article_name} by 'selfhelp import'. Review every node: the wording,",
            "# the questions and the error patterns are guesses from the article's structure.",
        ]
        return "\n".join(header) + "\n" + dump_yaml(self.data or {})

    def report(self, display: str) -> list[str]:
        """The import report: what became what, then what needs an author's review, with article lines."""
        out = [f"{display}: what became what"]
        out += [f"  {row.format(display)}" for row in sorted(self.mapping, key=lambda r: (r.line, r.node))]
        review = [n for n in self.notes if n.review]
        out.append(f"{display}: needs review ({len(review)})")
        out += [f"  {n.format(display)}" for n in sorted(review, key=lambda n: n.line)]
        return out


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


# --- reading the blocks of a section ----------------------------------------------------


def _introduces(block: Block) -> bool:
    """Whether a block's own text introduces a list ("... the following:")."""
    return plain(block.own_text).endswith(":")


def _is_cause_intro(block: Block | None) -> bool:
    return block is not None and _introduces(block) and bool(_CAUSE_INTRO.search(plain(block.own_text)))


def _waits(text: str) -> bool:
    return bool(_WAIT.search(plain(text)))


def _errors(block: Block, under_cause_intro: bool, label: str) -> list[str]:
    """Error patterns for a cause: its label when it is one of listed causes, and quoted error messages."""
    found = [label.rstrip("…").strip()] if under_cause_intro and label.strip(" .!*-…") else []
    own = plain(block.own_text)
    if re.search(r"\berror|message\b", own, re.I):
        found += [q.strip() for q in _QUOTED.findall(own) if q.strip()]
    return unique_by(found, str.casefold)


@dataclass
class _Label:
    """A short name for a block, and whether it had to be cut from a longer text."""

    text: str
    cut: bool


def _label(block: Block) -> _Label:
    """A block's lead-in (its bold start), else its first sentence, short enough for a choice."""
    own = block.own_text
    lead = re.match(r"^\*\*\s*([^*]+?)\s*\*\*", own)
    name = heading_name(lead.group(1)) if lead else ""
    if not name.strip(" .!*-…"):
        text = plain(own)
        sentence = _FIRST_SENTENCE.match(text)
        name = (sentence.group(1) if sentence else text).rstrip(" .:;").lstrip(" -–—:")
    if not name.strip(" .!*-…"):
        name = plain(block.text)[:LABEL_LIMIT] or "(empty)"
    short = _shorten(name, LABEL_LIMIT)
    return _Label(short, short != name or short != plain(own).rstrip(" .:;"))


# --- drafting ----------------------------------------------------------------------------


class _Builder:
    """Builds the draft's nodes; each node cites the block it mirrors, with that block's hash."""

    def __init__(self, article: Article, notes: list[Note]) -> None:
        self.article = article
        self.notes = notes
        self.nodes: dict[str, dict[str, Any]] = {}
        intro = article.section(INTRO)
        assert intro is not None
        self.intro = intro
        self.causes = 0
        self.mapping: list[Mapped] = []
        self.patterns = False
        self.seen_patterns: set[str] = set()
        """Error patterns given to a cause already: one pattern points at one cause."""
        self.labelled: set[int] = set()
        """Lines whose shortened label was noted already."""

    def new_id(self, name: str) -> str:
        base = slug(name, limit=NODE_ID)
        candidate, n = base, 2
        while candidate in self.nodes:
            candidate, n = f"{base}-{n}", n + 1
        self.nodes[candidate] = {}
        return candidate

    def node(
        self,
        node_id: str,
        kind: str,
        cite: tuple[Section, Block | None] | None,
        title: str | None,
        text: str,
        **rest: Any,
    ) -> None:
        """Add a node; ``cite`` is the section and block it mirrors (no block: the whole section)."""
        data: dict[str, Any] = {"kind": kind}
        if cite is not None:
            section, block = cite
            data["source"] = section.name
            if block is not None:
                data["source_block"] = block.number
            data["source_hash"] = block.hash if block is not None else section.hash
        if title:
            data["title"] = _shorten(title, 200)
            if data["title"] != title:
                line = (cite[1].line if cite[1] is not None else cite[0].line) if cite is not None else 0
                self.notes.append(
                    Note(line, f"node {node_id!r}: the title is cut to 200 characters: check it", review=True)
                )
        data["text"] = text
        links = _inline_links(text)
        if links and "links" not in rest:
            data["links"] = links
        data.update({k: v for k, v in rest.items() if v is not None})
        self.nodes[node_id] = data

    def mapped(self, block: Block | Section, what: str, node_id: str, kind: str) -> None:
        if isinstance(block, Section):
            end = max([block.line, *(n for n, _ in block.lines)])
            self.mapping.append(Mapped(block.line, end, what, node_id, kind))
        else:
            self.mapping.append(Mapped(block.line, block.last_line, what, node_id, kind))

    # --- the whole flow ---

    def build(self) -> str:
        """Build every node; return the start node's id."""
        article = self.article
        self.resolved = self.new_id("resolved")
        self.contact = self.new_id("contact-support")
        self.wait = self.new_id("wait")
        documents = article.section(DOCUMENTS)
        self.docs = self.new_id("recommended-documents") if article.links and documents else None
        self.fallback = self.docs or self.contact
        branches = self._branches()
        lead, units = _split(self.intro.blocks)
        if not branches:
            start = self._section(self.intro, None, lead_title=self._title(), paste=True)
        else:
            choices: list[tuple[str, str, int]] = []
            if units:
                # The steps before the first sub-heading are one more branch, named by the text that
                # introduces them ("... for several reasons:"); their lead goes with them, not at the start.
                intro = _intro_of(lead)
                name = self._label_of(intro).text if intro else "General steps"
                self.notes.append(
                    Note(
                        units[0].line,
                        f"the steps before the first sub-heading are offered at the "
                        f"start as {name!r}: check the answer",
                        review=True,
                    )
                )
                choices.append((name, self._section(self.intro, None, lead_title=name), units[0].line))
                lead = []
            for name, section, next_step in branches:
                target = self._section(section, next_step)
                if target and WARNING_LEADS.match(name) and section.blocks:
                    # "IMPORTANT" tells the cases apart from nothing: offer what the warning is about.
                    label = self._label_of(section.blocks[0])
                    self.notes.append(
                        Note(
                            section.line,
                            f"the {name!r} section is offered as {label.text!r}: check the answer",
                            review=True,
                        )
                    )
                    name = label.text
                if target:
                    choices.append((name, target, section.line))
            start = self._start(lead, choices) if len(choices) != 1 else choices[0][1]
        self._ends(documents)
        return start

    def _title(self) -> str:
        return self.article.title or self.article.properties.get("pageTitle") or "Start"

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

    def _start(self, lead: list[Block], choices: list[tuple[str, str, int]]) -> str:
        start = self.new_id("start")
        for name, _, line in choices:
            if len(name) > LABEL_LIMIT:
                self.notes.append(
                    Note(
                        line,
                        f"the sub-heading {name!r} is cut to {LABEL_LIMIT} characters as an answer: check it",
                        review=True,
                    )
                )
        fixed = [("I have an error message to paste", self._paste(start))] if self.patterns else []
        fixed.append(("Something else", self.fallback))
        named = [(_shorten(name, LABEL_LIMIT), goto, line) for name, goto, line in choices]
        options = self._distinct_labels(start, named, fixed)
        body = "\n\n".join(b.text for b in lead)
        text = body + ("\n\n" if body else "") + "**Which of these is your question about?**"
        cite = (self.intro, _intro_of(lead) or self.intro.heading())
        self.node(start, "question", cite, self._title(), text, choices=options)
        self.mapped(self.intro, "sub-headings", start, "question")
        return start

    # --- one section ---

    def _section(
        self,
        section: Section,
        next_step: Section | None,
        *,
        lead_title: str | None = None,
        paste: bool = False,
    ) -> str:
        """The node a section starts at ('' when the section holds nothing)."""
        help_target = self._next_step(next_step) if next_step else self.fallback
        lead, units = _split(section.blocks)
        title = lead_title or section.name
        if not units and not lead:
            self.notes.append(Note(section.line, f"the section {section.name!r} holds no text: no node"))
            return ""
        if _is_plain_list(units, intro=_intro_of(lead)):
            lead, units = [*lead, *units], []
        if not units:
            node_id = self.new_id(section.name)
            body = "\n\n".join(b.text for b in lead)
            self._advice(node_id, (section, None), title, body, help_target)
            self.mapped(section, "section", node_id, "cause")
            self.causes += 1
            return node_id
        intro = _intro_of(lead)
        if any(u.kind == "step" for u in units) and not _is_cause_intro(intro):
            return self._procedure(section, lead, units, help_target, title)
        return self._alternatives(section, lead, units, help_target, title, paste=paste)

    def _alternatives(
        self,
        section: Section,
        lead: list[Block],
        units: list[Block],
        help_target: str,
        title: str,
        *,
        paste: bool = False,
        parent: Block | None = None,
    ) -> str:
        """A question over cases that exclude each other: one node per case."""
        intro = _intro_of(lead)
        under_causes = _is_cause_intro(parent if parent is not None else intro)
        if len(units) == 1 and parent is None:
            return self._unit(section, units[0], help_target, under_causes, prefix=lead)
        node_id = self.new_id(title)
        options = [(self._label_of(u).text, self._unit(section, u, help_target, under_causes), u.line) for u in units]
        fixed = [("I have an error message to paste", self._paste(node_id))] if paste and self.patterns else []
        fixed.append(("None of these", help_target))
        choices = self._distinct_labels(node_id, options, fixed)
        if parent is not None:
            body, cite = parent.own_text, (section, parent)
        else:
            body = "\n\n".join(b.text for b in lead)
            cite = (section, intro or section.heading())
        text = body + ("\n\n" if body else "") + "**Which of these matches your situation?**"
        self.node(node_id, "question", cite, title, text, choices=choices)
        return node_id

    def _unit(
        self,
        section: Section,
        block: Block,
        help_target: str,
        under_causes: bool,
        prefix: list[Block] = (),  # type: ignore[assignment]
    ) -> str:
        """One case: a cause node with the block's text (a question when it introduces nested cases)."""
        label = self._label_of(block)
        if block.children and len(block.children) >= 2 and _introduces(block):
            self.causes += 1
            node_id = self._alternatives(section, [], block.children, help_target, label.text, parent=block)
            self.mapped(block, block.kind, node_id, "question")
            return node_id
        node_id = self.new_id(label.text)
        body = "\n\n".join([*(b.text for b in prefix), block.text])
        errors = [e for e in _errors(block, under_causes, label.text) if e.casefold() not in self.seen_patterns]
        self.seen_patterns.update(e.casefold() for e in errors)
        self.patterns = self.patterns or bool(errors)
        if _waits(block.text):
            self._wait(node_id, (section, block), label.text, body, help_target, errors=errors or None)
            self.mapped(block, block.kind, node_id, "cause (leads to wait)")
        else:
            self._advice(node_id, (section, block), label.text, body, help_target, errors=errors or None)
            self.mapped(block, block.kind, node_id, "cause")
        self.causes += 1
        return node_id

    def _procedure(self, section: Section, lead: list[Block], units: list[Block], help_target: str, title: str) -> str:
        """Numbered steps, one node each, walked in order; the last leads to ``help_target``."""
        steps: list[Block] = []
        for unit in units:
            if unit.kind in ("step", "bullet") or not steps:
                steps.append(unit)
            else:
                # A paragraph or note between steps is said at the step before it.
                self.notes.append(
                    Note(
                        unit.line,
                        f"text after step {len(steps)} is its own block: shown as a "
                        "step of the procedure; check the order",
                        review=True,
                    )
                )
                steps.append(unit)
        ids = [self.new_id(f"step {n} {self._label_of(s, note=False).text}") for n, s in enumerate(steps, start=1)]
        for n, (step, node_id) in enumerate(zip(steps, ids, strict=True), start=1):
            last = n == len(steps)
            label = self._label_of(step)
            body = "\n\n".join([*(b.text for b in lead if n == 1), f"**Step {n} of {len(steps)}**", step.text])
            on = help_target if last else ids[n]
            if _waits(step.text):
                self._wait(
                    node_id,
                    (section, step),
                    label.text,
                    body,
                    on,
                    otherwise_label=("No, I still need help" if last else "Next step"),
                )
                kind = "cause (leads to wait)"
            elif last:
                self._advice(node_id, (section, step), label.text, body, on)
                kind = "cause"
            else:
                if _is_decision(step):
                    # "If ..., then ...": the user says whether the case applies; the chain goes on if not.
                    choices = [
                        {"label": "This is my case, and that fixed it", "goto": self.resolved},
                        {"label": "This is my case, but I still need help", "goto": help_target},
                        {"label": "This is not my case: next step", "goto": on},
                    ]
                    text = body + "\n\n**Is this your case?**"
                    self.notes.append(
                        Note(
                            step.line,
                            f"step {n} is a decision point ('If ...'): asked as 'Is this your case?'; "
                            "check the answers",
                            review=True,
                        )
                    )
                else:
                    choices = [
                        {"label": "That fixed it", "goto": self.resolved},
                        {"label": "Done: next step", "goto": on},
                    ]
                    text = body + "\n\n**Did this solve it?**"
                self.node(node_id, "cause", (section, step), label.text, text, choices=choices)
                kind = "cause"
            self.mapped(step, step.kind, node_id, kind)
            self.causes += 1
        return ids[0]

    def _distinct_labels(
        self, node_id: str, options: list[tuple[str, str, int]], fixed: list[tuple[str, str]]
    ) -> list[dict[str, str]]:
        """A question's choices: the article's answers (label, target, article line), then the ``fixed`` ones.

        The validator refuses two answers of one question that read the same (ignoring case and outer
        spaces), so an answer that repeats an earlier one, or one of the fixed answers ("None of these"),
        gets the first free counter ("... (2)") that reads like no other answer of the question; the
        report's notes say so, for an author to name the cases apart.
        """
        fixed_keys = {_label_key(label) for label, _ in fixed}
        taken = fixed_keys | {_label_key(label) for label, _, _ in options}
        used: set[str] = set()
        out = []
        for label, goto, line in options:
            shown = label
            if _label_key(label) in used or _label_key(label) in fixed_keys:
                shown = _free_label(label, used | taken)
            if shown != label:
                self.notes.append(
                    Note(
                        line,
                        f"node {node_id!r}: the answer {label!r} reads like another answer of the same "
                        f"question: offered as {shown!r}; name the cases apart",
                        review=True,
                    )
                )
            used.add(_label_key(shown))
            out.append({"label": shown, "goto": goto})
        return out + [{"label": label, "goto": goto} for label, goto in fixed]

    def _label_of(self, block: Block, *, note: bool = True) -> _Label:
        label = _label(block)
        if label.cut and note and label.text.endswith("…") and block.line not in self.labelled:
            self.labelled.add(block.line)
            self.notes.append(
                Note(
                    block.line,
                    f"the answer and title {label.text!r} are cut from the "
                    "block's first sentence: check they tell the cases apart",
                    review=True,
                )
            )
        return label

    def _next_step(self, section: Section) -> str:
        node_id = self.new_id(section.name)
        self._advice(node_id, (section, None), section.name, section.text, self.contact)
        self.mapped(section, "next step", node_id, "cause")
        return node_id

    def _advice(
        self, node_id: str, cite: Cite, title: str, body: str, otherwise: str, errors: list[str] | None = None
    ) -> None:
        """Advice as a cause node that asks whether it solved the issue (else ``otherwise``)."""
        answers = [("Yes, that fixed it", self.resolved), ("No, I still need help", otherwise)]
        self._ask_after(node_id, cite, title, body, "Did this solve it?", answers, errors)

    def _wait(
        self,
        node_id: str,
        cite: Cite,
        title: str,
        body: str,
        otherwise: str,
        errors: list[str] | None = None,
        otherwise_label: str = "It has been longer than that",
    ) -> None:
        """Guidance to wait: the user waits (a ``wait`` outcome) or has waited long enough already."""
        answers = [("No: I'll wait", self.wait), (otherwise_label, otherwise)]
        self._ask_after(node_id, cite, title, body, "Has the time the article gives already passed?", answers, errors)

    def _ask_after(
        self,
        node_id: str,
        cite: Cite,
        title: str,
        body: str,
        question: str,
        answers: list[tuple[str, str]],
        errors: list[str] | None,
    ) -> None:
        """A cause node: the article's words (``body``, else the title), then ``question`` with its answers."""
        text = f"{body or title}\n\n**{question}**"
        choices = [{"label": label, "goto": goto} for label, goto in answers]
        self.node(node_id, "cause", cite, title, text, errors=errors, choices=choices)

    def _paste(self, back_to: str) -> str:
        node_id = self.new_id("paste-error")
        self.node(
            node_id,
            "match",
            None,
            "Paste the error",
            "Paste the error message you see. We'll look for the matching cause.",
            no_match=back_to,
        )
        return node_id

    def _ends(self, documents: Section | None) -> None:
        links = [{"title": t, "url": u} for t, u in _dedupe(self.article.links)]
        self.node(self.resolved, "outcome", None, "Resolved", "Glad that solved it.", result="resolved", links=[])
        self.node(
            self.wait,
            "outcome",
            None,
            "Wait",
            "Give it the time the article gives, then come back if it is still not solved.",
            result="wait",
            links=[],
        )
        cite = (documents, None) if documents is not None and links else None
        self.node(
            self.contact,
            "outcome",
            cite,
            "Still not solved",
            "If this hasn't resolved your issue, please contact the support team.",
            result="contact_support",
            links=links or None,
        )
        if self.docs and documents is not None:
            self.node(
                self.docs,
                "question",
                (documents, None),
                "Recommended documents",
                "These documents may answer your question.\n\n**Does one of them answer it?**",
                links=links,
                choices=[
                    {"label": "Yes, that answers it", "goto": self.resolved},
                    {"label": "No, I still need help", "goto": self.contact},
                ],
            )
            self.mapped(documents, "documents", self.docs, "question")


def _is_decision(step: Block) -> bool:
    """Whether a step is a decision point: it starts with a condition ("If ...", "In case ...")."""
    return plain(step.own_text).casefold().startswith(("if ", "in case "))


def _is_plain_list(units: list[Block], intro: Block | None) -> bool:
    """Whether the units are a list of short facts or examples ("- Annual report"), not cases to tell apart.

    Such a list reads as one piece of advice: its items have no lead-in, no nested items and no sentence of
    their own, and nothing introduces them as causes.
    """
    if len(units) < 2 or _is_cause_intro(intro):
        return False
    texts = [plain(u.own_text).rstrip(".") for u in units]
    return (
        all(
            u.kind == "bullet" and not u.children and not u.own_text.startswith("**") and len(t) <= 100 and "." not in t
            for u, t in zip(units, texts, strict=True)
        )
        and sum(len(t) for t in texts) / len(texts) <= 45
    )


def _intro_of(lead: list[Block]) -> Block | None:
    """The paragraph that introduces a section's list: the last paragraph before it (notes aside)."""
    return next((b for b in reversed(lead) if b.kind == "paragraph"), None)


def _split(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """A section's lead (paragraphs and notes before its first list, or all of them when one paragraph
    introduces a list) and its units (the blocks that each stand for a case or a step)."""
    first_item = next((i for i, b in enumerate(blocks) if b.kind in ("bullet", "step")), None)
    if first_item is None:
        paragraphs = [b for b in blocks if b.kind == "paragraph"]
        if len(paragraphs) <= 1:
            return blocks, []
        notes = [b for b in blocks if b.kind == "note"]
        return notes, paragraphs
    lead = blocks[:first_item]
    units = [b for b in blocks[first_item:] if b.kind != "note"]
    notes = [b for b in blocks[first_item:] if b.kind == "note"]
    # A closing paragraph after the list ("If this does not help, ...") is part of the last case's advice
    # in Markdown's eyes, but a case of its own for the user: keep it a unit.
    return lead + notes, units


def _label_key(label: str) -> str:
    """What the validator compares when it looks for two answers that read the same."""
    return label.strip().casefold()


def _free_label(label: str, avoid: set[str]) -> str:
    """``label`` with the first counter ("... (2)", "... (3)") whose key is not in ``avoid``."""
    n = 2
    while _label_key(f"{label} ({n})") in avoid:
        n += 1
    return f"{label} ({n})"


def _inline_links(text: str) -> list[dict[str, str]]:
    return [{"title": plain(t)[:200], "url": u} for t, u in _dedupe(LINK.findall(text)) if plain(t)]


def _dedupe(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for title, url in links:
        if url not in seen:
            seen.add(url)
            out.append((title, url))
    return out


def _reachable(nodes: dict[str, dict[str, Any]], start: str) -> list[str]:
    """The ids reachable from ``start``, so a draft holds no node nothing leads to."""
    seen, todo = {start}, [start]
    while todo:
        data = nodes[todo.pop()]
        targets = [c["goto"] for c in data.get("choices", [])]
        targets += [data[k] for k in ("next", "no_match") if isinstance(data.get(k), str)]
        if data.get("kind") == "match":
            targets += [nid for nid, n in nodes.items() if n.get("errors")]
        for target in targets:
            if target not in seen and target in nodes:
                seen.add(target)
                todo.append(target)
    return [nid for nid in nodes if nid in seen]


def _flow_fields(article: Article, path_name: str | None, notes: list[Note]) -> dict[str, Any]:
    """The flow's id, title, description and source, from the header, the title and the file name."""
    props = article.properties
    article_id = (props.get("articleId") or "").strip()
    title = (props.get("pageTitle") or "").strip() or article.title or article_id or "Imported article"
    if len(title) > 200:
        notes.append(Note(1, f"the title is {len(title)} characters: cut to 200 in the draft", review=True))
    stem = path_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] if path_name else ""
    flow_id = slug(stem or article_id or title, "imported-flow")
    if len("-".join(re.findall(r"[a-z0-9]+", stem.lower()))) > MAX_ID:
        notes.append(Note(0, f"the file name is longer than {MAX_ID} characters: the flow id is {flow_id!r}"))
    description = (props.get("description") or "").strip()
    if description and plain(description).casefold() == plain(title).casefold():
        notes.append(Note(1, "the description repeats the title: left out so it is not shown twice"))
        description = ""
    source: dict[str, Any] = {"article_id": article_id or slug(title), "title": _shorten(title, 200)}
    for key, field_name in (("supportTopicIds", "support_topic_ids"), ("productPesIds", "product_ids")):
        ids = [p.strip() for p in (props.get(key) or "").split(",") if p.strip()]
        if ids:
            source[field_name] = ids
    if path_name:
        source["path"] = path_name
    metadata = article.metadata()
    if metadata:
        source["metadata"] = metadata
    fields: dict[str, Any] = {"id": flow_id, "title": _shorten(title, 200)}
    if description:
        fields["description"] = _shorten(description, 1000)
    return {**fields, "version": DRAFT_VERSION, "source": source}


def build_draft(article: Article, *, path_name: str | None = None, form: list[dict[str, Any]] | None = None) -> Draft:
    """A draft flow from a parsed article; ``data`` is ``None`` (and ``error`` says why) when none can be made."""
    notes = list(article.notes)
    if article.error is not None:
        return Draft(data=None, notes=notes, error=article.error)
    builder = _Builder(article, notes)
    start = builder.build()
    if form:
        builder.nodes[builder.contact]["collect"] = _collect(form)
    order = _reachable(builder.nodes, start)
    ends = [n for n in (builder.docs, builder.resolved, builder.wait, builder.contact) if n in order]
    nodes = {start: builder.nodes[start]}
    nodes.update({k: builder.nodes[k] for k in order if k != start and k not in ends})
    nodes.update({k: builder.nodes[k] for k in ends})
    for data in nodes.values():
        if data.get("links") == []:
            del data["links"]
    data = {**_flow_fields(article, path_name, notes), "start": start, "nodes": nodes}
    if not builder.patterns:
        notes.append(
            Note(
                0,
                "no error messages found (a list after '... several reasons:', or a quoted error): "
                "no error patterns, so no paste step",
            )
        )
    notes.sort(key=lambda n: (n.line == 0, n.line))  # article order; notes on the whole article last
    mapping = [m for m in builder.mapping if m.node in nodes]
    return Draft(data=data, notes=notes, sections=len(article.sections), causes=builder.causes, mapping=mapping)


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


# Kept for callers of earlier versions: tidy text and block hashes live in the article module.
__all__ += ["text_hash", "tidy"]
