"""Check flow files: YAML safety, the schema and the graph rules, every problem in one run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from selfhelp.base.diagnostics import Diagnostic, display_path, has_errors
from selfhelp.base.safe_yaml import LoadedYaml, load_bytes, load_file
from selfhelp.base.suggest import did_you_mean
from selfhelp.flow import models
from selfhelp.flow.cascade import Cascade, SchemaProblem
from selfhelp.flow.content_rules import SectionLookup, check_content, check_sources
from selfhelp.flow.graph import FlowGraph, Path_
from selfhelp.flow.lint_config import load_config, waiver_problem
from selfhelp.flow.rules import severity_of
from selfhelp.flow.sources import find_config, flow_files

#: Which model describes the mapping found under a key, for did-you-mean hints.
_MODEL_UNDER_KEY: dict[str, type[BaseModel]] = {
    "choices": models.Choice,
    "validators": models.InputValidator,
    "next": models.Branch,
    "when": models.Condition,
    "links": models.Link,
    "collect": models.CollectField,
    "matching": models.MatchSettings,
}
_NODE_MODELS: dict[str, type[BaseModel]] = {
    "question": models.QuestionNode,
    "input": models.InputNode,
    "match": models.MatchNode,
    "cause": models.CauseNode,
    "outcome": models.OutcomeNode,
    "check": models.CheckNode,
}


@dataclass
class FileReport:
    """What checking one file found: the flow (when it has no errors) and every problem."""

    path: Path
    display: str
    flow: models.Flow | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    loaded: LoadedYaml | None = None
    """The file's data and positions, for checks across files."""

    @property
    def ok(self) -> bool:
        """Whether the flow can be used (warnings allowed)."""
        return self.flow is not None and not has_errors(self.diagnostics)


