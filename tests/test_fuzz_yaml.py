"""Random and mutated YAML never makes the checker raise: every problem is a reported Diagnostic."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from selfhelp.base.diagnostics import Diagnostic, Severity
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
