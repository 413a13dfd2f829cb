"""A pytest plugin (registered by the package) that collects flow test files.

Any ``*.test.yaml`` file holding a top-level ``scenarios:`` key, under the paths
pytest collects, becomes one test per scenario, so a project's own ``pytest``
runs its flow tests. The coverage of each flow is printed at the end of the run;
``--flow-min-coverage PERCENT`` fails the run below that bound.

Only the standard library and pytest are imported at start-up: the plugin is
loaded in every pytest run of an environment where selfhelp is installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_SCENARIOS_KEY = re.compile(r"^scenarios\s*:", re.MULTILINE)
_COVERAGE = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("selfhelp", "selfhelp flow tests")
    group.addoption(
        "--flow-min-coverage",
        type=float,
        default=None,
        metavar="PERCENT",
        help="fail the run when a flow's node-and-edge coverage by its scenarios is below PERCENT",
    )


def _is_flow_test(path: Path) -> bool:
    if not path.name.endswith((".test.yaml", ".test.yml")):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(65536).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_SCENARIOS_KEY.search(head))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _is_flow_test(file_path):
        return FlowTestFile.from_parent(parent, path=file_path)
    return None


def _coverage(config: pytest.Config) -> Any:
    from selfhelp.authoring.flowtest.coverage import Coverage  # not at start-up: see the module docstring

    if _COVERAGE not in config.stash:
        config.stash[_COVERAGE] = Coverage()
    return config.stash[_COVERAGE]


class FlowTestError(Exception):
    """A scenario failed, or its file or flow cannot be used; the message is the report."""


class FlowTestFile(pytest.File):
    """One scenario file: one item per scenario, or one failing item when the file cannot run."""

    def collect(self) -> Iterator[pytest.Item]:
        # Only once a flow test file is found: see the module docstring.
        from selfhelp.authoring.flowtest.model import load_scenarios
        from selfhelp.authoring.flowtest.runner import flow_problem, load_flow_for

        loaded = load_scenarios(self.path)
        problems = list(loaded.problems)
        flow_report = None
        if loaded.model is not None:
            flow_report, missing = load_flow_for(loaded)
            problems += missing
            if flow_report is not None and (not flow_report.ok or flow_report.flow is None):
                problems += flow_problem(loaded, flow_report)
        if problems or loaded.model is None or flow_report is None:
            yield BrokenFileItem.from_parent(
                self, name="(scenario file)", report="\n".join(p.format() for p in problems)
            )
            return
        for index, scenario in enumerate(loaded.model.scenarios):
            yield ScenarioItem.from_parent(
                self, name=scenario.name, loaded=loaded, index=index, flow_report=flow_report
            )


class BrokenFileItem(pytest.Item):
    """Stands for a scenario file that cannot run, so its problems fail the run."""

    def __init__(self, *, report: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.report = report

    def runtest(self) -> None:
        raise FlowTestError(self.report)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value) if isinstance(excinfo.value, FlowTestError) else super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"flow tests: {self.path.name}"


class ScenarioItem(pytest.Item):
    """One scenario of a flow test file."""

    def __init__(self, *, loaded: Any, index: int, flow_report: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded = loaded
        self.index = index
        self.flow_report = flow_report

    def runtest(self) -> None:
        from selfhelp.authoring.flowtest.runner import run_scenario  # not at start-up: see the module docstring

        report = self.flow_report
        scenario = self.loaded.model.scenarios[self.index]
        result = run_scenario(report.flow, scenario, self.index, self.loaded)
        if result.failure is not None:
            raise FlowTestError(result.failure.format(scenario.name))
        flow_cov = _coverage(self.config).for_flow(report.flow, report.path, report.display, report.loaded)
        for history in result.histories:
            flow_cov.record(history, result.presets)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value) if isinstance(excinfo.value, FlowTestError) else super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.loaded.line_of(("scenarios", self.index, "name"))
        return self.path, line - 1, f"scenario: {self.name}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _COVERAGE not in config.stash or not config.stash[_COVERAGE].flows:
        return
    terminalreporter.section("flow coverage")
    terminalreporter.write_line(config.stash[_COVERAGE].format())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    bound = session.config.getoption("--flow-min-coverage")
    if bound is None or _COVERAGE not in session.config.stash:
        return
    if session.config.stash[_COVERAGE].lowest() < bound and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
