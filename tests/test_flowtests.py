"""Flow tests: scenario files, the runner's diffs, coverage, `selfhelp test`, `selfhelp record`, the pytest plugin."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from selfhelp.authoring.flowtest import Coverage, run_file, run_paths
from selfhelp.authoring.flowtest.record import dump_scenarios, scenario_from_session
from selfhelp.cli import main
from selfhelp.flow.models import Flow
from selfhelp.flow.validate import check_file
from selfhelp.matcher.results import MatchCandidate, MatchResult
from selfhelp.session.engine import Session

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
CPOR = ROOT / "flows" / "cpor-customer-association.yaml"
CPOR_TESTS = ROOT / "flows" / "cpor-customer-association.test.yaml"


@pytest.fixture(scope="module")
def cpor() -> Flow:
    report = check_file(CPOR)
    assert report.flow is not None
    return report.flow


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding a copy of the CPOR flow, for scenario files written by the tests."""
    shutil.copy(CPOR, tmp_path / "cpor.yaml")
    return tmp_path


def write(folder: Path, body: str, name: str = "cpor.test.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_shipped_scenarios_pass_and_cover_every_node_and_edge() -> None:
    results, coverage = run_paths([CPOR_TESTS])
    failures = [s.failure.format(s.name) for r in results for s in r.scenarios if s.failure]
    assert not failures, "\n".join(failures)
    assert all(not r.problems for r in results)
    (cov,) = coverage.flows.values()
    nodes_covered, nodes, edges_covered, edges = cov.totals
    assert (nodes_covered, edges_covered) == (nodes, edges)
    assert nodes == len(cov.flow.nodes) and edges > nodes
    assert cov.percent == 100.0


def test_a_wrong_expectation_prints_a_diff_with_file_and_line(folder: Path) -> None:
    path = write(
        folder,
        """\
        scenarios:
          - name: docs
            steps:
              - choose: Something else
                expect: {node: resolved-doc, values: {program: Azure}}
        """,
    )
    result = run_file(path)
    (scenario,) = result.scenarios
    assert scenario.failure is not None
    text = scenario.failure.format(scenario.name)
    assert text.startswith(f"{result.display}:5: scenario 'docs' failed at step 1 (choose 'Something else')")
    assert "- expected: 'resolved-doc'" in text and "+ actual:   'other-issue'" in text
    assert "did you mean 'resolved-docs'?" in text
    assert "value program:" in text and "+ actual:   (none)" in text
    assert "path: what-happening -> other-issue" in text


def test_a_refused_action_fails_unless_expected(folder: Path) -> None:
    path = write(
        folder,
        """\
        scenarios:
          - name: expected refusal
            start: ask-tenant-id
            steps:
              - type: not-a-guid
                expect: {refused: is a GUID, node: ask-tenant-id}
          - name: unexpected refusal
            start: ask-tenant-id
            steps:
              - type: not-a-guid
          - name: no such choice
            steps:
              - choose: Nope
          - name: refusal for another reason
            start: ask-tenant-id
            steps:
              - type: not-a-guid
                expect: {refused: too long}
          - name: accepted but refusal expected
            start: ask-tenant-id
            steps:
              - type: 0f8fad5b-d9cb-469f-a165-70867728950e
                expect: {refused: true}
        """,
    )
    ok, unexpected, no_choice, other_reason, accepted = run_file(path).scenarios
    assert ok.passed
    assert unexpected.failure is not None and "refused" in unexpected.failure.message
    assert unexpected.failure.line == 10
    assert no_choice.failure is not None and "offered: ['I get an error" in "\n".join(no_choice.failure.diff)
    assert other_reason.failure is not None and other_reason.failure.message.endswith("another reason")
    assert accepted.failure is not None and "expects it to be refused" in accepted.failure.message


def test_typing_at_a_question_is_a_failure_not_a_crash(folder: Path) -> None:
    path = write(folder, "scenarios:\n  - name: t\n    steps:\n      - type: hello\n      - paste: hello\n")
    (scenario,) = run_file(path).scenarios
    assert scenario.failure is not None and "question step, not an input" in scenario.failure.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("scenarios:\n  - name: x\n    steps:\n      - chose: a\n", ":4:"),
        ("scenarios:\n  - name: x\n    steps:\n      - choose: a\n        back: true\n", "does one thing"),
        ("scenarios:\n  - name: x\n    steps: []\n", "at least 1"),
        ("scenarios:\n  - {name: x, steps: [{back: true}]}\n  - {name: x, steps: [{back: true}]}\n", "two scenarios"),
        ("scenarios:\n  - name: x\n    steps:\n      - type: 123\n", "put it in quotes"),
        ("scenarios: [\n", "yaml-syntax"),
        ("flow: nowhere.yaml\nscenarios:\n  - {name: x, steps: [{back: true}]}\n", "no flow file"),
        ("scenarios:\n  - {name: x, start: nowhere, steps: [{back: true}]}\n", "no node 'nowhere'"),
    ],
)
def test_broken_scenario_files_are_reported_with_positions(folder: Path, body: str, expected: str) -> None:
    result = run_file(write(folder, body))
    messages = [d.format() for d in result.problems] + [s.failure.format(s.name) for s in result.scenarios if s.failure]
    assert not result.passed
    assert any(expected in m for m in messages), messages


