"""Dropping repeats while keeping order."""

from __future__ import annotations

from pathlib import Path

from selfhelp.base.unique import unique_by


def test_the_first_of_each_kind_stays_in_order() -> None:
    assert unique_by(["Aa", "b", "aA", "B", "c"], str.casefold) == ["Aa", "b", "c"]
    assert unique_by([], str.casefold) == []


def test_a_folder_named_twice_is_one(tmp_path: Path) -> None:
    assert unique_by([tmp_path, tmp_path / ".." / tmp_path.name, tmp_path.parent], Path.resolve) == [
        tmp_path,
        tmp_path.parent,
    ]
