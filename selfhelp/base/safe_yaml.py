"""Load one YAML file safely, remembering where every value came from.

PyYAML's own loaders either run code (``yaml.Loader``) or lose positions and
silently keep the last of two duplicate keys (``yaml.safe_load``). This module
parses events and nodes with PyYAML's safe machinery and builds plain Python
values itself, so that:

- only the standard scalar, mapping and sequence tags are accepted: a tag that
  would construct an object is an error, never executed;
- duplicate keys are reported, not silently dropped;
- alias expansion is measured before anything is expanded ("billion laughs");
- nesting depth, file size and encoding are checked before parsing;
- every value's line and column is kept under its path, so later checks can
  point at the exact place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from selfhelp.base.diagnostics import Diagnostic, Severity

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_EXPANDED_VALUES = 100_000

Path_ = tuple[str | int, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass
class LoadedYaml:
    """The result of loading one file: its data (``None`` if unusable), positions and problems."""

    data: Any
    """The plain Python value of the document, or ``None`` when it could not be built."""
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of the value at each path."""
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of the mapping key that introduces each path."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Everything wrong with the file as YAML."""

    def position(self, path: Path_, *, prefer_key: bool = False) -> tuple[int, int]:
        """The closest known position of ``path``, walking up to its parents if needed."""
        for cut in range(len(path), -1, -1):
            sub = path[:cut]
            if prefer_key and sub in self.keys:
                return self.keys[sub]
            if sub in self.values:
                return self.values[sub]
            if sub in self.keys:
                return self.keys[sub]
        return (1, 1)


class _Refused(Exception):
    """Raised inside the loader when the file must not be loaded any further."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def load_file(path: Path, display: str, duplicate_rules: dict[Path_, str] | None = None) -> LoadedYaml:
    """Read and load one YAML file; every problem comes back as a diagnostic, never an exception."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _refused(display, "unreadable-file", f"cannot read the file: {exc.strerror or exc}", None)
    return load_bytes(raw, display, duplicate_rules)


def load_bytes(raw: bytes, display: str, duplicate_rules: dict[Path_, str] | None = None) -> LoadedYaml:
    """Load YAML from bytes; see :func:`load_file`."""
    try:
        text = _decode(raw, display)
        _check_events(text, display)
        node = _compose(text, display)
        if node is None:
            raise _Refused(
                _whole_file(
                    display,
                    "empty-file",
                    "the file holds no YAML document",
                    "write the flow's fields, starting with id:",
                )
            )
        _check_expansion(node, display)
    except _Refused as refused:
        return LoadedYaml(data=None, problems=[refused.diag])
    builder = _Builder(display, duplicate_rules or {})
    data = builder.build(node, ())
    return LoadedYaml(data=data, values=builder.values, keys=builder.keys, problems=builder.problems)


def top_level_text(raw: bytes, key: str) -> str | None:
    """The text :func:`load_bytes` would give the top-level ``key`` of ``raw``, reading no further than that value.

    PyYAML's own parser (the one the composer uses) is followed event by event
    and stopped at the value, so a file whose ``key`` comes first costs next to
    nothing, however long it is. The answer is certain as far as it goes: the
    whole load either gives this text at ``key`` or fails. ``None`` whenever it
    is not certain: the root is not one mapping, the value is not plain text (a
    number, a collection, a tag, an alias), an alias is a key before it (it could
    stand for ``key``), or YAML fails before the value.
    """
    try:
        return _first_text(yaml.parse(_decode(raw, ""), Loader=yaml.SafeLoader), key)
    except (_Refused, yaml.YAMLError):
        return None


