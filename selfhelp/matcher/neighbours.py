"""Which causes a message's nearest labelled examples agree on.

A flow's labelled examples (:mod:`selfhelp.flow.examples`) are indexed twice: with the flow's
patterns, where an example speaks for its cause like an error text does, and here, each example on
its own, so a message can ask which of them are closest. When several of the nearest examples
belong to one cause, that agreement is evidence the best single pattern cannot give: the cause
gains :data:`AGREEMENT_BONUS` points per agreeing example beyond the first (see
:func:`agreement`). Calibrated, like the thresholds, by scoring each example with its own writer's
examples left out (``selfhelp match --evaluate``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from selfhelp.matcher.index import Pattern, PatternIndex
from selfhelp.matcher.normalize import Normalized, Vocabulary

#: How many of the nearest examples are asked.
NEIGHBOURS = 9
#: Only examples scoring at least this share of the nearest one's score count as agreeing with it.
CLOSE_SHARE = 0.8
#: Points a cause gains for each agreeing example beyond the first.
AGREEMENT_BONUS = 4.0
#: Examples scoring less than this (0-100) are too far to say anything.
NEIGHBOUR_FLOOR = 20.0


@dataclass(frozen=True)
class Neighbours:
    """Examples indexed one by one: pattern ``i`` is example ``i``, whose cause is ``causes[i]``."""

    index: PatternIndex
    causes: tuple[tuple[str, str], ...]
    """(flow id, node id) of each example, by its number in the index's patterns."""


def neighbours(examples: Iterable[Pattern], vocabulary: Vocabulary) -> Neighbours | None:
    """The examples (patterns of kind ``example``) indexed one by one; ``None`` when there are none."""
    found = list(examples)
    if not found:
        return None
    # Each example gets a key of its own (its number), so the index's "best per key" is "best per example".
    numbered = [Pattern(p.flow, str(i), p.title, p.text, p.kind) for i, p in enumerate(found)]
    return Neighbours(PatternIndex(numbered, vocabulary), tuple(p.key for p in found))


def agreement(
    near: Neighbours, parts: Sequence[Normalized], keys: set[tuple[str, str]] | None
) -> Counter[tuple[str, str]]:
    """How many of the nearest examples to any of ``parts`` agree on each cause (only ``keys`` when given).

    The nearest :data:`NEIGHBOURS` examples over all parts are taken; those within :data:`CLOSE_SHARE`
    of the nearest one's score vote for their cause.
    """
    best: dict[int, float] = {}
    for part in parts:
        terms = near.index.terms(part)
        for hit in near.index.search("", floor=NEIGHBOUR_FLOOR, limit=NEIGHBOURS, terms=terms):
            number = int(hit.pattern.node)
            if keys is not None and near.causes[number] not in keys:
                continue
            best[number] = max(best.get(number, 0.0), hit.score)
    nearest = sorted(best.items(), key=lambda kv: -kv[1])[:NEIGHBOURS]
    if not nearest:
        return Counter()
    cut = nearest[0][1] * CLOSE_SHARE
    return Counter(near.causes[number] for number, score in nearest if score >= cut)
