"""What agent mode does beyond the partner's conversation: jump to a node, search every flow.

Plain Python, no Textual: the screens call these and render the results.
"""

from __future__ import annotations

from dataclasses import dataclass

from selfhelp.base.text import fold
from selfhelp.flow.catalog import Catalog
from selfhelp.flow.models import CauseNode, Flow
from selfhelp.matcher import FuzzyMatcher, default_matcher
from selfhelp.session.engine import Session

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
        SearchHit(c.flow, c.node, c.title, "cause", f"error {result.verdict}: {c.pattern}", from_error=True)
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
