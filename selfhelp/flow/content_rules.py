"""Rules about what one node says, read from the raw (possibly invalid) data of a flow.

The graph rules (:mod:`selfhelp.flow.validate`) look at where nodes lead; these look at a node's own
content for one-mistake flows that load and run but do not do what the author meant:

- ``duplicate-choice-label``: two answers of one question read the same, and picking by label (a
  scenario file, a recorded session, a typed answer) always takes the first;
- ``cause-no-text``: a cause that explains nothing;
- ``next-no-fallback``: every branch of a ``next:`` list has a condition, so an answer that meets
  none of them leads nowhere ("The flow has no way on from this step for that answer");
- ``choices-same-target``: every answer of a question leads to the same node and none is kept, so
  asking changes nothing;
- ``source-unknown``: a node's ``source`` names a section its article does not have (only checked
  when the caller can find the article and name its sections: see :data:`SectionLookup`).

Like :mod:`selfhelp.flow.graph`, everything here tolerates malformed data: what is malformed is the
schema check's to report.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Path_ = tuple[str | int, ...]

#: The names of the sections of the article a flow mirrors, given the flow's file and its
#: ``source.path``; ``None`` when the article cannot be found or read (then nothing is checked).
#: The flow layer cannot read articles (that is :mod:`selfhelp.authoring`); a caller above it passes one in.
SectionLookup = Callable[[Path, str], Collection[str] | None]


@dataclass(frozen=True)
class Finding:
    """One problem found: the rule, where, what, and how to fix it."""

    rule: str
    """The rule's id (see :mod:`selfhelp.flow.rules`)."""
    path: Path_
    """Where in the flow's data: the position reported is this value's."""
    message: str
    """What is wrong, in a line."""
    hint: str | None = None
    """How to fix it."""
    prefer_key: bool = False
    """Point at the key that introduces ``path`` rather than at its value."""
    closest_of: tuple[str, tuple[str, ...]] | None = None
    """A word and the known words: the checker turns them into a did-you-mean hint, if one is close."""


def _as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _nodes(data: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for node_id, raw in _as_dict(_as_dict(data).get("nodes")).items():
        if isinstance(raw, Mapping):
            yield str(node_id), raw


def check_content(data: Any) -> list[Finding]:
    """Every content problem of every node, in file order."""
    findings: list[Finding] = []
    for node_id, raw in _nodes(data):
        findings += _duplicate_labels(node_id, raw)
        findings += _cause_text(node_id, raw)
        findings += _next_fallback(node_id, raw)
        findings += _same_target(node_id, raw)
    return findings


def _duplicate_labels(node_id: str, raw: Mapping[str, Any]) -> list[Finding]:
    """Two choices whose labels read the same (the engine compares labels ignoring case)."""
    findings: list[Finding] = []
    seen: dict[str, tuple[int, Any]] = {}
    for i, choice in enumerate(_as_list(raw.get("choices"))):
        label = _as_dict(choice).get("label")
        if not isinstance(label, str) or not label.strip():
            continue
        key = label.strip().casefold()
        when = _as_dict(choice).get("when")
        if key in seen:
            first, first_when = seen[key]
            # Two choices offered under different conditions may never show together: let them be.
            if first_when is not None and when is not None and first_when != when:
                continue
            findings.append(
                Finding(
                    "duplicate-choice-label",
                    ("nodes", node_id, "choices", i, "label"),
                    f"node {node_id!r} offers the answer {label!r} twice (first as choice {first + 1})",
                    "give each choice its own label: picking by label always takes the first",
                )
            )
        else:
            seen[key] = (i, when)
    return findings


def _cause_text(node_id: str, raw: Mapping[str, Any]) -> list[Finding]:
    text = raw.get("text", "")
    if raw.get("kind") != "cause" or not isinstance(text, str) or text.strip():
        return []
    return [
        Finding(
            "cause-no-text",
            ("nodes", node_id, "text") if "text" in raw else ("nodes", node_id),
            f"cause node {node_id!r} has no text",
            "say in text: what the cause is and what to do about it",
            prefer_key=True,
        )
    ]


def _next_fallback(node_id: str, raw: Mapping[str, Any]) -> list[Finding]:
    branches = _as_list(raw.get("next"))
    if not branches or any(not _as_dict(b).get("when") for b in branches):
        return []
    if _exhaustive([_as_dict(_as_dict(b).get("when")) for b in branches]):
        return []
    return [
        Finding(
            "next-no-fallback",
            ("nodes", node_id, "next"),
            f"every branch of next: of node {node_id!r} has a condition: an answer that meets none leads nowhere",
            "end the list with a branch without when: (goto: only), taken when no other holds",
            prefer_key=True,
        )
    ]


def _exhaustive(conditions: list[Mapping[str, Any]]) -> bool:
    """Whether two of the conditions are plainly each other's opposite, so one of them always holds:
    ``is_set: true`` and ``is_set: false``, or ``equals: X`` and ``not_equals: X``, on the same value."""
    tests: set[tuple[Any, str, Any]] = set()
    for cond in conditions:
        name = cond.get("value")
        for test in ("is_set", "equals", "not_equals"):
            given = cond.get(test)
            if isinstance(given, str):
                given = given.casefold()  # conditions compare text ignoring case
            if isinstance(given, (str, bool)) and isinstance(name, str):  # anything else is malformed
                tests.add((name, test, given))
    for name, test, given in tests:
        if test == "is_set" and given is True and (name, "is_set", False) in tests:
            return True
        if test == "equals" and (name, "not_equals", given) in tests:
            return True
    return False


def _same_target(node_id: str, raw: Mapping[str, Any]) -> list[Finding]:
    gotos = [_as_dict(c).get("goto") for c in _as_list(raw.get("choices"))]
    if not all(isinstance(g, str) for g in gotos):
        return []  # a choice without a goto (or with a malformed one) is another rule's to report
    if len(gotos) < 2 or len(set(gotos)) != 1 or raw.get("store") is not None:
        return []
    target = gotos[0]
    return [
        Finding(
            "choices-same-target",
            ("nodes", node_id, "choices"),
            f"every answer of node {node_id!r} leads to {target!r}, and none is kept: asking changes nothing",
            "lead the answers to different nodes, keep the answer with store:, or make the step a cause with next:",
            prefer_key=True,
        )
    ]


def check_sources(data: Any, flow_file: Path, sections: SectionLookup) -> list[Finding]:
    """Every node whose ``source`` names a section the flow's article does not have.

    Nothing is reported when the flow names no ``source.path`` or the article cannot be found:
    ``selfhelp drift`` (and the author) decide which article a flow mirrors, not this check.
    """
    article = _as_dict(_as_dict(data).get("source")).get("path")
    if not isinstance(article, str) or not article.strip():
        return []
    names = sections(flow_file, article)
    if names is None:
        return []
    known = tuple(names)
    findings: list[Finding] = []
    for node_id, raw in _nodes(data):
        source = raw.get("source")
        if isinstance(source, str) and source not in names:
            findings.append(
                Finding(
                    "source-unknown",
                    ("nodes", node_id, "source"),
                    f"node {node_id!r} mirrors the section {source!r}, which {Path(article).name} does not have",
                    "use a section name as 'selfhelp drift --hashes' lists them",
                    closest_of=(source, known),
                )
            )
    return findings
