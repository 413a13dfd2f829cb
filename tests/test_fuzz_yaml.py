"""Random and mutated YAML never makes the checker raise: every problem is a reported Diagnostic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from selfhelp.base.diagnostics import Diagnostic, Severity
from selfhelp.base.safe_yaml import MAX_DEPTH, MAX_EXPANDED_VALUES, load_bytes
from selfhelp.flow.rules import RULES
from selfhelp.flow.validate import FileReport, check_bytes

GOOD = (Path(__file__).parent / "bad_flows" / "good.yaml").read_bytes()
GOOD_LINES = GOOD.decode().splitlines(keepends=True)

FUZZ = settings(max_examples=150, deadline=None)


def assert_reported(raw: bytes) -> FileReport:
    """Check ``raw``; it must not raise, and every problem must be a well-formed diagnostic."""
    report = check_bytes(raw, "fuzz.yaml")
    for diag in report.diagnostics:
        assert isinstance(diag, Diagnostic)
        assert diag.rule in RULES, diag
        assert diag.severity is RULES[diag.rule].severity, diag
        assert diag.line >= 0 and diag.column >= 0, diag
        assert diag.file == "fuzz.yaml"
        assert diag.message
        text = diag.format()
        assert text.startswith(f"fuzz.yaml:{diag.line}:{diag.column}: {diag.severity.value} {diag.rule} ")
        # Flow text never reaches the terminal raw: no escape sequences or other control characters.
        assert all(ch == "\n" or ch.isprintable() for ch in text), repr(text)
    # A flow is handed out only when nothing is wrong with it.
    if report.flow is not None:
        assert not any(d.severity is Severity.error for d in report.diagnostics)
    else:
        assert report.diagnostics, "a refused file must say why"
    return report


def test_the_unmutated_flow_is_clean() -> None:
    # The mutation tests below start from this flow; it must be good for them to mean anything.
    report = assert_reported(GOOD)
    assert report.ok and report.diagnostics == []


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(raw: bytes) -> None:
    assert_reported(raw)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    assert_reported(text.encode("utf-8", "surrogatepass"))


_YAML_ALPHABET = st.sampled_from(
    [*"abc:-? []{}#&*!|>'\"\n\n\n  \t,.%@`~", "kind", "nodes", "goto", "&a", "*a", "!!python/name:os.system", "<<"]
)


@FUZZ
@given(st.lists(_YAML_ALPHABET, max_size=80).map("".join))
def test_yaml_punctuation_soup(text: str) -> None:
    assert_reported(text.encode())


_FIELD_NAMES = st.sampled_from(
    ["id", "title", "version", "start", "nodes", "kind", "choices", "goto", "next", "when", "value", "store",
     "errors", "collect", "validators", "type", "result", "no_match", "candidates", "label", "links", "x"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["question", "input", "match", "cause", "outcome", "resolved", "guid", "regex", "a", "b"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_FIELD_NAMES, inner, max_size=5)),
    max_leaves=30,
)


@FUZZ
@given(st.dictionaries(_FIELD_NAMES, _VALUES, max_size=8))
def test_random_flow_shaped_documents(doc: dict) -> None:
    assert_reported(yaml.safe_dump(doc, allow_unicode=True).encode())


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["ask", "paste", "done", "x"]),
        st.dictionaries(_FIELD_NAMES, _VALUES, max_size=6),
        max_size=4,
    )
)
def test_random_nodes_in_a_valid_header(nodes: dict) -> None:
    doc = {"id": "fuzz", "title": "Fuzz", "version": "1", "start": "ask", "nodes": nodes}
    assert_reported(yaml.safe_dump(doc).encode())


def _mutate(lines: list[str], data: st.DataObject) -> list[str]:
    """Apply one random edit of the kind an author's slip makes."""
    lines = list(lines)
    i = data.draw(st.integers(0, len(lines) - 1))
    edit = data.draw(st.sampled_from(["delete", "duplicate", "swap", "flip", "indent", "dedent", "insert"]))
    if edit == "delete":
        del lines[i]
    elif edit == "duplicate":
        lines.insert(i, lines[i])
    elif edit == "swap":
        j = data.draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif edit == "flip" and lines[i].strip():
        k = data.draw(st.integers(0, len(lines[i]) - 1))
        char = data.draw(st.sampled_from([*":-#&*!{}[]'\"\t x0", "\x00", "é"]))
        lines[i] = lines[i][:k] + char + lines[i][k + 1 :]
    elif edit == "indent":
        lines[i] = " " * data.draw(st.integers(1, 4)) + lines[i]
    elif edit == "dedent":
        lines[i] = lines[i].lstrip(" ")
    elif edit == "insert":
        lines.insert(i, data.draw(st.sampled_from(["  extra: 1\n", "- x\n", "nodes:\n", "    goto: nowhere\n"])))
    return lines


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutations_of_a_valid_flow(data: st.DataObject) -> None:
    lines = GOOD_LINES
    for _ in range(data.draw(st.integers(1, 4))):
        lines = _mutate(lines, data) or GOOD_LINES
    assert_reported("".join(lines).encode())


