"""Flow authors' regex validators run on RE2: every answer is judged in linear time, as Python's re would judge it.

The answers that would make Python's backtracking ``re`` run for hours are judged in a child process
with a time-out, so that a regression fails the test instead of hanging the run.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfhelp.base import safe_regex
from selfhelp.base.safe_yaml import load_file
from selfhelp.flow.validate import check_bytes

ROOT = Path(__file__).resolve().parents[1]
#: Generous: the child needs well under a second; without RE2 it would need hours. Never asserted on.
GUARD_SECONDS = 120

FLOW = """\
id: regex
title: Regex
version: "1"
start: ask
nodes:
  ask:
    kind: input
    store: answer
    validators:
      - type: regex
        pattern: {pattern}
        message: refused
    next: done
  done: {{kind: outcome, result: resolved}}
"""


def flow_with(pattern: str) -> bytes:
    """A one-question flow whose answer must match ``pattern`` (JSON quoting is YAML quoting)."""
    return FLOW.format(pattern=json.dumps(pattern)).encode("utf-8")


#: Reads {"pattern", "answer"} lines; checks the flow as `selfhelp validate` does, then judges the answer.
JUDGE = """
import json, sys
from selfhelp.flow.validate import check_bytes
from selfhelp.session.engine import Session
sys.path.insert(0, sys.argv[1])
from tests.test_safe_regex import flow_with

for line in sys.stdin:
    asked = json.loads(line)
    report = check_bytes(flow_with(asked["pattern"]), "regex.yaml")
    if not report.ok:
        print(json.dumps({"refused": sorted({d.rule for d in report.diagnostics})}), flush=True)
        continue
    reply = Session(report.flow).submit(asked["answer"])
    print(json.dumps({"passed": reply.ok, "reason": reply.reason}), flush=True)
"""


class Judge:
    """A child process judging answers; a judgement that does not come in time fails the test."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", JUDGE, str(ROOT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.replies: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.replies.put(line)

    def __call__(self, pattern: str, answer: str) -> dict[str, object]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"pattern": pattern, "answer": answer}) + "\n")
        self.proc.stdin.flush()
        try:
            return json.loads(self.replies.get(timeout=GUARD_SECONDS))
        except queue.Empty:
            self.close()
            pytest.fail(f"judging a {len(answer):,}-character answer on {pattern!r} did not finish")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def judge() -> Iterator[Judge]:
    judging = Judge()
    yield judging
    judging.close()


# --- the freeze, fixed ------------------------------------------------------------------------

#: Patterns on which Python's re backtracks exponentially, each with a 10,000-character answer that fails it.
ADVERSARIAL = {
    "^(a+)+$": "a" * 9_999 + "b",
    "(a|aa)+$": "a" * 9_999 + "b",
    "(a*)*b": "a" * 10_000,
    r"^(\w+\s?)+$": "ab " * 3_333 + "!",
    "([a-z0-9]+)*@": "x1" * 5_000,
}


@pytest.mark.parametrize("pattern", sorted(ADVERSARIAL))
def test_an_adversarial_answer_is_judged_not_frozen_on(judge: Judge, pattern: str) -> None:
    answer = ADVERSARIAL[pattern]
    assert len(answer) == 10_000
    assert judge(pattern, answer) == {"passed": False, "reason": "refused"}
    # The same pattern still takes a good answer.
    good = {"^(a+)+$": "aaa", "(a|aa)+$": "aaa", "(a*)*b": "aab", r"^(\w+\s?)+$": "ab cd", "([a-z0-9]+)*@": "x1@"}
    assert judge(pattern, good[pattern]) == {"passed": True, "reason": None}


# --- what validate refuses --------------------------------------------------------------------

REFUSED = {
    r"([A-Z]+)-\1": ("a backreference", "[a-z]+-[a-z]+"),
    r"(?P<x>a)(?P=x)": ("a backreference", "[a-z]+-[a-z]+"),
    r"(?=.*\d).{8,}": ("a lookahead (?=...)", "second regex validator"),
    r"(?!x).*": ("a negative lookahead (?!...)", "second regex validator"),
    r"(?<=a)b": ("a lookbehind (?<=...)", "second regex validator"),
    r"(?<!a)b": ("a negative lookbehind (?<!...)", "second regex validator"),
    r"(a)?(?(1)b|c)": ("a conditional group", "with |"),
    r"(?>a+)b": ("an atomic group (?>...)", "(?:...)"),
    r"a++b": ("a possessive quantifier", "drop the last +"),
    r"\bword\b": (r"a word boundary (\b)", "spell out"),
    r"(?a)\d+": ("the ASCII flag (?a)", "[0-9]"),
    r"a{1001}": ("a repeat count over 1,000 ({1001})", "max_length"),
    r"(?:(?:a{1,30}){1,30}){1,30}": ("nested repeat counts that multiply past 1,000", "max_length"),
    r"[^\W\d]+": (r"\W or \S inside [^...]", "list what the class allows"),
    "(" * 2_000 + "a" + ")" * 2_000: ("groups nested too deeply", "flatten"),
}


