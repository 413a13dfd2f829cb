"""The one step model: made by the engine, kept as JSON by the first-paint cache, read back checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp.flow.models import Flow
from selfhelp.flow.sources import shipped_flows_dir
from selfhelp.flow.validate import check_file
from selfhelp.matcher.results import MatchCandidate, MatchResult
from selfhelp.session.engine import Session
from selfhelp.session.step import ChoiceView, InputSpec, LinkView, StepDataError, StepView

HERE = Path(__file__).parent
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def load(path: Path) -> Flow:
    flow = check_file(path).flow
    assert flow is not None
    return flow


@pytest.fixture(scope="module")
def mini() -> Flow:
    return load(HERE / "engine_flows" / "mini.yaml")


def round_trip(view: StepView) -> StepView:
    return StepView.from_data(json.loads(json.dumps(view.to_data())))


def test_an_input_step_as_the_engine_makes_it_and_as_it_reads_back(mini: Flow) -> None:
    session = Session(mini, presets={"tenant_id": GUID})
    session.choose(1)
    view = session.step()
    assert view == StepView(
        node_id="tenant",
        kind="input",
        title="Tenant ID",
        text="Enter the customer's tenant ID.",
        source=None,
        input=InputSpec(kind="input", required=True, expects=("required", "a GUID"), default=GUID),
    )
    assert round_trip(view) == view


def test_a_step_with_links_and_an_outcome_read_back_the_same() -> None:
    cpor = load(shipped_flows_dir() / "cpor-customer-association.yaml")
    session = Session(cpor)
    session.choose_label("I get an error about the customer tenant ID or subdomain")
    view = session.step()
    assert view.node_id == "tenant-subdomain-mismatch" and len(view.choices) == 3
    assert view.links and all(isinstance(link, LinkView) for link in view.links)
    assert round_trip(view) == view
    session.choose(0)  # that fixed it
    view = session.step()
    assert view.outcome == "resolved" and view.choices == () and view.input is None
    assert round_trip(view) == view


class _Ambiguous:
    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        matches = [
            MatchCandidate(flow=flow.id, node=node, title=node.title(), score=80, pattern="p")
            for node in ("claimed", "contact")
        ]
        return MatchResult(query=text, verdict="ambiguous", matches=matches)


def test_a_did_you_mean_step_carries_the_paste_and_the_candidates(mini: Flow) -> None:
    session = Session(mini, matcher=_Ambiguous())
    session.choose(0)
    session.submit("already claimed")
    view = session.step()
    assert view.pending == "already claimed" and view.input is None
    assert view.choices == (
        ChoiceView("Claimed", "claimed", "candidate"),
        ChoiceView("Contact", "contact", "candidate"),
        ChoiceView("None of these", "tenant", "none_of_these"),
    )
    assert round_trip(view) == view


def test_the_transcript_shows_each_answered_step_with_its_answer(mini: Flow) -> None:
    session = Session(mini, matcher=_Ambiguous())
    session.choose(0)
    session.submit("already claimed")  # waits for a pick: the paste is shown as answered
    shown = [(view.node_id, view.title, view.choices, answer) for view, answer in session.transcript()]
    assert shown == [
        ("kind", "What went wrong?", (), "I have an error message"),
        ("paste", None, (), "already claimed"),
    ]
    session.choose(2)  # none of these: on to the tenant step
    assert [(view.node_id, answer) for view, answer in session.transcript()] == [
        ("kind", "I have an error message"),
        ("paste", "None of these"),
    ]


BASE = {
    "node_id": "a",
    "kind": "question",
    "title": None,
    "text": "",
    "source": None,
    "links": [],
    "choices": [{"label": "Yes", "target": "b", "kind": "choice"}],
    "input": None,
    "previous_answer": None,
    "pending": None,
    "outcome": None,
}


def test_plain_data_in_the_right_shape_is_read() -> None:
    assert StepView.from_data(BASE) == StepView("a", "question", None, "", None, choices=(ChoiceView("Yes", "b"),))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"title": 3}, "step.title: expected str, got int"),
        ({"links": {}}, "step.links: expected a list, got dict"),
        ({"links": [{"title": "t"}]}, "step.links[0]: missing field 'url'"),
        ({"choices": [{"label": "Yes", "target": "b", "kind": "maybe"}]}, "step.choices[0].kind: 'maybe' is not one"),
        ({"choices": ["Yes"]}, "step.choices[0]: expected an object, got str"),
        (
            {
                "input": {
                    "kind": "input",
                    "placeholder": None,
                    "multiline": 1,
                    "required": False,
                    "expects": [],
                    "default": None,
                    "prefilled": False,
                }
            },
            "step.input.multiline: expected bool, got int",
        ),
        ({"extra": True}, "step: unknown field 'extra'"),
        ({"outcome": ["resolved"]}, "step.outcome: expected str, got list"),
    ],
)
def test_data_of_another_shape_is_refused_with_where(change: dict, error: str) -> None:
    with pytest.raises(StepDataError, match=error.replace("[", r"\[").replace("]", r"\]")):
        StepView.from_data({**BASE, **change})
    with pytest.raises(StepDataError, match="step: missing field 'pending'"):
        StepView.from_data({k: v for k, v in BASE.items() if k != "pending"})


def test_the_step_model_and_the_cache_load_without_pydantic_or_yaml() -> None:
    code = (
        "import sys\n"
        "import selfhelp.session.step, selfhelp.tui.first_paint, selfhelp.tui.render\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
