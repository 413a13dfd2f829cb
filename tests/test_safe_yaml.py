"""The safe YAML loader: no code runs, aliases are bounded, duplicates are caught, positions are kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from selfhelp.base import safe_yaml
from selfhelp.base.diagnostics import Severity
from selfhelp.base.safe_yaml import MAX_DEPTH, MAX_EXPANDED_VALUES, load_bytes, load_file
from selfhelp.flow.validate import check_file

GOOD = Path(__file__).parent / "bad_flows" / "good.yaml"


def rules(raw: bytes) -> list[str]:
    return [d.rule for d in load_bytes(raw, "t.yaml").problems]


# --- plain values and positions -----------------------------------------------------------


def test_plain_values_load_as_python_values() -> None:
    loaded = load_bytes(b"a: 1\nb: [x, 2.5, true, null]\nc: {d: e}\n", "t.yaml")
    assert loaded.problems == []
    assert loaded.data == {"a": 1, "b": ["x", 2.5, True, None], "c": {"d": "e"}}


def test_keys_stay_as_written() -> None:
    # YAML 1.1 would turn the keys no: and on: into booleans, and 1: into an int.
    loaded = load_bytes(b"no: a\non: b\n1: c\nnull: d\n", "t.yaml")
    assert loaded.data == {"no": "a", "on": "b", "1": "c", "null": "d"}


def test_dates_stay_text() -> None:
    assert load_bytes(b"version: 2024-05-01\n", "t.yaml").data == {"version": "2024-05-01"}


def test_positions_of_values_and_keys_are_one_based() -> None:
    loaded = load_bytes(b"id: x\nnodes:\n  a:\n    kind: outcome\n    list: [p, q]\n", "t.yaml")
    assert loaded.keys[("nodes",)] == (2, 1)
    assert loaded.keys[("nodes", "a", "kind")] == (4, 5)
    assert loaded.values[("nodes", "a", "kind")] == (4, 11)
    assert loaded.values[("nodes", "a", "list", 1)] == (5, 15)
    # An unknown path falls back to its closest known parent.
    assert loaded.position(("nodes", "a", "missing")) == (4, 5)
    assert loaded.position(("nodes", "a"), prefer_key=True) == (3, 3)
    assert loaded.position(("nowhere",)) == (1, 1)


def test_small_aliases_are_allowed_and_expanded() -> None:
    loaded = load_bytes(b"x: &x [1, 2]\ny: [*x, *x]\nz: *x\n", "t.yaml")
    assert loaded.problems == []
    assert loaded.data == {"x": [1, 2], "y": [[1, 2], [1, 2]], "z": [1, 2]}


def test_load_file_reads_from_disk() -> None:
    loaded = load_file(GOOD, "good.yaml")
    assert loaded.problems == [] and loaded.data["id"] == "good"


# --- duplicate keys ---------------------------------------------------------------------


def test_pyyaml_alone_would_silently_keep_the_last_duplicate() -> None:
    # Why the loader exists: this is what yaml.safe_load does with the same text.
    assert yaml.safe_load("a: 1\na: 2\n") == {"a": 2}


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"a: 1\na: 2\n", 2, 1),
        (b"a:\n  b: 1\n  c: 2\n  b: 3\n", 4, 3),
        (b"a: [{b: 1, b: 2}]\n", 1, 12),
        (b"a: {x: 1}\nb: 2\na: {y: 2}\n", 3, 1),
    ],
)
def test_duplicate_keys_are_reported_at_the_second_key(raw: bytes, line: int, column: int) -> None:
    loaded = load_bytes(raw, "t.yaml")
    [diag] = loaded.problems
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("duplicate-key", Severity.error, line, column)
    assert "given twice" in diag.message


def test_the_first_of_two_duplicates_is_kept_and_named() -> None:
    loaded = load_bytes(b"a: 1\nb: 0\na: 2\n", "t.yaml")
    assert loaded.data == {"a": 1, "b": 0}
    assert "first at line 1" in loaded.problems[0].message


def test_a_duplicate_can_be_given_its_own_rule_by_path() -> None:
    raw = b"nodes:\n  a: 1\n  a: 2\nother:\n  a: 1\n  a: 2\n"
    loaded = load_bytes(raw, "t.yaml", {("nodes",): "duplicate-node-id"})
    assert [(d.rule, d.line) for d in loaded.problems] == [("duplicate-node-id", 3), ("duplicate-key", 6)]


# --- tags: nothing is ever constructed ---------------------------------------------------

DANGEROUS_TAGS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:builtins.open ["{marker}", "w"]',
    '!!python/object/new:builtins.open ["{marker}", "w"]',
    '!!python/object/apply:subprocess.call [["touch", "{marker}"]]',
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:argparse.Namespace {{a: 1}}",
]


@pytest.mark.parametrize("tag", DANGEROUS_TAGS)
def test_python_tags_are_refused_and_never_run(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    raw = f"id: x\ndescription: {tag.format(marker=marker)}\n".encode()
    loaded = load_bytes(raw, "t.yaml")
    assert [(d.rule, d.line, d.column) for d in loaded.problems] == [("unsafe-tag", 2, 14)]
    assert "python" in loaded.problems[0].message
    assert loaded.data == {"id": "x", "description": None}
    assert not marker.exists()


def test_the_payload_is_live_so_the_test_above_means_something(tmp_path: Path) -> None:
    # With PyYAML's unsafe loader the very same text does create the file.
    marker = tmp_path / "pwned"
    yaml.unsafe_load(f'x: !!python/object/apply:builtins.open ["{marker}", "w"]\n').get("x").close()
    assert marker.exists()


def test_validate_command_refuses_and_does_not_run_os_system(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    flow = tmp_path / "evil.yaml"
    flow.write_text(
        GOOD.read_text().replace("source:\n", f'source:\n  url: !!python/object/apply:os.system ["touch {marker}"]\n')
    )
    result = subprocess.run(
        [sys.executable, "-m", "selfhelp", "validate", str(flow)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "error unsafe-tag" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"a: !foo x\n",
        b"a: !!binary aGVsbG8=\n",
        b"a: !!set {x, y}\n",
        b"a: !!omap [{x: 1}]\n",
        b"a: !!pairs [{x: 1}]\n",
        b"a: !<tag:example.com,2024:thing> x\n",
        b"a: !!str [1]\n",
        b"a: !!map [1]\n",
    ],
)
def test_other_tags_are_refused_too(raw: bytes) -> None:
    assert rules(raw) == ["unsafe-tag"]


def test_plain_tags_are_allowed() -> None:
    loaded = load_bytes(b'a: !!str 1\nb: !!int "2"\nc: !!float "3"\nd: !!bool "true"\n', "t.yaml")
    assert loaded.problems == []
    assert loaded.data == {"a": "1", "b": 2, "c": 3.0, "d": True}


def test_merge_keys_are_refused() -> None:
    loaded = load_bytes(b"base: &b {x: 1}\nthing:\n  <<: *b\n  y: 2\n", "t.yaml")
    assert [(d.rule, d.line) for d in loaded.problems] == [("unsafe-tag", 3)]
    assert loaded.data["thing"] == {"y": 2}


@pytest.mark.parametrize(
    "raw",
    [b"a: !!int abc\n", b"a: !!float abc\n", b"a: !!bool maybe\n", b"a: " + b"1" * 5000 + b"\n"],
)
def test_values_that_cannot_be_read_as_their_type_are_reported_not_raised(raw: bytes) -> None:
    loaded = load_bytes(raw, "t.yaml")
    assert [(d.rule, d.line, d.column) for d in loaded.problems] == [("invalid-value", 1, 4)]
    assert isinstance(loaded.data["a"], str)


def test_complex_keys_are_refused() -> None:
    loaded = load_bytes(b"? [a, b]\n: 1\nc: 2\n", "t.yaml")
    assert [(d.rule, d.line, d.column) for d in loaded.problems] == [("yaml-key", 1, 3)]
    assert loaded.data == {"c": 2}


# --- resource limits --------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> bytes:
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return ("\n".join(lines) + "\n").encode()


# Each stays within the nesting limit (a chain 200 anchors long is too deep before it is too big: see below).
@pytest.mark.parametrize(("levels", "width"), [(9, 9), (30, 10), (38, 2)])
def test_billion_laughs_is_refused_without_expanding(levels: int, width: int) -> None:
    # 10**30 values could never be built: being refused at all proves nothing was expanded.
    loaded = load_bytes(billion_laughs(levels, width), "t.yaml")
    [diag] = loaded.problems
    assert diag.rule == "alias-expansion" and diag.severity is Severity.error
    assert diag.line >= 1 and f"{MAX_EXPANDED_VALUES:,}" in diag.message
    assert loaded.data is None


def test_aliases_just_under_the_limit_are_allowed() -> None:
    # 3 levels of 40: 40 + 1600 + 64,000 values, well under the limit.
    loaded = load_bytes(billion_laughs(3, 40), "t.yaml")
    assert loaded.problems == []
    assert len(loaded.data["l2"]) == 40


@pytest.mark.parametrize("raw", [b"a: &a [*a]\n", b"a: &a {b: *a}\n", b"a: &a [1, [2, {c: *a}]]\n"])
def test_an_alias_inside_its_own_anchor_is_refused(raw: bytes) -> None:
    # PyYAML builds a cyclic node graph from these; expanding it would never end.
    loaded = load_bytes(raw, "t.yaml")
    assert [(d.rule, d.line) for d in loaded.problems] == [("alias-expansion", 1)]
    assert "forever" in loaded.problems[0].message


def test_the_cli_refuses_billion_laughs(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(billion_laughs(30, 10))
    report = check_file(bomb)
    assert [d.rule for d in report.diagnostics] == ["alias-expansion"] and report.flow is None


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_deep_nesting_is_refused(opener: str) -> None:
    deep = opener * (MAX_DEPTH + 1)
    closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
    raw = (deep + "x" + closer * (MAX_DEPTH + 1) + "\n").encode()
    assert rules(raw) == ["too-deep"]


def test_nesting_at_the_limit_is_allowed() -> None:
    raw = ("[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n").encode()
    assert rules(raw) == []


def test_very_deep_nesting_does_not_hit_the_recursion_limit() -> None:
    raw = ("[" * 100_000 + "]" * 100_000).encode()
    assert rules(raw) == ["too-deep"]


# --- syntax -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "line", "hint"),
    [
        (b"a: 1\n b: 2\n", 2, "indentation"),
        (b"a:\n\tb: 1\n", 2, "tabs"),
        (b"a: 1\n---\nb: 2\n", 2, None),
    ],
)
def test_syntax_errors_give_their_line(raw: bytes, line: int, hint: str | None) -> None:
    [diag] = load_bytes(raw, "t.yaml").problems
    assert (diag.rule, diag.line) == ("yaml-syntax", line)
    assert diag.column >= 1
    if hint:
        assert hint in (diag.hint or "")


@pytest.mark.parametrize(
    ("raw", "line", "column", "fragments"),
    [
        # An unclosed quote: PyYAML gives up at the end of the file (5:1); the mistake is where it opens.
        (b'id: x\ntitle: "abc\nversion: 1\n\n', 2, 8, ['the " opened here is not closed', "file ends at line 4 "]),
        (b"a: 'open\n", 1, 4, ["the ' opened here", "file ends at line 1 "]),
        (b"a: {b: 1", 1, 4, ["the { opened here", "file ends at line 1 "]),
        (b'a: ["x", "y\n', 1, 10, ['the " opened here']),
        # An unclosed bracket that runs into the next line: where it opens, and where YAML gave up.
        (b"id: x\ntitle: [a, b\nversion: 1\n", 2, 8, ["the [ opened here", "at line 3, column 8"]),
        # A quote left open swallows the next line up to its first quote; YAML stumbles only after it.
        (b'title: "A flow\nversion: "1"\n', 1, 8, ['the " opened here runs on to line 2', "column 11"]),
    ],
)
def test_an_unclosed_quote_or_bracket_is_reported_where_it_opens(
    raw: bytes, line: int, column: int, fragments: list[str]
) -> None:
    [diag] = load_bytes(raw, "t.yaml").problems
    assert (diag.rule, diag.line, diag.column) == ("yaml-syntax", line, column)
    for fragment in fragments:
        assert fragment in diag.message
    assert diag.hint is not None and diag.hint.startswith("close it with")


def test_a_quoted_text_over_two_lines_that_is_closed_is_fine() -> None:
    loaded = load_bytes(b'a: "x\n  y"\nb: 1\n', "t.yaml")
    assert loaded.problems == [] and loaded.data == {"a": "x y", "b": 1}


# --- depth through aliases --------------------------------------------------------------


def anchor_chain(length: int, nesting: int = 1) -> bytes:
    """``a0: &a0 x``, then each anchor wraps the one before in ``nesting`` lists, through an alias."""
    lines = ["a0: &a0 x"]
    lines += [f"a{i}: &a{i} " + "[" * nesting + f"*a{i - 1}" + "]" * nesting for i in range(1, length)]
    return ("\n".join(lines) + "\n").encode()


def test_an_anchor_chain_is_too_deep_through_its_aliases() -> None:
    # a_i is i lists deep. Line 41 is a40's list, at depth 2 below the top mapping, holding *a39: 2 + 39 levels.
    loaded = load_bytes(anchor_chain(45), "t.yaml")
    assert loaded.data is None
    [diag] = loaded.problems
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("too-deep", Severity.error, 41, 12)
    assert diag.message == "through the alias *a39, the value nests more than 40 levels deep"


def test_an_anchor_chain_at_the_limit_is_built() -> None:
    # a39 is 39 lists deep inside the top mapping: exactly 40 levels.
    loaded = load_bytes(anchor_chain(40), "t.yaml")
    assert loaded.problems == []
    value, depth = loaded.data["a39"], 1
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert (value, depth) == ("x", 40)


def test_the_issue_s_chain_of_shallow_lines_is_refused_not_a_recursion_error() -> None:
    # 30 lines of 38 nested lists each: every line is within the limit, the value is 1,100 levels deep.
    raw = anchor_chain(31, nesting=38)
    assert len(raw) < 3000
    [diag] = load_bytes(raw, "t.yaml").problems
    assert (diag.rule, diag.line, diag.column) == ("too-deep", 3, 47)


def test_a_redefined_anchor_is_measured_by_its_last_value() -> None:
    # PyYAML refuses an anchor defined twice when it composes; the depth check before it must neither
    # crash nor blame the shallow value for the deep one it replaced.
    deep = "[" * 30 + "x" + "]" * 30
    raw = f"a: &a {deep}\nb: &a y\nc: [[[[[[[[[[[[[*a]]]]]]]]]]]]]\n".encode()
    [diag] = load_bytes(raw, "t.yaml").problems
    assert diag.rule == "yaml-syntax" and "duplicate anchor" in diag.message
    raw = f"a: &a y\nb: &a {deep}\nc: [[[[[[[[[[[[[*a]]]]]]]]]]]]]\n".encode()
    assert rules(raw) == ["too-deep"]


# --- libyaml for the event walk ----------------------------------------------------------


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_the_event_walk_uses_libyaml_when_pyyaml_has_it() -> None:
    assert safe_yaml._FAST_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize(
    "raw",
    [
        b"a: 1\n b: 2\n",
        b"a:\n\tb: 1\n",
        b'a: "open\n',
        b"a: [1, 2\n",
        b"a: 1\n---\nb: 2\n",
        b"a: [1, 2]]\n",
        b"key: @reserved\n",
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode(),
        ("- " * (MAX_DEPTH + 1) + "x\n").encode(),
        GOOD.read_bytes(),
        'name: café ✓\nlist: [é, "ü"]\n'.encode(),
    ],
)
def test_libyaml_or_not_the_problems_are_the_same(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml only speeds the walk up: what is reported, in which words and where, is PyYAML's either way."""
    fast = load_bytes(raw, "t.yaml")
    monkeypatch.setattr(safe_yaml, "_FAST_LOADER", None)
    slow = load_bytes(raw, "t.yaml")
    assert fast.problems == slow.problems
    assert (fast.data, fast.values, fast.keys) == (slow.data, slow.values, slow.keys)
