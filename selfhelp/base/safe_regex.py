"""Regular expressions written by flow authors, run on RE2 so that no answer can take long to judge.

Python's ``re`` backtracks: a pattern such as ``^(a+)+$`` takes seconds on an answer of 27 ``a``
and a ``b``, and hours on 40. RE2 never backtracks; it judges any answer in time linear in its
length. It cannot run what needs backtracking (backreferences, lookaround, ...): those patterns
are refused when the flow is checked, naming the construct and hinting at a rewrite.

Patterns keep Python's syntax and meaning (the flow format says so): Python's own parser reads
them, and the parsed pattern is written out again in RE2's syntax. ``\\d``, ``\\w`` and ``\\s`` keep
Python's Unicode meaning (RE2's own are ASCII only), ``\\Z`` becomes RE2's ``\\z``, ``(?x)`` and
Python's escapes are resolved by Python's parser. Two differences remain, both documented in
docs/flow-format.md: RE2's Unicode tables may be newer than Python's (letters added to Unicode
since count as letters), and case-insensitive matching follows Unicode case folding (a few
letters such as the dotless ``ı`` fold differently). Python's ``$`` also matches before a final
newline; answers are trimmed, so they never end with one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from re import _constants as sre  # Python's own regex parser: the one source of truth for its syntax
from re import _parser as sre_parse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import re2

#: The largest repeat count RE2 takes (``{1000}``); nested counts may not multiply past it either.
MAX_REPEAT_COUNT = 1000

#: Python's ``\w`` and ``\s`` for text, as RE2 class items (a test checks every code point of Python's tables).
_WORD = r"\p{L}\p{N}_"
_SPACE = r"\x{9}-\x{D}\x{1C}-\x{1F}\x{85}\p{Z}"
_LOOKAROUND_HINT = (
    "an answer must match the whole pattern anyway: write what is allowed directly "
    "(e.g. [^x]* instead of (?!.*x).*), or check the condition with a second regex validator "
    "(an answer must pass every validator)"
)


class UnsupportedPattern(ValueError):
    """A valid Python pattern that RE2 cannot run; names the construct and how to write it instead."""

    def __init__(self, construct: str, hint: str) -> None:
        super().__init__(f"the pattern uses {construct}, which RE2 (the engine that checks answers) cannot run")
        self.construct = construct
        """What the pattern uses, as the author wrote it (``a backreference (\\1 or (?P=name))``)."""
        self.hint = hint
        """How to write the pattern so that RE2 can run it."""


def translate(pattern: str) -> str:
    """``pattern`` (Python syntax) in RE2's syntax, with the meaning Python gives it.

    Raises:
        re.error: the pattern is not a valid Python regular expression.
        UnsupportedPattern: it is, but RE2 cannot run it.
    """
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
        return _global_flags(parsed.state.flags) + _sequence(parsed)
    except RecursionError:
        raise UnsupportedPattern(
            "groups nested too deeply to read", "flatten the pattern: a few levels of groups are plenty"
        ) from None


def check(pattern: str) -> None:
    """Raise :class:`re.error` or :class:`UnsupportedPattern` unless RE2 can judge answers with ``pattern``."""
    _compiled(pattern)


def fullmatch(pattern: str, text: str) -> bool:
    """Whether ``text`` as a whole matches ``pattern``, as Python's ``re.fullmatch`` says, in linear time."""
    compiled = _compiled(pattern)
    try:
        return compiled.fullmatch(text) is not None
    except UnicodeEncodeError:
        # RE2 reads UTF-8, which a lone surrogate cannot be written in: judge it as the replacement character.
        return compiled.fullmatch(re.sub(r"[\ud800-\udfff]", "\ufffd", text)) is not None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re2._Regexp:
    import re2  # a C extension; loaded only when a flow has a regex validator

    options = re2.Options()
    options.log_errors = False  # RE2 would write its errors to stderr, under the app's screen
    translated = translate(pattern)
    try:
        return re2.compile(translated, options=options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        raise _refusal_for(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None


def _refusal_for(message: str) -> UnsupportedPattern:
    """The refusal for a pattern RE2's own compiler rejects (what translation cannot see coming)."""
    if "repetition" in message:
        return UnsupportedPattern(
            f"nested repeat counts that multiply past {MAX_REPEAT_COUNT:,}",
            "use + or * for the inner repeats, and a max_length validator for the length",
        )
    if "too large" in message or "nest" in message:
        return UnsupportedPattern("a pattern too large for RE2", "simplify the pattern, or split it into validators")
    return UnsupportedPattern(f"something RE2 cannot compile ({message})", "simplify the pattern")


# --- writing the parsed pattern out in RE2's syntax ------------------------------------------

_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))


def _letters(flags: int) -> str:
    if flags & re.ASCII:
        raise UnsupportedPattern(
            "the ASCII flag (?a)", "write the ASCII classes out: [0-9] for digits, [A-Za-z0-9_] for word characters"
        )
    # VERBOSE was applied by the parser; UNICODE is Python's default for text.
    return "".join(letter for flag, letter in _FLAG_LETTERS if flags & flag)


def _global_flags(flags: int) -> str:
    letters = _letters(flags)
    return f"(?{letters})" if letters else ""