@FUZZ
@given(st.binary(min_size=1, max_size=40), st.integers(0, len(GOOD)))
def test_random_bytes_spliced_into_a_valid_flow(junk: bytes, at: int) -> None:
    assert_reported(GOOD[:at] + junk + GOOD[at:])


# --- anchors and aliases of random shape ----------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """One anchored value: ``nesting`` collections (``[`` or ``{k: ``) around aliases of earlier anchors."""

    openers: tuple[str, ...]
    refs: tuple[int, ...]
    scalar: bool


@st.composite
def anchor_graphs(draw: st.DrawFn) -> list[Anchor]:
    """Chains and trees (shared subtrees too) of anchors, each line within the nesting limit or just past it."""
    anchors: list[Anchor] = []
    # Per document: how deep one line may nest and how many aliases a value holds, so that some documents
    # are long thin chains (too deep), some shallow wide trees (too big), and some neither.
    most_nesting = draw(st.sampled_from([1, 2, 4, 20, 41]))
    most_refs = draw(st.integers(1, 5))
    for i in range(draw(st.integers(1, 40))):
        openers = draw(st.lists(st.sampled_from(["[", "{k: "]), min_size=1 if i else 0, max_size=most_nesting))
        # Mostly the latest anchors, so that chains grow long and trees wide; sometimes any earlier one.
        recent = st.integers(max(0, i - 2), i - 1) if i else st.nothing()
        anyone = st.integers(0, max(0, i - 1))
        # An anchor cannot sit on an alias: without a collection around it, the value is one scalar.
        refs = draw(st.lists(st.one_of(recent, anyone), min_size=1, max_size=most_refs)) if i and openers else []
        scalar = not refs or draw(st.booleans())
        anchors.append(Anchor(tuple(openers), tuple(refs), scalar))
    return anchors


def anchor_text(anchors: list[Anchor]) -> str:
    lines = []
    for i, a in enumerate(anchors):
        items = [f"*a{r}" for r in a.refs] + (["x"] if a.scalar else [])
        inner = ("[" + ", ".join(items) + "]") if a.openers else "x"
        # The innermost opener holds the items; the others wrap one value each.
        wrap = a.openers[:-1] if a.openers else ()
        value = "".join(wrap) + inner + "".join("]" if o == "[" else "}" for o in reversed(wrap))
        lines.append(f"d{i}: &a{i} {value}")
    return "\n".join(lines) + "\n"


def expected_shape(anchors: list[Anchor]) -> tuple[int, int]:
    """The document's depth and the values the safe loader counts once aliases are expanded, worked out
    from the shape drawn (not from the file)."""
    height: list[int] = []
    size: list[int] = []
    for a in anchors:
        below = max((height[r] for r in a.refs), default=0)
        items = sum(size[r] for r in a.refs) + (1 if a.scalar else 0)
        if not a.openers:
            height.append(0)
            size.append(1)
            continue
        height.append(len(a.openers) + below)
        # Each [ is one value; each {k: is a mapping and its key; the innermost opener is always a list.
        size.append(items + 1 + sum(1 if o == "[" else 2 for o in a.openers[:-1]))
    return 1 + max(height), 1 + sum(1 + s for s in size)


def depth_of(value: object) -> int:
    """How deep lists and mappings nest in ``value`` (a walk with a stack: no recursion)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level + 1)
            stack += [(v, level + 1) for v in (item.values() if isinstance(item, dict) else item)]
    return deepest


@settings(max_examples=200, deadline=None)
@given(anchor_graphs())
def test_anchor_chains_and_trees_of_random_shape(anchors: list[Anchor]) -> None:
    text = anchor_text(anchors)
    depth, size = expected_shape(anchors)
    loaded = load_bytes(text.encode(), "fuzz.yaml")
    found = [d.rule for d in loaded.problems]
    event(f"refused as {found[0]}" if found else "loaded")
    if depth > MAX_DEPTH:
        assert found == ["too-deep"], text
    elif size > MAX_EXPANDED_VALUES:
        assert found == ["alias-expansion"], text
    else:
        assert found == [], text
        assert depth_of(loaded.data) == depth
    # Inside a real flow, the whole check (schema and graph rules too) reports and never raises.
    assert_reported(GOOD + text.replace("d", "x-d").encode())