def _first_text(events: Iterator[yaml.Event], key: str) -> str | None:
    """See :func:`top_level_text`: the first ``key`` of the root mapping wins, as in :meth:`_Builder._mapping`."""
    for event in events:
        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent)):
            continue
        if not isinstance(event, yaml.MappingStartEvent) or _resolved(event, yaml.MappingNode) != _MAP_TAG:
            return None  # no document, or its root is not a mapping
        break
    else:
        return None
    depth = 1  # the root mapping
    is_key = True  # at depth 1, nodes alternate: key, value
    wanted = False
    for event in events:
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if depth == 1 and wanted:
                return None  # a collection: not text (a complex key is skipped whole, as the builder skips it)
            depth += 1
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            if depth == 0:
                return None  # the root mapping ended without the key
            if depth == 1:
                is_key = not is_key
            continue
        if depth > 1:
            continue
        if isinstance(event, yaml.AliasEvent):
            if is_key or wanted:
                return None
        elif isinstance(event, yaml.ScalarEvent):
            if wanted:
                return event.value if _resolved(event, yaml.ScalarNode) == _STR_TAG else None
            if is_key:
                wanted = event.value == key and _resolved(event, yaml.ScalarNode) in _SCALAR_TAGS
        is_key = not is_key
    return None


def _resolved(event: yaml.NodeEvent, kind: type[yaml.Node]) -> str:
    """The tag the composer gives the node of ``event``."""
    tag = getattr(event, "tag", None)
    if tag is None or tag == "!":
        value = event.value if isinstance(event, yaml.ScalarEvent) else None
        return str(_RESOLVER.resolve(kind, value, event.implicit))
    return str(tag)


_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _refused(display: str, rule: str, message: str, hint: str | None) -> LoadedYaml:
    return LoadedYaml(data=None, problems=[_whole_file(display, rule, message, hint)])


def _whole_file(display: str, rule: str, message: str, hint: str | None, line: int = 0, col: int = 0) -> Diagnostic:
    return Diagnostic(
        file=display, line=line, column=col, severity=Severity.error, rule=rule, message=message, hint=hint
    )


