"""The fuzzy error matcher: normalise and mask a pasted message, score it against the flows' error patterns.

Importing this package is cheap: indexes are built on first use (see :mod:`selfhelp.matcher.matcher`).
"""

from selfhelp.matcher.matcher import FuzzyMatcher, Thresholds, default_matcher

__all__ = ["FuzzyMatcher", "Thresholds", "default_matcher"]
