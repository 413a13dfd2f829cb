"""Dropping repeats from a list while keeping its order: the first of each kind stays."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")


def unique_by(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """``items`` in order, without the later ones whose ``key`` an earlier item already had.

    Used where two spellings name one thing: a folder and a file in it (their resolved path), two
    patterns that differ only in case.
    """
    first: dict[Hashable, T] = {}
    for item in items:
        first.setdefault(key(item), item)
    return list(first.values())