def _decode(raw: bytes, display: str) -> str:
    if len(raw) > MAX_BYTES:
        raise _Refused(
            _whole_file(
                display,
                "file-too-large",
                f"the file is {len(raw):,} bytes; flows may be at most {MAX_BYTES:,}",
                "split the flow into several flows",
            )
        )
    if b"\x00" in raw:
        raise _Refused(
            _whole_file(
                display, "binary-file", "the file holds NUL bytes: it is not a text file", "flows are UTF-8 text files"
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        # Columns count characters, as YAML's own positions do; the bytes before the bad one are valid UTF-8.
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise _Refused(
            _whole_file(
                display,
                "not-utf8",
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                "save the file as UTF-8",
                line,
                col,
            )
        ) from None
    if not text.strip():
        raise _Refused(
            _whole_file(display, "empty-file", "the file is empty", "write the flow's fields, starting with id:")
        )
    return text


#: Errors PyYAML reports where it gave up (often the end of the file), naming in ``context_mark``
#: the mark that was opened and never closed: what to call that mark, and what closes it.
_OPENERS = {
    "while scanning a quoted scalar": ("quote", None),
    "while parsing a flow sequence": ("[", "]"),
    "while parsing a flow mapping": ("{", "}"),
}


def _mark_error(display: str, exc: yaml.YAMLError, text: str) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    opened = getattr(exc, "context_mark", None)
    if context in _OPENERS and opened is not None and mark is not None:
        return _unclosed(display, _OPENERS[context], opened, mark, str(problem), text)
    message = f"{context}: {problem}" if context else str(problem)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    hint = "check indentation, colons and quotes near this place"
    if "\\t" in message or "\t" in message or "tab" in message:  # PyYAML shows a tab escaped, as \t
        hint = "YAML indents with spaces, never tabs"
    elif mark is not None:
        runaway = _runaway_quote(text, mark)
        if runaway is not None:
            quote = text[runaway.index]
            return _whole_file(
                display,
                "yaml-syntax",
                f"the {quote} opened here runs on to line {mark.line + 1}, where YAML then fails at column "
                f"{mark.column + 1}: {problem}",
                f"close it with {quote} on line {runaway.line + 1}",
                runaway.line + 1,
                runaway.column + 1,
            )
    return _whole_file(display, "yaml-syntax", message, hint, line, col)


def _unclosed(
    display: str, opener: tuple[str, str | None], opened: yaml.Mark, gave_up: yaml.Mark, problem: str, text: str
) -> Diagnostic:
    """Point at the quote or bracket that was opened, saying where YAML gave up (or where the file ended)."""
    what, closer = opener
    if what == "quote":
        what = closer = text[opened.index] if 0 <= opened.index < len(text) else '"'
    if gave_up.index >= len(text.rstrip()):
        # PyYAML's end of the stream is the start of the line after the last newline: name the last line.
        last_line = gave_up.line if gave_up.column == 0 and gave_up.line > 0 else gave_up.line + 1
        where = f"the file ends at line {last_line} without closing it"
    else:
        where = f"at line {gave_up.line + 1}, column {gave_up.column + 1}: {problem}"
    return _whole_file(
        display,
        "yaml-syntax",
        f"the {what} opened here is not closed ({where})",
        f"close it with {closer}, or remove it",
        opened.line + 1,
        opened.column + 1,
    )


def _runaway_quote(text: str, gave_up: yaml.Mark) -> yaml.Mark | None:
    """Where a quoted text starts that runs over several lines and ends on the line where YAML gave up.

    ``title: "A flow`` without its closing quote swallows the next line up to its first quote, and the
    parser only stumbles after it: the mistake is where the quote opened, lines earlier.
    """
    last: yaml.ScalarToken | None = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= gave_up.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last = token
    except yaml.YAMLError:
        pass  # the scanner stopped on its own mistake: the tokens before it are all there is
    if last is None or last.start_mark.line == last.end_mark.line or last.end_mark.line != gave_up.line:
        return None
    return last.start_mark


#: libyaml's parser, when PyYAML was built with it: the same events, some fifty times faster than PyYAML's own.
_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)


def _check_events(text: str, display: str) -> None:
    """Walk the event stream (no recursion) to refuse deep nesting before composing.

    Depth is measured through aliases too: an alias stands for its anchor's whole value, so
    ``a1: &a1 [*a0]``, ``a2: &a2 [*a1]``, ... builds a value as deep as the chain is long even
    though every line is shallow.

    The walk runs on libyaml's parser when there is one: it is most of the time
    it takes to load a flow, paid before the first question of a cold start. If
    libyaml finds anything wrong, PyYAML's own parser walks again, so problems
    are reported in PyYAML's words, as the composer (always PyYAML's) would.
    """
    if _FAST_LOADER is not None:
        try:
            _walk_events(text, display, _FAST_LOADER)
            return
        except _Refused:
            raise
        except Exception:  # libyaml's verdict only; PyYAML's walk below says what is wrong, and where
            pass
    try:
        _walk_events(text, display, yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _Refused(_mark_error(display, exc, text)) from None


def _reach(open_: list[tuple[str | None, int, int]], level: int) -> None:
    """Note that the innermost open collection holds something at ``level``."""
    if open_ and level > open_[-1][2]:
        anchor, start, _ = open_[-1]
        open_[-1] = (anchor, start, level)


def _too_deep(display: str, mark: yaml.Mark, alias: str | None) -> Diagnostic:
    if alias is None:
        message = f"the file nests more than {MAX_DEPTH} levels deep"
        hint = "flows need only a few levels of nesting"
    else:
        shown = alias if len(alias) <= 40 else alias[:40] + "..."
        message = f"through the alias *{shown}, the value nests more than {MAX_DEPTH} levels deep"
        hint = "flows need only a few levels of nesting: use fewer anchors and aliases, or none"
    return _whole_file(display, "too-deep", message, hint, mark.line + 1, mark.column + 1)


def _walk_events(text: str, display: str, loader: type) -> None:
    """Refuse nesting past :data:`MAX_DEPTH`, counting what each alias stands for.

    Each anchor's height is known when its value ends, before any alias can refer to it.
    """
    depth = 0
    heights: dict[str, int] = {}
    # One entry per open collection: its anchor, its depth, and the deepest level reached inside it.
    open_: list[tuple[str | None, int, int]] = []
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(_too_deep(display, event.start_mark, None))
            if event.anchor is not None:
                heights.pop(event.anchor, None)  # a redefined anchor is not known until it ends
            open_.append((event.anchor, depth, depth))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, start, deepest = open_.pop()
            if anchor is not None:
                heights[anchor] = deepest - start + 1
            _reach(open_, deepest)
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
            heights[event.anchor] = 0
        elif isinstance(event, yaml.AliasEvent):
            reached = depth + heights.get(event.anchor, 0)
            if reached > MAX_DEPTH:
                raise _Refused(_too_deep(display, event.start_mark, event.anchor))
            _reach(open_, reached)


def _compose(text: str, display: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _Refused(_mark_error(display, exc, text)) from None


def _check_expansion(root: yaml.Node, display: str) -> None:
    """Refuse a document whose aliases would expand past the limit, without expanding them."""
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done and id(node) in entered:
            # Met again below itself: an alias inside its own anchor (`a: &a [*a]`) expands forever.
            mark = node.start_mark
            raise _Refused(
                _whole_file(
                    display,
                    "alias-expansion",
                    "an alias refers to the anchor that contains it, so it expands forever",
                    "use fewer anchors and aliases, or none",
                    mark.line + 1,
                    mark.column + 1,
                )
            )
        entered.add(id(node))
        kids = _children(node)
        if children_done or not kids:
            sizes[id(node)] = 1 + sum(sizes.get(id(k), 1) for k in kids)
            if sizes[id(node)] > MAX_EXPANDED_VALUES:
                mark = node.start_mark
                raise _Refused(
                    _whole_file(
                        display,
                        "alias-expansion",
                        f"aliases expand the document past {MAX_EXPANDED_VALUES:,} values",
                        "use fewer anchors and aliases, or none",
                        mark.line + 1,
                        mark.column + 1,
                    )
                )
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _Builder:
    """Turns a composed node tree into plain values, recording positions and problems."""

    def __init__(self, display: str, duplicate_rules: dict[Path_, str]) -> None:
        self.display = display
        self.duplicate_rules = duplicate_rules
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Diagnostic] = []
        self._constructor = yaml.SafeLoader("")

    def _problem(self, node: yaml.Node, rule: str, message: str, hint: str | None) -> None:
        mark = node.start_mark
        self.problems.append(
            Diagnostic(
                file=self.display,
                line=mark.line + 1,
                column=mark.column + 1,
                severity=Severity.error,
                rule=rule,
                message=message,
                hint=hint,
            )
        )

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                return self._bad_tag(node)
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                return self._bad_tag(node)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates are only ever text in a flow
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ValueError, KeyError, yaml.YAMLError):
            # `!!int abc`, `!!bool maybe`, or a number too long for Python to convert: say so, keep the text.
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
            kind = node.tag.rsplit(":", 1)[-1]
            self._problem(
                node,
                "invalid-value",
                f"{shown!r} is not a valid !!{kind}",
                "remove the tag, or put the value in quotes",
            )
            return node.value

    def _bad_tag(self, node: yaml.Node) -> None:
        self._problem(
            node,
            "unsafe-tag",
            f"the tag {node.tag!r} is not allowed",
            "flows use plain YAML values only: remove the tag",
        )
        return None

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(
                    key_node, "unsafe-tag", "merge keys (<<) are not supported", "write the fields out in full"
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self._problem(
                    key_node, "yaml-key", "a mapping key must be a plain scalar", "use a simple word as the key"
                )
                continue
            # Keys stay as written: `no:` or `on:` must not turn into booleans.
            key = key_node.value
            if key in first_seen:
                first = first_seen[key].start_mark
                rule = self.duplicate_rules.get(path, "duplicate-key")
                self._problem(
                    key_node,
                    rule,
                    f"{key!r} is given twice (first at line {first.line + 1})",
                    "remove or rename one of them; YAML would silently keep only the last",
                )
                continue
            first_seen[key] = key_node
            child = (*path, key)
            self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        return result