class _Checker:
    """Checks one loaded file; collects diagnostics with positions."""

    def __init__(
        self,
        display: str,
        loaded: LoadedYaml,
        disabled: Mapping[str, str] | None = None,
        *,
        flow_file: Path | None = None,
        sections: SectionLookup | None = None,
    ) -> None:
        self.display = display
        self.loaded = loaded
        self.disabled = dict(disabled or {})
        self.diags: list[Diagnostic] = list(loaded.problems)
        self.node_waivers = self._node_waivers()
        self.flow_file = flow_file
        self.sections = sections
        """Names an article's sections, for ``source-unknown`` (see :data:`SectionLookup`)."""
        self.schema_problems: list[SchemaProblem] = []
        self.cascade: Cascade | None = None
        """Set once the schema is checked: which graph problems follow from a schema problem."""

    def _lint_off_entries(self) -> list[tuple[str, Any, Any]]:
        """Every ``(node id, rule id, reason)`` written under a node's ``lint_off``, however malformed."""
        nodes = self.loaded.data.get("nodes") if isinstance(self.loaded.data, Mapping) else None
        entries: list[tuple[str, Any, Any]] = []
        for nid, raw in nodes.items() if isinstance(nodes, Mapping) else ():
            lint_off = raw.get("lint_off") if isinstance(raw, Mapping) else None
            entries += [(nid, r, why) for r, why in lint_off.items()] if isinstance(lint_off, Mapping) else []
        return entries

    def _node_waivers(self) -> dict[str, dict[str, str]]:
        """Each node's well-formed ``lint_off`` entries (malformed ones are reported by _check_waivers)."""
        waivers: dict[str, dict[str, str]] = {}
        for nid, rule_id, reason in self._lint_off_entries():
            if waiver_problem(rule_id, reason) is None:
                waivers.setdefault(nid, {})[rule_id] = reason
        return waivers

    def _suppressed(self, rule: str, path: Path_) -> str | None:
        """Why a problem at ``path`` is switched off, or ``None``."""
        if len(path) >= 2 and path[0] == "nodes" and isinstance(path[1], str):
            reason = self.node_waivers.get(path[1], {}).get(rule)
            if reason is not None:
                return f"lint_off on node {path[1]!r}: {reason}"
        if rule in self.disabled:
            return f".selfhelp.yaml: {self.disabled[rule]}"
        return None

    def _check_waivers(self) -> None:
        for nid, rule_id, reason in self._lint_off_entries():
            problem = waiver_problem(rule_id, reason)
            if problem:
                self.report("lint-config", ("nodes", nid, "lint_off", rule_id), *problem, prefer_key=True)

    def report(
        self, rule: str, path: Path_, message: str, hint: str | None = None, *, prefer_key: bool = False
    ) -> None:
        if self.cascade is not None and self.cascade.explains(rule, path):
            return  # the schema problem behind it is reported: one cause, one report
        where = self.loaded.position(path, prefer_key=prefer_key)
        self.diags.append(_diagnostic(self.display, where, rule, message, hint, self._suppressed(rule, path)))

    def run(self) -> models.Flow | None:
        data = self.loaded.data
        if data is None and self.loaded.problems:
            return None
        if not isinstance(data, Mapping):
            self.report(
                "not-a-flow",
                (),
                "the document is not a mapping of flow fields",
                "a flow file starts with fields such as id:, title:, start: and nodes:",
            )
            return None
        flow = self._schema(data)
        self.cascade = Cascade(FlowGraph.from_raw(data), self.schema_problems)
        self._graph(data)
        self._content(data)
        self._check_waivers()
        return flow

    # --- schema -----------------------------------------------------------------

    def _schema(self, data: Mapping[str, Any]) -> models.Flow | None:
        try:
            return models.Flow.model_validate(data)
        except ValidationError as exc:
            seen: set[tuple[Path_, str]] = set()
            found: list[tuple[Any, Path_, str]] = []
            for err in exc.errors(include_url=False):
                path = self._data_path(data, err["loc"])
                if err["loc"][-1] in ("str", "constrained-str") and isinstance(_get(data, path), list):
                    continue  # `next:` is text or a list; when a list is given, only the list's errors matter
                rule = self._rule_for(err)
                if (path, rule) in seen:
                    continue  # a union reports once per member; one report a place is enough
                seen.add((path, rule))
                found.append((err, path, rule))
            self.schema_problems = [
                SchemaProblem(rule, path, self._meant(data, path) if rule == "unknown-field" else None)
                for _, path, rule in found
            ]
            misspelt = {sp.concerns for sp in self.schema_problems if sp.rule == "unknown-field"}
            for err, path, rule in found:
                if rule == "missing-field" and path in misspelt:
                    continue  # the unknown field beside it is this field misspelt, and its hint says so
                self._schema_error(data, err, path, rule)
            return None

    def _meant(self, data: Mapping[str, Any], path: Path_) -> str | None:
        """The known field an unknown field at ``path`` misspells: the one its did-you-mean hint names."""
        model = self._model_at(data, path[:-1])
        if model is None:
            return None
        hint = did_you_mean(str(path[-1]), model.model_fields)
        return next((f for f in model.model_fields if hint is not None and hint == did_you_mean(f, [f])), None)

    @staticmethod
    def _data_path(data: Any, loc: tuple[Any, ...]) -> Path_:
        """Keep the parts of a pydantic location that name real keys or indexes (drop union tags)."""
        path: list[str | int] = []
        current = data
        for i, part in enumerate(loc):
            if i == 2 and loc[0] == "nodes" and isinstance(current, Mapping) and current.get("kind") == part:
                continue  # the node's union tag, even when a field shares its name (a check step's check:)
            if _has(current, part):
                current = current[part]
                path.append(part)
            elif part == loc[-1] and isinstance(current, Mapping) and isinstance(part, str):
                path.append(part)  # a missing or unknown field: name it
        return tuple(path)

    @staticmethod
    def _rule_for(err: Any) -> str:
        kind = err["type"]
        loc = err["loc"]
        if kind == "extra_forbidden":
            return "unknown-field"
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            return "unknown-kind"
        if kind == "missing":
            return "start-missing" if loc == ("start",) else "missing-field"
        if kind == models.REGEX_UNSUPPORTED:
            return "regex-unsupported"
        return "invalid-value"

    def _schema_error(self, data: Mapping[str, Any], err: Any, path: Path_, rule: str) -> None:
        where = _where(path)
        if rule == "unknown-field":
            field_name = str(path[-1])
            model = self._model_at(data, path[:-1])
            hint = did_you_mean(field_name, model.model_fields) if model else None
            if model and not hint:
                hint = "allowed here: " + ", ".join(model.model_fields)
            self.report(rule, path, f"unknown field {field_name!r}", hint, prefer_key=True)
        elif rule == "unknown-kind":
            kind = _get(data, path).get("kind") if isinstance(_get(data, path), Mapping) else None
            what = f"unknown node kind {kind!r}" if kind is not None else "the node has no kind"
            hint = did_you_mean(str(kind), models.NODE_KINDS) if kind is not None else None
            self.report(
                rule,
                (*path, "kind") if kind is not None else path,
                what,
                hint or "kind is one of: " + ", ".join(models.NODE_KINDS),
            )
        elif rule == "start-missing":
            self.report(rule, (), "the flow names no start node", "add start: with the id of the first node")
        elif rule == "missing-field":
            self.report(rule, path[:-1], f"{where}: required field {path[-1]!r} is missing", None, prefer_key=True)
        elif path[-1:] == ("[key]",):
            # A bad mapping key (a node id): point at the key itself, not at its value.
            where = _where(path[:-2])
            self.report(
                rule, path[:-1], f"{where}: key {path[-2]!r}: {_plain(err['msg'])}", _hint_for(err), prefer_key=True
            )
        else:
            self.report(rule, path, f"{where}: {_plain(err['msg'])}", _hint_for(err))

    def _model_at(self, data: Mapping[str, Any], path: Path_) -> type[BaseModel] | None:
        """The model describing the mapping at ``path``, judged by the key it sits under."""
        if not path:
            return models.Flow
        if path == ("source",):
            return models.SourceRef
        if len(path) == 2 and path[0] == "nodes":
            kind = _get(data, path).get("kind") if isinstance(_get(data, path), Mapping) else None
            return _NODE_MODELS.get(str(kind))
        keys = [p for p in path if isinstance(p, str)]
        return _MODEL_UNDER_KEY.get(keys[-1]) if keys else None

    # --- graph ------------------------------------------------------------------

    def _graph(self, data: Mapping[str, Any]) -> None:
        graph = FlowGraph.from_raw(data)
        ids = list(graph.nodes)
        if graph.start is not None and graph.start not in graph.nodes and ids:
            self.report(
                "start-unknown",
                ("start",),
                f"the start node {graph.start!r} does not exist",
                did_you_mean(graph.start, ids),
            )
        kinds = {nid: n.kind for nid, n in graph.nodes.items()}
        for node in graph.nodes.values():
            for edge in node.written:
                if edge.target not in graph.nodes:
                    self.report(
                        "dangling-target",
                        edge.path,
                        f"node {node.id!r} leads to {edge.target!r}, which does not exist",
                        did_you_mean(edge.target, ids),
                    )
                elif edge.path[-2:-1] == ("candidates",) and kinds[edge.target] != "cause":
                    self.report(
                        "candidate-not-cause",
                        edge.path,
                        f"match candidate {edge.target!r} is not a cause node (its kind is {kinds[edge.target]})",
                        "list only cause nodes that declare errors: as candidates",
                    )
            for cpath in node.targetless_choices:
                self.report(
                    "choice-without-target",
                    cpath,
                    f"a choice of node {node.id!r} leads nowhere",
                    "add goto: with the id of the node it leads to",
                )
            self._node_rules(data, node.id, graph)
        self._reachability(graph)
        self._values(graph)

    def _node_rules(self, data: Mapping[str, Any], node_id: str, graph: FlowGraph) -> None:
        node = graph.nodes[node_id]
        raw = _get(data, ("nodes", node_id))
        path: Path_ = ("nodes", node_id)
        if node.kind not in _NODE_MODELS or not isinstance(raw, Mapping):
            return  # already reported by the schema check
        if node.kind == "match":
            if "no_match" not in raw:
                self.report(
                    "match-no-fallback",
                    path,
                    f"match step {node_id!r} has no way on when nothing matches",
                    "add no_match: with the node to ask questions from instead",
                    prefer_key=True,
                )
            if not any(e.label == "matched" for e in node.edges):
                self.report(
                    "match-no-patterns",
                    path,
                    f"match step {node_id!r} has no cause with error patterns to match",
                    "give the cause nodes it may match errors: lists",
                    prefer_key=True,
                )
        elif node.kind != "outcome" and not node.edges and not node.targetless_choices:
            self.report(
                "dead-end",
                path,
                f"{node.kind} node {node_id!r} has no way on",
                "add next: or choices:, or make it an outcome",
                prefer_key=True,
            )

    def _reachability(self, graph: FlowGraph) -> None:
        if graph.start in graph.nodes:
            reached = graph.reachable_from([graph.start])
            for nid in graph.nodes:
                if nid not in reached:
                    self.report(
                        "unreachable-node",
                        ("nodes", nid),
                        f"node {nid!r} cannot be reached from the start {graph.start!r}",
                        "lead to it from another node, or remove it",
                        prefer_key=True,
                    )
        stuck = set(graph.nodes) - graph.can_reach_outcome()
        for group in graph.cycles_among(stuck):
            names = ", ".join(repr(g) for g in group)
            self.report(
                "trap-cycle",
                ("nodes", group[0]),
                f"the cycle {names} never reaches an outcome",
                "give one of these nodes a way to an outcome",
                prefer_key=True,
            )

    def _content(self, data: Mapping[str, Any]) -> None:
        """What nodes say (see :mod:`selfhelp.flow.content_rules`), and their sources when the article is known."""
        findings = check_content(data)
        if self.sections is not None and self.flow_file is not None:
            findings += check_sources(data, self.flow_file, self.sections)
        for found in findings:
            hint = (did_you_mean(*found.closest_of) if found.closest_of else None) or found.hint
            self.report(found.rule, found.path, found.message, hint, prefer_key=found.prefer_key)

    def _values(self, graph: FlowGraph) -> None:
        stored = {name for n in graph.nodes.values() for name in n.stores}
        for node in graph.nodes.values():
            for name, path in node.uses:
                if name not in stored:
                    self.report(
                        "value-used-not-set",
                        path,
                        f"the value {name!r} is used but no node keeps it",
                        did_you_mean(name, stored) or "keep it with store: on an input or question node",
                    )


