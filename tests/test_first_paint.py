"""The first-paint cache: a hit only for exactly the files it was made from; anything odd is a miss, never a crash.

The cache is written only by :func:`first_paint.remember` (the ``run`` command calls it
after loading); loading a catalog writes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfhelp.flow.catalog import Catalog, FlowSource, load_catalog
from selfhelp.flow.sources import CONFIG_NAME
from selfhelp.session.engine import Session
from selfhelp.session.step import ChoiceView, StepView
from selfhelp.tui import first_paint

HERE = Path(__file__).parent
MINI = HERE / "engine_flows" / "mini.yaml"
SECOND = HERE / "tui" / "flows" / "second.yaml"
BROKEN = HERE / "bad_flows" / "dangling-target.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(first_paint.CACHE_ENV, str(folder))
    return folder / first_paint.CACHE_NAME


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.yaml")
    return folder


def sources(folder: Path) -> list[FlowSource]:
    return [FlowSource(folder, "option")]


def warm(folder: Path) -> Catalog:
    """Load the flows and record their first screens, as the ``run`` command does."""
    stamps = first_paint.stamp_files(sources(folder))
    catalog = load_catalog(sources(folder))
    first_paint.remember(sources(folder), catalog, stamps)
    return catalog


def expected(folder: Path, flow_id: str) -> first_paint.FirstScreen:
    """The first screen as the engine makes it, from a fresh load."""
    flow = load_catalog(sources(folder)).flows[flow_id].flow
    return first_paint.first_screen(flow, Session(flow).step())


def touch_later(path: Path) -> None:
    """Change a file's stamp without changing its content (as an editor's save does)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_loading_flows_never_writes_the_cache(cache: Path, flows: Path) -> None:
    load_catalog(sources(flows))
    assert not cache.parent.exists()


def test_remembering_fills_the_cache_and_the_next_start_hits_it(cache: Path, flows: Path) -> None:
    assert first_paint.lookup(sources(flows), "mini") is None  # cold
    warm(flows)
    hit = first_paint.lookup(sources(flows), "mini")
    assert hit is not None and hit.warnings == ()
    assert hit.screen == expected(flows, "mini")
    assert hit.screen.step == StepView(
        node_id="kind",
        kind="question",
        title="What went wrong?",
        text="Pick the **closest** answer.",
        source="Recommended Steps",
        choices=(
            ChoiceView("I have an error message", "paste"),
            ChoiceView("Something else", "tenant"),
        ),
    )
    # With no flow named and a single flow, that flow (`selfhelp` goes straight in).
    assert first_paint.lookup(sources(flows), None) == hit


def test_an_unknown_flow_or_several_flows_without_a_name_is_a_miss(cache: Path, flows: Path) -> None:
    shutil.copy(SECOND, flows / "second.yaml")
    warm(flows)
    assert first_paint.lookup(sources(flows), "nope") is None  # the slow path says 'no flow' with a suggestion
    assert first_paint.lookup(sources(flows), None) is None  # the picker
    assert first_paint.lookup(sources(flows), "tui-second") is not None
    # Other folders are another catalog.
    assert first_paint.lookup([*sources(flows), FlowSource(HERE / "tui" / "flows", "option")], "mini") is None


@pytest.mark.parametrize("change", ["edit", "touch", "add", "remove", "lint-config", "version"])
def test_any_change_to_the_files_is_a_miss(
    change: str, cache: Path, flows: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SECOND, flows / "second.yaml")
    warm(flows)
    assert first_paint.lookup(sources(flows), "mini") is not None
    mini = flows / "mini.yaml"
    if change == "edit":
        mini.write_text(mini.read_text().replace("What went wrong?", "What broke?"))
    elif change == "touch":
        touch_later(mini)
    elif change == "add":
        shutil.copy(BROKEN, flows / "other.yaml")
    elif change == "remove":
        (flows / "second.yaml").unlink()
    elif change == "lint-config":
        (flows / CONFIG_NAME).write_text("lint:\n  disable: {}\n")
    else:
        monkeypatch.setattr(first_paint, "__version__", "99.0")
    assert first_paint.lookup(sources(flows), "mini") is None
    if change == "edit":  # the next start warms it again, with the new text
        warm(flows)
        hit = first_paint.lookup(sources(flows), "mini")
        assert hit is not None and hit.screen.step.title == "What broke?"


