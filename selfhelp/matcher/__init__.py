"""The fuzzy error matcher: normalise and mask a pasted message, score it against the flows' error patterns.

Importing this package is cheap: the matcher itself is imported when one of its names is first used
(``selfhelp.matcher.results``, which the session engine and the saved sessions need at start-up, does not
pull it in), and indexes are built on first use (see :mod:`selfhelp.matcher.matcher`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selfhelp.matcher.matcher import FuzzyMatcher, Thresholds, default_matcher

__all__ = ["FuzzyMatcher", "Thresholds", "default_matcher"]


def __getattr__(name: str) -> Any:
    # PEP 562: the first use of a name imports the matcher, not the import of the package.
    if name in __all__:
        from selfhelp.matcher import matcher

        return getattr(matcher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