def _has(data: Any, part: Any) -> bool:
    """Whether ``data[part]`` names a real key or index of the loaded data."""
    if isinstance(data, Mapping):
        return part in data
    return isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        if _has(data, part):
            data = data[part]
        else:
            return None
    return data


def _where(path: Path_) -> str:
    """A path as ``nodes.ask.choices.0``; a key that is not plain printable text is quoted, so that
    control characters in a flow never reach the terminal raw."""
    parts = [str(p) if isinstance(p, int) or (p.isprintable() and "." not in p) else repr(p) for p in path]
    return ".".join(parts) or "the flow"


def _plain(msg: str) -> str:
    """Pydantic messages, with the 'Value error, ' prefix of custom validators dropped."""
    return msg.removeprefix("Value error, ")


#: What a value breaking each pattern of the flow format should look like.
_PATTERN_HINTS: dict[str, str] = {
    models.ID_PATTERN: "ids are lower-case letters, digits, - and _",
    models.NAME_PATTERN: "value names are lower-case letters, digits and _, and do not start with a digit",
    models.URL_PATTERN: "a link's url is an http:// or https:// address, with no spaces",
}


def _hint_for(err: Any) -> str | None:
    kind = err["type"]
    given = err.get("input")
    if kind == "string_type" and isinstance(given, (bool, int, float)):
        return "YAML read this as a number or yes/no: put it in quotes"
    if kind in ("int_type", "float_type") and isinstance(given, str):
        return "write the number without quotes"
    if kind == "bool_type":
        return "write true or false, without quotes" if isinstance(given, str) else "write true or false"
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(str(err.get("ctx", {}).get("pattern")), "check the value's form")
    if kind in ("list_type", "dict_type"):
        return "check the indentation and the - of list items"
    if kind == "enum":
        return None  # pydantic's message already lists the allowed values
    if kind == models.REGEX_UNSUPPORTED:
        return str(err["ctx"]["hint"])
    return None


