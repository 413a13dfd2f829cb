"""Flow tests: scenario files beside a flow, a runner that drives the session engine, and coverage.

A scenario file (``NAME.test.yaml``) lists conversations to replay through
:class:`selfhelp.session.engine.Session`, with expectations after any step. Running them
also records which nodes and edges of the flow were exercised.
"""

from selfhelp.authoring.flowtest.coverage import Coverage, FlowCoverage
from selfhelp.authoring.flowtest.model import Expect, MatchExpect, Scenario, ScenarioFile, Step
from selfhelp.authoring.flowtest.runner import (
    FileResult,
    ScenarioResult,
    is_scenario_file,
    run_file,
    run_paths,
    scenario_files,
)

__all__ = [
    "Coverage",
    "Expect",
    "FileResult",
    "FlowCoverage",
    "MatchExpect",
    "Scenario",
    "ScenarioFile",
    "ScenarioResult",
    "Step",
    "is_scenario_file",
    "run_file",
    "run_paths",
    "scenario_files",
]