@pytest.mark.parametrize("pattern", sorted(REFUSED))
def test_validate_refuses_what_re2_cannot_run_naming_it(pattern: str) -> None:
    construct, hint = REFUSED[pattern]
    report = check_bytes(flow_with(pattern), "regex.yaml")
    (diag,) = report.diagnostics
    assert (diag.rule, diag.line, diag.column) == ("regex-unsupported", 11, 18)
    assert diag.message.startswith("nodes.ask.validators.0.pattern: the pattern uses ")
    assert construct in diag.message and diag.hint is not None and hint in diag.hint
    assert report.flow is None


def test_a_pattern_that_is_no_regex_is_still_an_invalid_value() -> None:
    (diag,) = check_bytes(flow_with("(a"), "regex.yaml").diagnostics
    assert diag.rule == "invalid-value" and "not a valid regular expression" in diag.message


def test_re2_writes_nothing_to_stderr_when_it_refuses() -> None:
    # RE2 logs its errors to stderr by default: under the app, that would scribble over the screen.
    script = (
        "from selfhelp.base import safe_regex as s\n"
        "try:\n    s.check('(?:(?:a{1,30}){1,30}){1,30}')\n"
        "except s.UnsupportedPattern:\n    print('refused')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=GUARD_SECONDS)
    assert (done.stdout, done.stderr) == ("refused\n", "")


# --- the same verdicts as Python's re ---------------------------------------------------------


def patterns_in_the_repository() -> set[str]:
    """Every regex validator's pattern in flows/ and tests/ (flows and scenario files)."""
    found: set[str] = set()
    for path in sorted([*(ROOT / "flows").rglob("*.yaml"), *(ROOT / "tests").rglob("*.yaml")]):
        data = load_file(path, path.name).data
        nodes = data.get("nodes") if isinstance(data, dict) else None
        for node in nodes.values() if isinstance(nodes, dict) else ():
            validators = node.get("validators") if isinstance(node, dict) else None
            for v in validators if isinstance(validators, list) else ():
                if isinstance(v, dict) and v.get("type") == "regex" and isinstance(v.get("pattern"), str):
                    found.add(v["pattern"])
    return found


#: The patterns in the tests' Python code and in docs/flow-format.md, and a few more in common use.
WRITTEN_DOWN = {r"\d+", "x+", "[0-9]{6,10}", r"[A-Z]{2}-\d{4}", r"(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}", r"\S+"}
ANSWERS = [
    "123456",
    "12345",
    "12345678901",
    "١٢٣",  # Arabic-Indic digits: Python's \d takes them
    "²",  # a superscript two is a number but not a decimal digit: Python's \d refuses it
    "x",
    "xxx",
    "AB-1234",
    "ab-1234",
    "ada@contoso.com",
    "Ada@Contoso.COM",
    "a b",
    "a\u00a0b",  # a no-break space: Python's \s takes it
    "é_1",
    "",
    "multi\nline",
]


def test_re2_judges_the_repositorys_patterns_as_python_does() -> None:
    patterns = patterns_in_the_repository()
    assert r"([A-Z]+)-\1" in patterns, "the scan finds the validators of tests/bad_flows/regex-unsupported.yaml"
    patterns.discard(r"([A-Z]+)-\1")  # which RE2 must refuse
    for pattern in sorted(patterns | WRITTEN_DOWN):
        for answer in ANSWERS:
            expected = re.fullmatch(pattern, answer) is not None
            assert safe_regex.fullmatch(pattern, answer) is expected, (pattern, answer)


@pytest.mark.parametrize(
    ("pattern", "answer", "matches"),
    [
        (r"\d+", "١٢٣", True),
        (r"\d", "²", False),
        (r"\w+", "é_1", True),
        (r"\w", "\u0301", False),  # a combining accent is no word character to Python
        (r"\s", "\u00a0", True),
        (r"\s", "\u2028", True),
        (r"\s", "\x1c", True),
        (r"\S+", "a\u00a0", False),
        (r"[\W\d]+", "1-2", True),
        (r"(?x) a b  # spaces and comments are ignored", "ab", True),
        (r"a\Z", "a", True),
        (r"(?i)straße", "STRASSE", False),
        (r"(?i)k", "\u212a", True),  # the Kelvin sign
        (r"(?i)i", "ı", False),  # the one documented difference: Python's re says True
        (r"a.c", "a\nc", False),
        (r"(?s)a.c", "a\nc", True),
        (r"(?m)a$\nb", "a\nb", True),
        (r"\u00e9\N{BULLET}", "é•", True),
    ],
)
def test_python_meanings_are_kept(pattern: str, answer: str, matches: bool) -> None:
    assert safe_regex.fullmatch(pattern, answer) is matches


def test_a_nested_set_means_what_it_means_to_python() -> None:
    # To Python, [[:alpha:]] is the set [[:alph] then a literal ] (it warns that this may change); to RE2 alone,
    # a POSIX class. The translation keeps Python's reading.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert safe_regex.fullmatch("[[:alpha:]]", ":]") is True
        assert safe_regex.fullmatch("[[:alpha:]]", "x") is False


def test_python_classes_are_the_unicode_categories_the_translation_uses() -> None:
    # safe_regex writes \w as [\p{L}\p{N}_] and \s as [\t-\r\x1c-\x1f\x85\p{Z}]: true of every code point
    # in Python's own tables (RE2's tables may be newer; letters added since count as letters there).
    word, space = re.compile(r"\w"), re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        is_word = category[0] in "LN" or char == "_"
        is_space = category in ("Zs", "Zl", "Zp") or 0x9 <= code <= 0xD or 0x1C <= code <= 0x1F or code == 0x85
        assert (word.match(char) is not None, space.match(char) is not None) == (is_word, is_space), hex(code)


def test_a_lone_surrogate_in_an_answer_is_judged_not_raised() -> None:
    assert safe_regex.fullmatch(".+", "a\ud800") is True
    assert safe_regex.fullmatch("[a-z]+", "a\ud800") is False


# --- random patterns ----------------------------------------------------------------------------

ATOMS = ["a", "b", "1", " ", "é", ".", r"\d", r"\w", r"\s", r"\D", r"\W", r"\S", "[ab]", "[^a]", r"[a\d]", r"[\W1]"]
UNSUPPORTED = [r"(a)\1", "(?=a)", "(?!b)", r"\b", "(?<=a)", "(?>a)", "a*+"]
QUANTIFIERS = ["*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?"]


def _regexes() -> st.SearchStrategy[str]:
    atom = st.sampled_from(ATOMS * 5 + UNSUPPORTED)  # one leaf in about 12 is something RE2 cannot run
    quantified = st.tuples(atom, st.sampled_from(QUANTIFIERS)).map("".join)
    leaf = st.one_of(atom, quantified)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map("|".join),
            inner.map(lambda x: f"({x})"),
            st.tuples(inner, st.sampled_from(QUANTIFIERS)).map(lambda t: f"(?:{t[0]}){t[1]}"),
            st.tuples(inner, st.sampled_from(QUANTIFIERS)).map(lambda t: f"({t[0]}){t[1]}"),
        )

    body = st.recursive(leaf, extend, max_leaves=8)
    return st.tuples(st.sampled_from(["", "^", "(?i)"]), body, st.sampled_from(["", "$"])).map("".join)


