"""What agent mode does beyond the partner's conversation: jump to a node, search every flow.

Plain Python, no Textual: the screens call these and render the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selfhelp.base.text import fold
from selfhelp.flow.catalog import Catalog
from selfhelp.flow.models import CauseNode, Flow, MatchNode
from selfhelp.matcher import FuzzyMatcher, default_matcher
from selfhelp.matcher.results import MatchResult
from selfhelp.session.engine import Route, Session

#: How many search results to show at most.
MAX_HITS = 40


def jump(session: Session, node_id: str, *, store: str | None = None, value: str | None = None) -> bool:
    """Move the session to ``node_id``, keeping ``value`` under ``store`` if given; ``False`` if the flow has
    no such node (see ``Session.jump``)."""
    return session.jump(node_id, store=store, value=value).ok


@dataclass(frozen=True)
class SearchHit:
    """One node found by a search."""

    flow_id: str
    node_id: str
    title: str
    kind: str
    why: str
    """What matched: the pasted error (with the verdict), or the node's words."""
    from_error: bool = False
    """Found by matching the query as an error message (a cause): the query is the partner's error."""
    match: MatchResult | None = field(default=None, compare=False)
    """For a hit found from an error, what the matcher found (it pre-fills values, as a routed paste does)."""


def error_store(flow: Flow, node_id: str) -> str | None:
    """The name ``flow`` keeps a pasted error under, for a cause found from one: the ``store`` of the
    match step that can lead to ``node_id``, else of the flow's first match step; ``None`` without one.

    A cause a search found was not reached through the flow's paste step, yet
    the flow asks for the message later (a support form's description) from
    that step's value: keeping the paste under it means it is not asked again.
    """
    steps = [node for node in flow.nodes.values() if isinstance(node, MatchNode)]
    for step in steps:
        if any(nid == node_id for nid, _ in flow.candidate_causes(step)):
            return step.store
    return steps[0].store if steps else None


def route_to(catalog: Catalog, hit: SearchHit, pasted: str) -> Route | None:
    """The way to a hit in another flow, carrying ``pasted`` when the hit was found from it as an error
    (what routing a paste between flows carries: see ``Session.follow``); ``None`` if the flow is gone."""
    loaded = catalog.get(hit.flow_id)
    if loaded is None:
        return None
    flow = loaded.flow
    text = pasted.strip() if hit.from_error else ""
    return Route(
        flow=flow.id,
        flow_title=flow.title,
        node=hit.node_id,
        node_title=hit.title,
        text=text or None,
        store=error_store(flow, hit.node_id) if text else None,
        match=hit.match if text else None,
    )


def _node_words(node_id: str, node: object) -> str:
    parts = [node_id, getattr(node, "title", None) or "", getattr(node, "text", "")]
    if isinstance(node, CauseNode):
        parts.extend(node.errors)
    return fold(" ".join(parts))


def search(catalog: Catalog, query: str, matcher: FuzzyMatcher | None = None) -> list[SearchHit]:
    """Nodes of every flow for ``query``: the causes a pasted error is routed to across every flow
    (one verdict, as ``selfhelp match`` gives it), then the nodes holding every word of the query."""
    query = query.strip()
    if not query:
        return []
    flows: list[Flow] = [lf.flow for _, lf in sorted(catalog.flows.items())]
    result = (matcher or default_matcher()).match_flows(flows, query)
    hits = [
        SearchHit(
            c.flow, c.node, c.title, "cause", f"error {result.verdict}: {c.pattern}", from_error=True, match=result
        )
        for c in result.matches
    ]
    seen = {(h.flow_id, h.node_id) for h in hits}
    words = fold(query).split()
    for flow in flows:
        for node_id, node in flow.nodes.items():
            if (flow.id, node_id) in seen:
                continue
            haystack = _node_words(node_id, node)
            if all(w in haystack for w in words):
                hits.append(SearchHit(flow.id, node_id, node.title or node_id, node.kind, "words"))
    return hits[:MAX_HITS]