def test_a_broken_flow_is_never_cached_and_its_warning_is_kept(
    cache: Path, flows: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(BROKEN, flows / "broken.yaml")
    monkeypatch.chdir(flows.parent)
    catalog = warm(flows)
    assert catalog.broken
    hit = first_paint.lookup(sources(flows), "mini")
    assert hit is not None
    assert hit.warnings == tuple(first_paint.skipped_lines(catalog))
    assert hit.warnings[0].startswith("selfhelp: skipped flows/broken.yaml: ")
    broken_id = catalog.broken[0].loaded.data["id"]  # type: ignore[union-attr]
    assert first_paint.lookup(sources(flows), broken_id) is None
    # The warnings name files relative to the working folder: from elsewhere they would differ.
    monkeypatch.chdir(flows)
    assert first_paint.lookup(sources(flows), "mini") is None


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00\xff not json",
        b'{"format": 2, "version": "0.1.0", "records": [',
        b"[]",
        b'{"format": 2, "version": "0.1.0", "records": {"a": 1}}',
        b'{"format": 2, "version": "0.1.0", "records": [1, "x", null]}',
        b"[" * 200_000,  # deeper than the JSON reader's recursion limit
    ],
)
def test_a_corrupt_cache_file_is_a_miss_and_is_replaced(damage: bytes, cache: Path, flows: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_bytes(damage)
    assert first_paint.lookup(sources(flows), "mini") is None
    warm(flows)
    assert first_paint.lookup(sources(flows), "mini") is not None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value: keys of objects and indexes of arrays."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_record_never_crashes_a_lookup(data: st.DataObject, cache: Path, flows: Path) -> None:
    cache.unlink(missing_ok=True)
    warm(flows)
    good = json.loads(cache.read_text())
    where = data.draw(st.sampled_from(_paths(good)[1:]))
    damaged = json.loads(cache.read_text())
    target = damaged
    for key in where[:-1]:
        target = target[key]
    if data.draw(st.booleans()) and isinstance(target, dict):
        del target[where[-1]]
    else:
        target[where[-1]] = data.draw(JSON)
    cache.write_text(json.dumps(damaged))
    hit = first_paint.lookup(sources(flows), "mini")  # must not raise
    if hit is not None:  # only when the damage left a valid record of the same files
        assert isinstance(hit.screen.step, StepView)
        assert all(isinstance(c, ChoiceView) and isinstance(c.label, str) for c in hit.screen.step.choices)


def test_an_unwritable_cache_is_no_error(tmp_path: Path, flows: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(first_paint.CACHE_ENV, str(blocker))
    catalog = warm(flows)
    assert "mini" in catalog.flows
    assert first_paint.lookup(sources(flows), "mini") is None


def test_the_cache_is_written_atomically_and_only_when_it_changes(cache: Path, flows: Path) -> None:
    warm(flows)
    before = cache.stat().st_mtime_ns
    touch = cache.stat().st_ino
    warm(flows)
    assert (cache.stat().st_mtime_ns, cache.stat().st_ino) == (before, touch)  # nothing new: not rewritten
    assert [p.name for p in cache.parent.iterdir()] == [first_paint.CACHE_NAME]  # no temporary files left


def test_a_file_changed_while_loading_is_not_cached(cache: Path, flows: Path) -> None:
    stamps = first_paint.stamp_files(sources(flows))
    catalog = load_catalog(sources(flows))
    touch_later(flows / "mini.yaml")
    first_paint.remember(sources(flows), catalog, stamps)
    assert not cache.exists()