SHORT = st.text(alphabet="ab1 é_A\u00a0١\n", max_size=8).filter(lambda t: not t.endswith("\n"))


@settings(max_examples=300, deadline=None)
@given(_regexes(), st.lists(SHORT, min_size=1, max_size=6))
def test_random_patterns_are_refused_or_judged_as_python_does(pattern: str, answers: list[str]) -> None:
    # Short answers: Python's re is quick on them, so it can say what every answer should get.
    try:
        safe_regex.check(pattern)
    except safe_regex.UnsupportedPattern as exc:
        assert exc.construct and exc.hint
        return
    except re.error:
        return  # the grammar can write what Python refuses too (a reference to an open group, a repeated *+)
    for answer in answers:
        assert safe_regex.fullmatch(pattern, answer) is (re.fullmatch(pattern, answer) is not None), answer


@settings(max_examples=60, deadline=None)
@given(_regexes(), st.text(alphabet="ab1 é_", min_size=1, max_size=4), st.sampled_from(["", "!", "b", "\u00a0"]))
def test_random_patterns_with_long_answers_are_refused_or_judged(
    judge: Judge, pattern: str, unit: str, tail: str
) -> None:
    answer = (unit * 10_000)[: 10_000 - len(tail)] + tail
    verdict = judge(pattern, answer)
    refused = verdict.get("refused")
    assert refused in (["regex-unsupported"], ["invalid-value"]) or verdict.get("passed") in (True, False), verdict