def check_bytes(raw: bytes, display: str, *, disabled: Mapping[str, str] | None = None) -> FileReport:
    """Check a flow given as bytes (tests and editors use this); ``disabled`` maps rule ids off, with reasons."""
    loaded = load_bytes(raw, display, {("nodes",): "duplicate-node-id"})
    return _finish(Path(display), display, loaded, disabled or {}, [], from_file=False)


def check_file(path: Path, *, sections: SectionLookup | None = None, examples: bool = False) -> FileReport:
    """Check one flow file, with the rules its nearest ``.selfhelp.yaml`` switches off.

    With ``sections``, nodes' ``source`` names are checked against the sections of the flow's article.
    With ``examples``, the flow's examples file is checked too (``selfhelp validate``); otherwise it is
    left to the matcher, which reads it on first use, so loading flows to start the app never reads it.
    """
    display = display_path(path)
    loaded = load_file(path, display, {("nodes",): "duplicate-node-id"})
    config_path = find_config(path.parent)
    config, config_problems = load_config(config_path) if config_path else (None, ())
    disabled = config.lint.disable if config else {}
    report = _finish(path, display, loaded, disabled, list(config_problems), sections, from_file=True)
    if examples and report.flow is not None:
        report.diagnostics += _examples_problems(report.flow, path)
        if has_errors(report.diagnostics):
            report.flow = None
    return report


