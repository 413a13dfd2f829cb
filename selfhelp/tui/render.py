"""Turning steps into what the screens show: Markdown for steps, short texts for notices.

No Textual here: these are plain functions over the engine's
:class:`~selfhelp.session.step.StepView` and :class:`~selfhelp.matcher.results.MatchResult`,
tested without an app. Nothing here imports the engine or the models at load time:
the first question is painted (from the first-paint cache) before they are imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len

from selfhelp.base.text import md_escape, shown

if TYPE_CHECKING:
    from selfhelp.matcher.results import MatchResult
    from selfhelp.session.engine import Session
    from selfhelp.session.step import StepView

#: How each outcome is announced (by ``OutcomeResult`` value): a symbol and words, so meaning never rests on colour.
OUTCOME_BANNERS: dict[str, str] = {
    "resolved": "✔ Resolved",
    "contact_support": "✉ Contact support",
    "wait": "⏳ Wait",
    "redirect": "↪ Another topic",
}


def step_markdown(view: StepView, *, agent: bool = False) -> str:
    """The Markdown of one step: heading, body, links (and, for agents, the article section).

    A step waiting for a "did you mean" pick asks that question instead.
    """
    if view.pending is not None:
        return pending_markdown()
    parts: list[str] = []
    title = md_escape(view.title) if view.title else ""
    if view.outcome is not None:
        banner = OUTCOME_BANNERS[view.outcome]
        parts.append(f"## {banner}" + (f": {title}" if title else ""))
    elif title:
        parts.append(f"### {title}")
    if view.text.strip():
        parts.append(shown(view.text).strip())
    if view.links:
        parts.append("\n".join(f"- {md_escape(link.title)}: <{link.url}>" for link in view.links))
    if agent:
        where = f"node `{view.node_id}` ({view.kind})"
        if view.source:
            where += f" · article section: {md_escape(view.source)}"
        parts.append(f"*{where}*")
    return "\n\n".join(parts)


def pending_markdown(result: MatchResult | None = None) -> str:
    """The "did you mean" question asked when a pasted message fits several causes."""
    return "### Did you mean one of these?\n\nThat message fits more than one known cause. **Which one is closest?**"


def match_notice(result: MatchResult) -> str:
    """One line on what the matcher made of a pasted message."""
    if result.verdict == "match" and result.matches:
        best = result.matches[0]
        text = f"Matched a known error: {best.title} (pattern: “{best.pattern}”)."
        params = "; ".join(f"{kind}: {', '.join(values)}" for kind, values in best.params.items() if values)
        if params:
            text += f" Found {params}."
    elif result.verdict == "ambiguous":
        text = f"That message fits {len(result.matches)} known causes."
    else:
        text = "No known error matches that message. A few questions will narrow it down."
    if result.notice:
        text += f" {result.notice}"
    return text


def breadcrumb(session: Session, width: int) -> str:
    """The path so far as ``A › B › C``, cut from the left with ``…`` to fit ``width`` cells."""
    return fit_crumbs([session.flow.nodes[v.node].title or v.node for v in session.path()], width)


def fit_crumbs(titles: Sequence[str], width: int) -> str:
    """Step titles as ``A › B › C``, cut from the left with ``…`` to fit ``width`` cells."""
    crumbs = [shown(title) for title in titles]
    text = " › ".join(crumbs)
    # Widths in terminal cells, not characters: a CJK character or an emoji takes two.
    while len(crumbs) > 1 and cell_len(text) > width:
        crumbs.pop(0)
        text = "… › " + " › ".join(crumbs)
    if cell_len(text) > width > 1:
        text = _cut(text, width - 1) + "…"
    return text


def _cut(text: str, cells: int) -> str:
    """The longest start of ``text`` that fits ``cells`` terminal cells (a wide character is not split)."""
    used = 0
    for end, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:end]
    return text
