"""The cold start's quick load: the requested flow from its own file, exactly as the whole catalog would give it.

:func:`load_one` reads the files before the requested one only as far as their
top-level ``id`` (:func:`top_level_text`), and checks the requested file alone;
whenever that cannot be told for sure it gives ``None`` and the start loads the
whole catalog first, as it always did.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfhelp.base.safe_yaml import load_bytes, top_level_text
from selfhelp.flow import catalog as catalog_module
from selfhelp.flow.catalog import FlowSource, load_catalog, load_one
from selfhelp.flow.validate import FileReport

HERE = Path(__file__).parent
MINI = HERE / "engine_flows" / "mini.yaml"
SECOND = HERE / "tui" / "flows" / "second.yaml"
BROKEN = HERE / "bad_flows" / "dangling-target.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """``a-broken.yaml`` (a flow with an error), ``mini.yaml`` and ``z-second.yaml``, in the catalog's order."""
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(BROKEN, flows / "a-broken.yaml")
    shutil.copy(MINI, flows / "mini.yaml")
    shutil.copy(SECOND, flows / "z-second.yaml")
    return flows


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files :func:`load_one` checks in full."""
    names: list[str] = []
    real = catalog_module.check_file

    def check_file(path: Path, **kwargs: object) -> FileReport:
        names.append(path.name)
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(catalog_module, "check_file", check_file)
    return names


def sources(folder: Path) -> list[FlowSource]:
    return [FlowSource(folder, "option")]


def test_only_the_requested_file_is_checked_and_it_is_the_catalogs_flow(folder: Path, checked: list[str]) -> None:
    loaded = load_one(sources(folder), "mini")
    assert checked == ["mini.yaml"]  # neither the broken file before it nor the one after
    assert loaded is not None
    full = load_catalog(sources(folder)).flows["mini"]
    assert loaded.flow == full.flow
    assert (loaded.path, loaded.origin) == (folder / "mini.yaml", "option") == (full.path, full.origin)


def test_an_earlier_file_with_the_same_id_is_the_flow_as_in_the_catalog(folder: Path, checked: list[str]) -> None:
    shutil.copy(MINI, folder / "0-copy.yaml")
    loaded = load_one(sources(folder), "mini")
    assert checked == ["0-copy.yaml"]
    assert loaded is not None and loaded.path == folder / "0-copy.yaml"
    assert load_catalog(sources(folder)).flows["mini"].path == folder / "0-copy.yaml"


def test_an_earlier_broken_file_with_the_same_id_leaves_it_to_the_catalog(folder: Path, checked: list[str]) -> None:
    (folder / "0-copy.yaml").write_text(MINI.read_text().replace("start: kind", "start: nowhere"))
    assert load_one(sources(folder), "mini") is None
    assert checked == ["0-copy.yaml"]
    assert "mini" not in load_catalog(sources(folder)).flows  # the later file is the duplicate: no flow at all


@pytest.mark.parametrize(
    "earlier",
    [
        "id: [unclosed\n",  # YAML fails before the id is known
        "title: &t mini\nid: *t\n",  # the id is an alias
        "- id: mini\n",  # not one mapping
    ],
    ids=["yaml-error", "alias", "sequence"],
)
def test_an_earlier_file_whose_id_cannot_be_told_leaves_it_to_the_catalog(
    folder: Path, checked: list[str], earlier: str
) -> None:
    (folder / "0-earlier.yaml").write_text(earlier)
    assert load_one(sources(folder), "mini") is None
    assert checked == []


def test_a_flow_that_is_not_there_or_not_usable_is_none(folder: Path, checked: list[str]) -> None:
    assert load_one(sources(folder), "nope") is None
    assert load_one(sources(folder), "dangling-target") is None  # broken: the catalog's errors will say why
    assert checked == ["a-broken.yaml"]


def test_a_flow_whose_file_declares_another_id_after_the_first_is_not_taken(folder: Path, checked: list[str]) -> None:
    # The first `id` wins, as in the catalog (the second is reported as given twice).
    (folder / "0-twice.yaml").write_text(MINI.read_text().replace("id: mini\n", "id: other\nid: mini\n"))
    loaded = load_one(sources(folder), "mini")
    assert loaded is not None and loaded.path == folder / "mini.yaml"
    assert checked == ["mini.yaml"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"id: x\ntitle: y\n", "x"),
        (b"title: y\nid: 'x'\n", "x"),
        (b"\xef\xbb\xbfid: x\n", "x"),  # a byte-order mark, as the loader allows
        (b"nodes: {id: inner, more: [1, 2]}\nid: outer\n", "outer"),
        (b"? [a, b]\n: c\nid: x\n", "x"),  # a complex key is skipped, as the loader skips it
        (b"<<: {id: merged}\nid: x\n", "x"),  # merge keys are not applied
        (b"id: !!str 12\n", "12"),
        (b"id: x\nid: y\n", "x"),  # the first wins
        (b"id: x\nnodes: [unclosed\n", "x"),  # fails after the value: the whole load fails, no other id
        (b"id: 12\n", None),
        (b"id: true\n", None),
        (b"id: [x]\n", None),
        (b"a: &n x\nid: *n\n", None),
        (b"a: &k id\n*k : x\nid: y\n", None),  # an alias key before it could be the id
        (b"- id: x\n", None),
        (b"!thing\nid: x\n", None),
        (b"title: y\n", None),
        (b"", None),
        (b"\xff\xfe", None),
        (b"id: x\x00\n", None),
        (b"id: [x\n", None),
    ],
)
def test_top_level_text_cases(raw: bytes, expected: str | None) -> None:
    assert top_level_text(raw, "id") == expected


GOOD = (HERE / "bad_flows" / "good.yaml").read_text()
PIECES = ["id: x\n", "id: ", "&a ", "*a", "<<: ", "!!str ", "? ", "---\n", "- ", "'", '"', "[", "{", ":", "\n", " "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.sampled_from(PIECES)), max_size=5))
def test_a_told_id_is_the_one_loading_gives(edits: list[tuple[int, str]]) -> None:
    """Whenever the id is told, loading the file gives that id, or no mapping at all: never another id."""
    text = GOOD
    for at, piece in edits:
        text = text[:at] + piece + text[at:]
    raw = text.encode()
    told = top_level_text(raw, "id")
    if told is not None:
        data = load_bytes(raw, "fuzz.yaml").data
        assert not isinstance(data, Mapping) or data.get("id") == told
