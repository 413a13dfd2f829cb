"""Insights for flow owners: what saved sessions show about a flow (``selfhelp report``).

Outcomes and the deflection rate, where partners give up, the paths to each outcome,
the causes reached and how, what the matcher said to the pastes, and the pastes it
did not place, clustered, with candidate error patterns for the flow's author.
Plain Python: the command renders a :class:`Report` as a table, JSON or an HTML page,
the app as its Insights screen.
"""

from selfhelp.authoring.insights.collect import Filters, Insights, PatternCandidate, build_insights, shown_paste
from selfhelp.authoring.insights.model import Report
from selfhelp.authoring.insights.reading import session_files, session_folders
from selfhelp.authoring.insights.suggest import suggest_patterns

__all__ = [
    "Filters",
    "Insights",
    "PatternCandidate",
    "Report",
    "build_insights",
    "session_files",
    "session_folders",
    "shown_paste",
    "suggest_patterns",
]
