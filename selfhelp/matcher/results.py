"""What an error match returns, and what every matcher shares.

:class:`MatchResult` is the verdict the session engine, the TUI and ``selfhelp match``
read; :class:`Matcher` is the protocol the engine matches through (the default is
:class:`selfhelp.matcher.matcher.FuzzyMatcher`; tests pass simpler fakes), and
:class:`CatalogMatcher` the one it routes between flows with.
:func:`truncate` bounds a paste before matching.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from selfhelp.flow.models import Flow

Verdict = Literal["match", "ambiguous", "none"]

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
    readings: list[str] = []
    """Words of the message the flow's vocabulary read as another phrase ("PoE = proof of execution")."""


class Matcher(Protocol):
    """Anything that can match a pasted message against a flow's causes."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        """Match ``text`` against the error patterns of ``candidates`` (default: every cause)."""
        ...


@runtime_checkable
class CatalogMatcher(Matcher, Protocol):
    """A matcher that can also tell which of several flows a message belongs to (for routing between flows)."""

    def match_flows(self, flows: Iterable[Flow], text: str) -> MatchResult:
        """Match ``text`` against every cause of every flow; each candidate names its flow."""
        ...


def truncate(text: str) -> tuple[str, str | None]:
    """Cut a long paste, saying so."""
    if len(text) <= MAX_QUERY_CHARS:
        return text, None
    return text[:MAX_QUERY_CHARS], f"Only the first {MAX_QUERY_CHARS:,} of {len(text):,} characters were matched."