def test_a_broken_flow_is_reported_on_the_scenario_file(folder: Path) -> None:
    (folder / "cpor.yaml").write_text("id: x\n", encoding="utf-8")
    result = run_file(write(folder, "scenarios:\n  - {name: x, steps: [{back: true}]}\n"))
    assert [d.rule for d in result.problems] == ["flow-unusable"]
    assert "selfhelp validate" in (result.problems[0].hint or "")


def test_coverage_tells_apart_choices_and_branches_to_the_same_node(folder: Path) -> None:
    path = write(
        folder,
        """\
        scenarios:
          - name: not sure
            start: sub-is-guid
            steps:
              - choose: I'm not sure
          - name: known tenant and subscription
            start: ask-earning-end
            presets: {tenant_id: x, subscription_id: y}
            steps:
              - type: ""
                expect: {node: contact-support}
        """,
    )
    coverage = Coverage()
    run_file(path, coverage)
    (cov,) = coverage.flows.values()
    missed = {(nid, e.target, e.label, line) for nid, e, line in cov.missed_edges()}
    lines = cov.path.read_text(encoding="utf-8").splitlines()

    def line_of(text: str) -> int:
        """The 1-based line of the first line holding ``text`` in the flow file."""
        return next(i for i, line in enumerate(lines, 1) if text in line)

    choice_line = line_of("goto: identifier-not-subscription-id")  # the goto of "No, it looks different"
    assert ("sub-is-guid", "identifier-not-subscription-id", "No, it looks different", choice_line) in missed
    assert not any(m[:3] == ("sub-is-guid", "identifier-not-subscription-id", "I'm not sure") for m in missed)
    # Two branches of ask-earning-end lead to contact-support: only the one whose condition held is covered.
    to_support = [m for m in missed if m[:2] == ("ask-earning-end", "contact-support")]
    assert [m[2] for m in to_support] == ["otherwise"]
    assert ("contact-support", line_of("  contact-support:")) not in cov.missed_nodes()
    assert ("what-happening", line_of("  what-happening:")) in cov.missed_nodes()
    assert 0 < cov.percent < 100


def test_going_back_keeps_the_coverage_of_the_steps_undone(folder: Path) -> None:
    path = write(
        folder,
        "scenarios:\n  - name: b\n    steps:\n      - choose: Something else\n      - back: true\n"
        "        expect: {node: what-happening}\n",
    )
    coverage = Coverage()
    assert run_file(path, coverage).passed
    (cov,) = coverage.flows.values()
    assert "other-issue" in cov.nodes_seen


def test_failed_scenarios_add_no_coverage(folder: Path) -> None:
    path = write(
        folder, "scenarios:\n  - name: f\n    steps:\n      - choose: Something else\n        expect: {node: x}\n"
    )
    coverage = Coverage()
    run_file(path, coverage)
    (cov,) = coverage.flows.values()
    assert cov.nodes_seen == set()


class FakeMatcher:
    """Answers every paste with a fixed result, to test verdict, candidates and params expectations."""

    def __init__(self, verdict: str, nodes: list[str], params: dict[str, list[str]] | None = None) -> None:
        self.verdict, self.nodes, self.params = verdict, nodes, params or {}

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        matches = [
            MatchCandidate(flow=flow.id, node=n, title=n, score=90, pattern="p", params=self.params) for n in self.nodes
        ]
        return MatchResult(query=text, verdict=self.verdict, matches=matches)  # type: ignore[arg-type]