def _sequence(items: Iterable[tuple[Any, Any]]) -> str:
    return "".join(_item(op, av) for op, av in items)


def _item(op: Any, av: Any) -> str:
    if op is sre.LITERAL:
        return _char(av)
    if op is sre.NOT_LITERAL:
        return f"[^{_char(av)}]"
    if op is sre.ANY:
        return "."
    if op is sre.IN:
        return _class(av)
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(alt) for alt in av[1]) + ")"
    if op is sre.SUBPATTERN:
        _group, add, remove, body = av
        on, off = _letters(add), _letters(remove)
        return f"(?{on}{'-' + off if off else ''}:{_sequence(body)})"
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, body = av
        lazy = "?" if op is sre.MIN_REPEAT else ""
        return f"(?:{_sequence(body)}){_quantifier(low, high)}{lazy}"
    if op is sre.AT:
        return _anchor(av)
    raise _refused_op(op, av)


def _quantifier(low: int, high: int) -> str:
    for count in (low, high):
        if count is not sre.MAXREPEAT and count > MAX_REPEAT_COUNT:
            raise UnsupportedPattern(
                f"a repeat count over {MAX_REPEAT_COUNT:,} ({{{count}}})",
                "use + or * and a max_length validator for the length",
            )
    if high is sre.MAXREPEAT:
        return {0: "*", 1: "+"}.get(low, f"{{{low},}}")
    if (low, high) == (0, 1):
        return "?"
    return f"{{{low}}}" if low == high else f"{{{low},{high}}}"


def _anchor(at: Any) -> str:
    anchors = {sre.AT_BEGINNING: "^", sre.AT_BEGINNING_STRING: r"\A", sre.AT_END: "$", sre.AT_END_STRING: r"\z"}
    if at in anchors:
        return anchors[at]
    escape = r"\b" if at is sre.AT_BOUNDARY else r"\B"
    raise UnsupportedPattern(
        f"a word boundary ({escape})",
        "the pattern matches the whole answer: spell out the characters on each side instead "
        "(RE2's word boundaries know only ASCII letters)",
    )


def _refused_op(op: Any, av: Any) -> UnsupportedPattern:
    if op is sre.GROUPREF:
        return UnsupportedPattern(
            r"a backreference (\1 or (?P=name))",
            r"match each part on its own, e.g. [a-z]+-[a-z]+ instead of ([a-z]+)-\1",
        )
    if op is sre.GROUPREF_EXISTS:
        return UnsupportedPattern("a conditional group (?(1)...|...)", "write the alternatives out with |")
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        ahead = av[0] >= 0
        kind = ("" if op is sre.ASSERT else "negative ") + ("lookahead" if ahead else "lookbehind")
        syntax = {(True, True): "(?=...)", (True, False): "(?!...)", (False, True): "(?<=...)"}
        return UnsupportedPattern(f"a {kind} {syntax.get((ahead, op is sre.ASSERT), '(?<!...)')}", _LOOKAROUND_HINT)
    if op is sre.ATOMIC_GROUP:
        return UnsupportedPattern("an atomic group (?>...)", "write a plain group (?:...): RE2 never backtracks")
    if op is sre.POSSESSIVE_REPEAT:
        return UnsupportedPattern(
            "a possessive quantifier (*+, ++, ?+ or {m,n}+)", "drop the last +: RE2 never backtracks"
        )
    return UnsupportedPattern(f"a construct RE2 cannot run ({op})", "rewrite it with plainer constructs")


def _char(code: int) -> str:
    """One character, written so that RE2 reads it literally both in and out of a class."""
    char = chr(code)
    return char if char.isascii() and char.isalnum() else f"\\x{{{code:X}}}"


def _class(items: list[tuple[Any, Any]]) -> str:
    """A character class; Python's ``\\W`` and ``\\S`` are classes of their own, so they become alternatives."""
    negated = bool(items) and items[0][0] is sre.NEGATE
    parts: list[str] = []
    complements: list[str] = []
    for op, av in items[1:] if negated else items:
        if op is sre.LITERAL:
            parts.append(_char(av))
        elif op is sre.RANGE:
            parts.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is sre.CATEGORY and av in _CATEGORIES:
            parts.append(_CATEGORIES[av])
        elif op is sre.CATEGORY and av in _COMPLEMENTS:
            complements.append(_COMPLEMENTS[av])
        else:
            raise _refused_op(op, av)
    if not complements:
        return f"[{'^' if negated else ''}{''.join(parts)}]"
    if negated:
        raise UnsupportedPattern(
            r"\W or \S inside [^...]", r"list what the class allows instead, e.g. [\w] rather than [^\W]"
        )
    alternatives = ([f"[{''.join(parts)}]"] if parts else []) + [f"[^{c}]" for c in complements]
    return "(?:" + "|".join(alternatives) + ")"


_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\p{Nd}",
    sre.CATEGORY_NOT_DIGIT: r"\P{Nd}",
    sre.CATEGORY_WORD: _WORD,
    sre.CATEGORY_SPACE: _SPACE,
}
_COMPLEMENTS = {sre.CATEGORY_NOT_WORD: _WORD, sre.CATEGORY_NOT_SPACE: _SPACE}
