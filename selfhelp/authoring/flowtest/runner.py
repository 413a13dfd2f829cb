"""Run scenario files against their flows: drive the session engine, compare, record coverage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from selfhelp.authoring.flowtest.coverage import Coverage
from selfhelp.authoring.flowtest.model import Expect, LoadedScenarios, Scenario, Step, load_scenarios
from selfhelp.base.diagnostics import Diagnostic, Severity, display_path
from selfhelp.base.safe_yaml import Path_
from selfhelp.base.suggest import did_you_mean
from selfhelp.base.unique import unique_by
from selfhelp.checks import given
from selfhelp.flow.models import CheckNode, Flow, InputNode, MatchNode
from selfhelp.flow.validate import FileReport, check_file
from selfhelp.matcher.results import Matcher, MatchResult
from selfhelp.session.engine import Reply, Session, Visit

SUFFIXES: tuple[str, ...] = (".test.yaml", ".test.yml")


def is_scenario_file(path: Path) -> bool:
    """Whether the file's name marks it as a scenario file."""
    return path.name.endswith(SUFFIXES)


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Folders expanded to their scenario files; a flow file stands for the scenario file beside it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and is_scenario_file(p))
        elif is_scenario_file(path) or path.suffix not in (".yaml", ".yml"):
            found.append(path)
        else:
            found += [t for t in (path.with_name(path.stem + s) for s in SUFFIXES) if t.is_file()]
    return unique_by(found, Path.resolve)


@dataclass
class Failure:
    """Why a scenario failed: where, at which step, and what differed."""

    file: str
    """The scenario file as shown in reports."""
    line: int
    """1-based line of what failed in the scenario file: the step or its failing key (before any step: ``start``)."""
    step: int
    """1-based step number (0: before the first step)."""
    action: str
    """What the step did, as the report says it (``start`` before the first step)."""
    message: str
    """What went wrong, in a line."""
    diff: list[str]
    """The expected and the actual value, lines printed under the message (empty when the message says it all)."""
    path: list[str]
    """The node ids visited up to the failure."""

    def format(self, scenario: str) -> str:
        where = f"step {self.step} ({self.action})" if self.step else "setup"
        lines = [f"{self.file}:{self.line}: scenario {scenario!r} failed at {where}: {self.message}"]
        lines += [f"    {d}" for d in self.diff]
        if self.path:
            lines.append(f"    path: {' -> '.join(self.path)}")
        return "\n".join(lines)


@dataclass
class ScenarioResult:
    """The result of one scenario."""

    name: str
    file: str
    line: int
    failure: Failure | None = None
    histories: list[list[Visit]] = field(default_factory=list)
    """The session's path after each step, for coverage (going back must not hide what was exercised)."""
    presets: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass
class FileResult:
    """The result of one scenario file: its problems (a broken file or flow) or its scenarios."""

    path: Path
    display: str
    problems: list[Diagnostic] = field(default_factory=list)
    scenarios: list[ScenarioResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and all(s.passed for s in self.scenarios)


class _StepFailed(Exception):
    def __init__(self, message: str, diff: list[str] | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diff = diff or []
        self.key = key


def _diff(label: str, expected: object, actual: object) -> list[str]:
    return [f"{label}:", f"  - expected: {_show(expected)}", f"  + actual:   {_show(actual)}"]


def _show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return repr(value)
    return str(value)


class _Runner:
    """Replays one scenario on a fresh session."""

    def __init__(self, flow: Flow, scenario: Scenario, matcher: Matcher | None) -> None:
        self.flow = flow
        self.scenario = scenario
        self.session = Session(flow, presets=scenario.presets, matcher=matcher)
        self.last_match: MatchResult | None = None

    def start(self) -> None:
        start = self.scenario.start
        if start is None:
            return
        if start not in self.flow.nodes:
            hint = did_you_mean(start, self.flow.nodes)
            raise _StepFailed(f"the flow has no node {start!r}" + (f"; {hint}" if hint else ""), key="start")
        self.session.state.history = [Visit(node=start)]

    def act(self, step: Step) -> Reply | None:
        """Do the step's action; ``None`` for a step that only checks."""
        session = self.session
        node = session.node
        if step.choose is not None:
            return session.choose_label(step.choose)
        if step.type is not None:
            if not isinstance(node, InputNode):
                return Reply(ok=False, reason=f"node {session.current.node!r} is a {node.kind} step, not an input")
            return session.submit(step.type)
        if step.paste is not None:
            if not isinstance(node, MatchNode) or session.current.pending is not None:
                return Reply(ok=False, reason=f"node {session.current.node!r} does not take a pasted message")
            reply = session.submit(step.paste)
            self.last_match = reply.match
            return reply
        if step.check is not None:
            request = session.check_request()
            if not isinstance(node, CheckNode) or request is None:
                return Reply(ok=False, reason=f"node {session.current.node!r} is a {node.kind} step, not a check")
            return session.apply_check(given(request, step.check))
        if step.back:
            return Reply(ok=True) if session.back() else Reply(ok=False, reason="already at the first step")
        return None

    def check_reply(self, step: Step, reply: Reply | None) -> None:
        wanted = step.expect.refused if step.expect else None
        if reply is None or wanted in (None, False):
            if reply is not None and not reply.ok:
                offered = [c.label for c in self.session.step().choices]
                diff = [f"offered: {offered}"] if step.choose is not None else []
                raise _StepFailed(f"the action was refused: {reply.reason}", diff, key=step.action)
            return
        if reply.ok:
            raise _StepFailed("the action was accepted, but the scenario expects it to be refused", key="refused")
        if isinstance(wanted, str) and wanted.casefold() not in (reply.reason or "").casefold():
            raise _StepFailed("the action was refused for another reason", _diff("reason", wanted, reply.reason))

    def check(self, expect: Expect) -> None:
        """Compare every expectation given; all differences are reported together."""
        diff: list[str] = []
        session = self.session
        if expect.node is not None and expect.node != session.current.node:
            diff += _diff("node", expect.node, session.current.node)
            if expect.node not in self.flow.nodes:
                diff.append(f"(the flow has no node {expect.node!r}; {did_you_mean(expect.node, self.flow.nodes)})")
        for name, want in (expect.values or {}).items():
            have = session.values.get(name)
            if want != have:
                diff += _diff(f"value {name}", want, have)
        if expect.outcome is not None:
            have = session.outcome.result.value if session.outcome else "none"
            if expect.outcome != have:
                diff += _diff("outcome", str(expect.outcome), have)
        if expect.choices is not None:
            have_choices = [c.label for c in session.step().choices]
            if expect.choices != have_choices:
                diff += _diff("choices", expect.choices, have_choices)
        if expect.match is not None:
            diff += self._check_match(expect)
        if diff:
            raise _StepFailed("the session is not as expected", diff, key="expect")

    def _check_match(self, expect: Expect) -> list[str]:
        want = expect.match
        assert want is not None
        result = self.last_match or self.session.match_result()
        if result is None:
            return ["match: expected a matched message, but nothing was pasted"]
        diff: list[str] = []
        if want.verdict is not None and want.verdict != result.verdict:
            diff += _diff("match verdict", want.verdict, result.verdict)
        top = result.matches[0] if result.matches else None
        if want.cause is not None and want.cause != (top.node if top else None):
            diff += _diff("matched cause", want.cause, top.node if top else None)
        if want.causes is not None and want.causes != [m.node for m in result.matches]:
            diff += _diff("candidate causes", want.causes, [m.node for m in result.matches])
        for kind, values in (want.params or {}).items():
            have = top.params.get(kind, []) if top else []
            if values != have:
                diff += _diff(f"params {kind}", values, have)
        return diff

    def path(self) -> list[str]:
        return [v.node for v in self.session.history]


def run_scenario(
    flow: Flow, scenario: Scenario, index: int, loaded: LoadedScenarios, matcher: Matcher | None = None
) -> ScenarioResult:
    """Replay one scenario; the first step that fails ends it."""
    base: Path_ = ("scenarios", index)
    result = ScenarioResult(
        name=scenario.name, file=loaded.display, line=loaded.line_of((*base, "name")), presets=dict(scenario.presets)
    )
    runner = _Runner(flow, scenario, matcher)
    number, step = 0, None
    try:
        runner.start()
        for index_, step in enumerate(scenario.steps, start=1):
            number = index_  # kept for the report when a later line of this step fails
            reply = runner.act(step)
            result.histories.append([v.model_copy(deep=True) for v in runner.session.history])
            runner.check_reply(step, reply)
            if step.expect is not None:
                runner.check(step.expect)
    except _StepFailed as failed:
        step_path: Path_ = (*base, "steps", number - 1) if number else base
        sub: Path_ = (failed.key,) if failed.key and failed.key not in ("refused",) else ()
        if failed.key == "refused":
            sub = ("expect", "refused")
        line = loaded.line_of((*step_path, *sub)) if number else loaded.line_of((*base, "start"))
        result.failure = Failure(
            file=loaded.display,
            line=line,
            step=number,
            action=step.describe() if step is not None and number else "start",
            message=failed.message,
            diff=failed.diff,
            path=runner.path(),
        )
    return result


def flow_problem(loaded: LoadedScenarios, report: FileReport) -> list[Diagnostic]:
    """The scenario file's problem when its flow cannot be used, pointing at the flow's own errors."""
    errors = [d for d in report.diagnostics if d.severity is Severity.error]
    first = errors[0].format().splitlines()[0] if errors else "unusable"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    message = f"the flow {report.display} cannot be tested: {first}{more}"
    return [_flow_field_problem(loaded, "flow-unusable", message, f"run 'selfhelp validate {report.display}'")]


def _flow_field_problem(loaded: LoadedScenarios, rule: str, message: str, hint: str) -> Diagnostic:
    """An error about the flow a scenario file names, at its ``flow:`` line."""
    return Diagnostic(
        file=loaded.display,
        line=loaded.line_of(("flow",)),
        column=1,
        severity=Severity.error,
        rule=rule,
        message=message,
        hint=hint,
    )


def load_flow_for(
    loaded: LoadedScenarios, cache: dict[Path, FileReport] | None = None
) -> tuple[FileReport | None, list[Diagnostic]]:
    """The checked flow a scenario file names, or the problem of a flow file that does not exist."""
    flow_path = loaded.flow_path()
    if not flow_path.is_file():
        message = f"no flow file {display_path(flow_path)}"
        return None, [
            _flow_field_problem(
                loaded, "flow-missing", message, "name the flow with flow: (a path relative to this file)"
            )
        ]
    key = flow_path.resolve()
    cache = cache if cache is not None else {}
    if key not in cache:
        cache[key] = check_file(flow_path)
    return cache[key], []


def run_file(
    path: Path,
    coverage: Coverage | None = None,
    matcher: Matcher | None = None,
    flows: dict[Path, FileReport] | None = None,
) -> FileResult:
    """Run every scenario of one file; passing scenarios add to ``coverage``."""
    loaded = load_scenarios(path)
    result = FileResult(path=path, display=loaded.display, problems=list(loaded.problems))
    if loaded.model is None:
        return result
    report, missing = load_flow_for(loaded, flows)
    result.problems += missing
    if report is None:
        return result
    if not report.ok or report.flow is None or report.loaded is None:
        result.problems += flow_problem(loaded, report)
        return result
    flow_cov = coverage.for_flow(report.flow, report.path, report.display, report.loaded) if coverage else None
    for i, scenario in enumerate(loaded.model.scenarios):
        outcome = run_scenario(report.flow, scenario, i, loaded, matcher)
        result.scenarios.append(outcome)
        if flow_cov is not None and outcome.passed:
            for history in outcome.histories:
                flow_cov.record(history, outcome.presets)
    return result


def run_paths(paths: Iterable[Path], matcher: Matcher | None = None) -> tuple[list[FileResult], Coverage]:
    """Run every scenario file found under ``paths``."""
    coverage = Coverage()
    cache: dict[Path, FileReport] = {}
    results = [run_file(p, coverage, matcher, cache) for p in scenario_files(paths)]
    return results, coverage
