"""What an error match returns, and the plain matcher the engine uses by default.

The plain matcher finds a cause when one of its error patterns appears in the
pasted text (or the text in a pattern), after folding case and spaces. It keeps
the engine runnable end to end; a fuzzy matcher can take its place through the
:class:`Matcher` protocol.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from selfhelp.base.text import fold
from selfhelp.flow.models import CauseNode, Flow, MatchNode

Verdict = Literal["match", "ambiguous", "none"]

#: A query shorter than this (after folding) is never matched inside a pattern.
MIN_FRAGMENT = 12
#: Queries are cut to this many characters before matching.
MAX_QUERY_CHARS = 4_000


class MatchCandidate(BaseModel):
    """One cause an error message may point at."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    flow: str
    """The id of the flow the cause belongs to."""
    node: str
    """The id of the cause node."""
    title: str
    """The cause's title (or id when it has none)."""
    score: float
    """How close the message is to the pattern, 0-100."""
    pattern: str
    """The error pattern that matched best."""
    params: dict[str, list[str]] = {}
    """Variable parts found in the message (GUIDs, domains, ...), by kind."""
    words: list[str] = []
    """The pattern's words found in the message (why it matched), if the matcher reports them."""


class MatchResult(BaseModel):
    """The verdict on one pasted message, with the candidates behind it, best first."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    query: str
    """The message as matched (after truncation)."""
    verdict: Verdict
    """match (confident), ambiguous (a few close candidates) or none."""
    matches: list[MatchCandidate] = []
    """The candidates, best first: one for match, two or three for ambiguous."""
    notice: str | None = None
    """Something the user should know, such as that a long paste was cut."""
    params: dict[str, list[str]] = {}
    """Variable parts found in the message (GUIDs, domains, ...), by kind, whatever the verdict."""


class Matcher(Protocol):
    """Anything that can match a pasted message against a flow's causes."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        """Match ``text`` against the error patterns of ``candidates`` (default: every cause)."""
        ...


def candidate_causes(flow: Flow, node: MatchNode | None = None) -> list[tuple[str, CauseNode]]:
    """The cause nodes a match step matches against: its candidates, or every cause with patterns."""
    causes = [(nid, c) for nid, c in flow.causes() if c.errors]
    if node is not None and node.candidates is not None:
        wanted = set(node.candidates)
        causes = [(nid, c) for nid, c in causes if nid in wanted]
    return causes


def truncate(text: str) -> tuple[str, str | None]:
    """Cut a long paste, saying so."""
    if len(text) <= MAX_QUERY_CHARS:
        return text, None
    return text[:MAX_QUERY_CHARS], f"Only the first {MAX_QUERY_CHARS:,} of {len(text):,} characters were matched."


class SubstringMatcher:
    """Exact and substring matching of folded text: the engine's default until a better one is given."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        """See :class:`Matcher`."""
        query, notice = truncate(text)
        folded = fold(query)
        found: list[MatchCandidate] = []
        for nid, cause in flow.causes():
            if candidates is not None and nid not in candidates:
                continue
            best = self._best(folded, cause.errors)
            if best is not None:
                score, pattern = best
                found.append(
                    MatchCandidate(flow=flow.id, node=nid, title=cause.title or nid, score=score, pattern=pattern)
                )
        found.sort(key=lambda c: -c.score)
        if not found:
            return MatchResult(query=query, verdict="none", notice=notice)
        top = [c for c in found if c.score == found[0].score]
        verdict: Verdict = "match" if len(top) == 1 else "ambiguous"
        return MatchResult(
            query=query, verdict=verdict, matches=found[:1] if verdict == "match" else top[:3], notice=notice
        )

    @staticmethod
    def _best(folded: str, patterns: list[str]) -> tuple[float, str] | None:
        best: tuple[float, str] | None = None
        for pattern in patterns:
            fp = fold(pattern)
            if not fp:
                continue
            if fp == folded:
                score = 100.0
            elif fp in folded:
                score = 90.0
            elif len(folded) >= MIN_FRAGMENT and folded in fp:
                score = 80.0
            else:
                continue
            if best is None or score > best[0]:
                best = (score, pattern)
        return best