def test_match_expectations_check_verdict_candidates_and_params(folder: Path) -> None:
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    path = write(
        folder,
        f"""\
        scenarios:
          - name: ambiguous, then picked
            start: paste-error
            steps:
              - paste: anything
                expect:
                  match:
                    verdict: ambiguous
                    causes: [subscription-is-csp, competing-claim]
                    params: {{guid: ["{guid}"]}}
                  choices: [subscription-is-csp, competing-claim, None of these]
              - choose: competing-claim
                expect: {{node: competing-claim, match: {{cause: subscription-is-csp}}}}
          - name: wrong params
            start: paste-error
            steps:
              - paste: anything
                expect: {{match: {{params: {{guid: [other]}}, verdict: match}}}}
        """,
    )
    matcher = FakeMatcher("ambiguous", ["subscription-is-csp", "competing-claim"], {"guid": [guid]})
    picked, wrong = run_file(path, matcher=matcher).scenarios
    assert picked.passed, picked.failure and picked.failure.format(picked.name)
    assert wrong.failure is not None
    diff = "\n".join(wrong.failure.diff)
    assert "params guid:" in diff and "match verdict:" in diff


def test_selfhelp_test_command_exit_codes_and_min_coverage(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(folder, "scenarios:\n  - name: docs\n    steps:\n      - choose: Something else\n")
    assert main(["test", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "1 passed, 0 failed" in out and "never reached" in out
    assert main(["test", str(folder), "--min-coverage", "50", "--no-missed"]) == 1
    out = capsys.readouterr().out
    assert "below --min-coverage 50%" in out and "never reached" not in out
    assert main(["test", str(folder / "cpor.yaml")]) == 0  # a flow file stands for the tests beside it
    assert main(["test", str(folder / "missing")]) == 2
    assert main(["test", str(CPOR_TESTS), "--min-coverage", "100"]) == 0


def test_record_turns_a_saved_session_into_a_passing_scenario(
    cpor: Flow, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A fixed verdict: this test needs an ambiguous paste, however the real matcher is tuned.
    matcher = FakeMatcher("ambiguous", ["products-not-provisioned", "subscription-already-claimed"])
    session = Session(cpor, presets={"tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}, matcher=matcher)
    assert session.choose_label("I have an error message to paste").ok
    # Two patterns of two causes appear in this paste: the engine asks which one is meant.
    assert session.submit("Subscription already claimed. Subscription is not active").match.verdict == "ambiguous"
    assert session.choose(1).ok
    assert session.choose_label("No, I still need help").ok
    assert session.choose_label("No, I still have the issue").ok
    assert session.submit("C-1").ok
    assert session.choose_label("Azure Incentives").ok
    assert session.submit("1234567").ok
    assert session.submit("").ok  # no earning period dates
    assert session.submit("").ok
    assert session.current.node == "support-subscription-id"  # asked after the subscription checks
    assert session.submit("").ok
    assert session.finished
    saved = tmp_path / "session.json"
    saved.write_text(session.to_json(), encoding="utf-8")

    assert main(["record", str(saved), "--flow", str(folder / "cpor.yaml"), "--name", "from a session"]) == 0
    text = capsys.readouterr().out
    assert "verdict: ambiguous" in text and "outcome: contact_support" in text
    test_file = folder / "cpor.test.yaml"
    test_file.write_text(text, encoding="utf-8")
    coverage = Coverage()
    result = run_file(test_file, coverage, matcher=matcher)
    assert result.passed, [s.failure.format(s.name) for s in result.scenarios if s.failure]
    (cov,) = coverage.flows.values()
    assert cov.nodes_seen == {v.node for v in session.history}


def test_record_of_a_partial_session_from_another_start(cpor: Flow) -> None:
    session = Session(cpor)
    session.state.history[0].node = "sub-is-csp"
    scenario = scenario_from_session(session, "empty")
    assert scenario == {"name": "empty", "start": "sub-is-csp", "steps": [{"expect": {"node": "sub-is-csp"}}]}
    assert dump_scenarios(None, [scenario]).startswith("scenarios:\n- name: empty\n")


def test_record_refuses_what_is_not_a_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"flow_id": "cpor-customer-association", "history": 3}', encoding="utf-8")
    assert main(["record", str(bad)]) == 1
    assert "not a saved session" in capsys.readouterr().err
    bad.write_bytes(b"\xff\xfe")
    assert main(["record", str(bad)]) == 2
    assert main(["record", str(tmp_path / "missing.json")]) == 2
    capsys.readouterr()
    bad.write_text('{"flow_id": "cpor-customer-association", ', encoding="utf-8")
    assert main(["record", str(bad)]) == 2
    assert capsys.readouterr().err == f"selfhelp: error: {bad} is not a saved session (bad JSON at line 1, column 42)\n"


@pytest.mark.parametrize("with_flow", [False, True])
def test_record_of_a_deeply_nested_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], with_flow: bool
) -> None:
    # Deeper than Python's JSON parser can recurse: the store's guard makes it a corrupt session, not a traceback.
    deep = tmp_path / "deep.json"
    deep.write_text('{"flow_id": "cpor-customer-association", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    flow = ["--flow", str(CPOR)] if with_flow else []
    assert main(["record", str(deep), *flow]) == 2
    assert capsys.readouterr().err == (
        f"selfhelp: error: {deep} is not a saved session (it nests too deeply to be a session)\n"
    )


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester


def test_the_pytest_plugin_collects_scenarios_and_reports_coverage(pytester: pytest.Pytester) -> None:
    shutil.copy(CPOR, pytester.path / "cpor.yaml")
    (pytester.path / "cpor.test.yaml").write_text(
        "scenarios:\n"
        "  - name: passes\n    steps:\n      - choose: Something else\n"
        "  - name: fails\n    steps:\n      - choose: Something else\n        expect: {node: resolved-docs}\n",
        encoding="utf-8",
    )
    (pytester.path / "other.test.yaml").write_text("kind: not ours\n", encoding="utf-8")  # not a scenario file
    (pytester.path / "broken.test.yaml").write_text("scenarios:\n  - {name: x, steps: [{chose: a}]}\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*broken.test.yaml:2:*bad-scenario-file*",
            "*cpor.test.yaml:8: scenario 'fails' failed at step 1*",
            "*- expected: 'resolved-docs'*",
            "*cpor.yaml: nodes 2/44*",
        ]
    )


def test_the_pytest_plugin_min_coverage_fails_a_green_run(pytester: pytest.Pytester) -> None:
    shutil.copy(CPOR, pytester.path / "cpor.yaml")
    (pytester.path / "cpor.test.yaml").write_text(
        "scenarios:\n  - name: passes\n    steps:\n      - choose: Something else\n", encoding="utf-8"
    )
    assert pytester.runpytest("-p", "no:cacheprovider").ret == 0
    assert pytester.runpytest("-p", "no:cacheprovider", "--flow-min-coverage", "90").ret == 1


def test_the_scenario_example_in_the_authoring_guide_passes(folder: Path) -> None:
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\nflow: cpor-customer-association.yaml", 1)[1].split("```", 1)[0]
    path = write(folder, "flow: cpor.yaml" + example)
    result = run_file(path)
    assert result.passed, [d.format() for d in result.problems] + [
        s.failure.format(s.name) for s in result.scenarios if s.failure
    ]
    assert len(result.scenarios) == 2


def test_record_of_a_session_with_a_jump_starts_where_it_landed(cpor: Flow, folder: Path) -> None:
    session = Session(cpor)
    assert session.choose_label("I get an error about the customer tenant ID or subdomain").ok
    assert session.choose_label("Check the tenant ID and subdomain for me").ok
    assert session.submit("0f8fad5b-d9cb-469f-a165-70867728950e").ok
    assert session.jump("sub-is-csp").ok
    assert session.choose_label("Yes").ok
    scenario = scenario_from_session(session, "agent jumped")
    assert scenario["start"] == "sub-is-csp"
    assert scenario["presets"] == {"tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}
    test_file = folder / "jump.test.yaml"
    test_file.write_text(dump_scenarios(str(folder / "cpor.yaml"), [scenario]), encoding="utf-8")
    result = run_file(test_file, Coverage())
    assert result.passed, [s.failure.format(s.name) for s in result.scenarios if s.failure]