def _finish(
    path: Path,
    display: str,
    loaded: LoadedYaml,
    disabled: Mapping[str, str],
    config_problems: list[Diagnostic],
    sections: SectionLookup | None = None,
    *,
    from_file: bool,
) -> FileReport:
    checker = _Checker(display, loaded, disabled, flow_file=path, sections=sections)
    flow = checker.run()
    diags = checker.diags + config_problems
    if flow is not None and from_file:
        flow.loaded_from(path)
    if has_errors(diags):
        flow = None
    return FileReport(path=path, display=display, flow=flow, diagnostics=diags, loaded=loaded)


def _examples_problems(flow: models.Flow, path: Path) -> list[Diagnostic]:
    """The problems of the flow's examples file (:mod:`selfhelp.flow.examples`), if it names one."""
    from selfhelp.flow.examples import check_examples, examples_path  # only `validate` reads examples: start-up

    where = examples_path(flow, path)
    return [] if where is None else list(check_examples(flow, where, display_path(where), path).diagnostics)


def unique(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Each problem once: a broken ``.selfhelp.yaml`` is reported with every flow it applies to."""
    seen: set[tuple[str, int, int, str, str]] = set()
    kept: list[Diagnostic] = []
    for diag in diags:
        key = (diag.file, diag.line, diag.column, diag.rule, diag.message)
        if key not in seen:
            seen.add(key)
            kept.append(diag)
    return kept


def check_files(
    paths: Iterable[Path],
    *,
    sections: SectionLookup | None = None,
    known_flows: Iterable[str] = (),
    examples: bool = False,
) -> list[FileReport]:
    """Check every file, then the rules across files (duplicate flow ids, redirects to other flows).

    ``sections`` as for :func:`check_file`; ``known_flows``: ids of flows loaded besides these files,
    which a ``redirect_flow`` may name too.
    """
    reports = [check_file(p, sections=sections, examples=examples) for p in flow_files(paths)]
    first_by_id: dict[str, FileReport] = {}
    for report in reports:
        data = report.loaded.data if report.loaded else None
        flow_id = data.get("id") if isinstance(data, Mapping) else None
        if not isinstance(flow_id, str) or report.loaded is None:
            continue
        if flow_id in first_by_id:
            first = first_by_id[flow_id]
            message = f"flow id {flow_id!r} is also declared by {first.display}"
            _add_problem(report, ("id",), "duplicate-flow-id", message, "give each flow its own id")
            report.flow = None
        else:
            first_by_id[flow_id] = report
    _check_redirects(reports, set(known_flows))
    return reports


def _check_redirects(reports: list[FileReport], known: set[str]) -> None:
    """Warn of every ``redirect_flow`` that names no usable flow among the files checked together.

    A warning, not an error: the flow still runs (its redirect outcome then offers no way
    to open the other flow), and a flow checked on its own cannot see its siblings.
    """
    loaded = known | {r.flow.id for r in reports if r.ok and r.flow is not None}
    for report in reports:
        if report.flow is None or report.loaded is None:
            continue
        for node_id, node in report.flow.nodes.items():
            target = getattr(node, "redirect_flow", None)
            if target is None or target in loaded:
                continue
            message = f"node {node_id!r} redirects to flow {target!r}, which is not among the flows loaded"
            hint = did_you_mean(target, sorted(loaded)) or "check the flow's id, and validate the flows together"
            _add_problem(report, ("nodes", node_id, "redirect_flow"), "redirect-unknown-flow", message, hint)


def _add_problem(report: FileReport, path: Path_, rule: str, message: str, hint: str) -> None:
    """Report a problem found across files at ``path`` of one file (its ``loaded`` data must be there)."""
    assert report.loaded is not None
    report.diagnostics.append(_diagnostic(report.display, report.loaded.position(path), rule, message, hint))


def _diagnostic(
    display: str, where: tuple[int, int], rule: str, message: str, hint: str | None, suppressed: str | None = None
) -> Diagnostic:
    """A problem of ``rule`` at ``where`` (line, column), with the rule's severity."""
    line, col = where
    return Diagnostic(
        file=display,
        line=line,
        column=col,
        severity=severity_of(rule),
        rule=rule,
        message=message,
        hint=hint,
        suppressed=suppressed,
    )
