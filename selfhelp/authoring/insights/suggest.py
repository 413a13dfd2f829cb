"""Candidate error patterns from what partners pasted: a YAML snippet for the flow's author, never applied."""

from __future__ import annotations

import json

from selfhelp.authoring.insights.collect import Insights
from selfhelp.flow.models import Flow

#: Candidates listed per cause.
MAX_PER_CAUSE = 5


def suggest_patterns(insights: Insights, flow: Flow) -> str:
    """A YAML snippet: for each cause of ``flow``, the ``errors:`` its saved pastes suggest, with counts.

    Each pattern is the commonest wording of a cluster of pastes that ended at the cause though the
    matcher did not place them there with confidence; variable parts are always masked (a pattern
    should not carry one partner's GUID). Nothing is written to the flow: the author reviews the snippet.
    """
    found = insights.pattern_candidates(flow)
    lines = [
        f"# Candidate error patterns for flow {flow.id}, from saved sessions (selfhelp report).",
        "# Each is what partners pasted before they ended up at the cause, though the matcher did not",
        "# place it there with confidence. Review each, then copy the ones that fit into the cause's",
        "# errors: list. Nothing here is applied automatically.",
    ]
    if not found:
        lines.append("# No unmatched or corrected pastes led to a cause of this flow.")
        return "\n".join(lines) + "\n"
    lines.append("nodes:")
    for cause, candidates in found.items():
        node = flow.nodes.get(cause)
        title = (node.title if node is not None else None) or cause
        lines += [f"  {cause}:  # {_comment(title)}", "    errors:"]
        for candidate in candidates[:MAX_PER_CAUSE]:
            how = f"{candidate.unmatched} unmatched, {candidate.picked} picked from 'did you mean'"
            lines.append(f"      # {candidate.count} paste(s) ended here ({how})")
            lines.append(f"      - {json.dumps(candidate.pattern, ensure_ascii=False)}")
        if len(candidates) > MAX_PER_CAUSE:
            lines.append(f"      # ... and {len(candidates) - MAX_PER_CAUSE} rarer message(s)")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    """``text`` fit for a YAML comment: one line."""
    return " ".join(text.split())
