"""Turn a saved session into a scenario: the steps it took, and what each step led to."""

from __future__ import annotations

from typing import Any

import yaml

from selfhelp.flow.models import InputNode, MatchNode
from selfhelp.session.engine import Session, Visit


def _after_last_jump(session: Session) -> tuple[list[Visit], dict[str, str]]:
    """The path after an agent's last jump, and the values known there.

    A jump is no step a scenario can take; the scenario starts where the last
    one landed, with what was kept before it as presets.
    """
    history = session.history
    jumps = [i for i, v in enumerate(history) if v.answer is not None and v.answer.kind == "jump"]
    if not jumps:
        return history, dict(session.state.presets)
    cut = jumps[-1] + 1
    presets = dict(session.state.presets)
    for visit in history[:cut]:
        if visit.answer and visit.answer.store and visit.answer.value is not None:
            presets[visit.answer.store] = visit.answer.value
    return history[cut:], presets


def scenario_from_session(session: Session, name: str) -> dict[str, Any]:
    """A scenario (plain data, ready to dump) that replays the session's path and checks where it led."""
    flow = session.flow
    history, presets = _after_last_jump(session)
    steps: list[dict[str, Any]] = []
    for i, visit in enumerate(history):
        answer = visit.answer
        if answer is None or i + 1 >= len(history):
            continue
        node = flow.nodes.get(visit.node)
        expect: dict[str, Any] = {"node": answer.goto}
        if answer.kind == "match" and answer.match is not None:
            match = answer.match
            query = answer.value if answer.value is not None else match.query
            match_expect: dict[str, Any] = {"verdict": match.verdict}
            if match.verdict == "match" and match.matches:
                match_expect["cause"] = match.matches[0].node
            if match.verdict == "ambiguous":
                # The engine asked "did you mean": paste, then pick the candidate the user picked.
                match_expect["causes"] = [m.node for m in match.matches]
                steps.append({"paste": query, "expect": {"match": match_expect}})
                steps.append({"choose": answer.text, "expect": expect})
                continue
            expect["match"] = match_expect
            steps.append({"paste": query, "expect": expect})
        elif answer.kind == "check" and answer.check is not None:
            # Replayed offline: the scenario gives the check's result rather than looking it up again.
            if answer.store:
                expect["values"] = {answer.store: answer.value}
            steps.append({"check": answer.check.result, "expect": expect})
        elif answer.kind == "text" or isinstance(node, InputNode):
            if answer.store:
                expect["values"] = {answer.store: answer.value}
            steps.append({"type": answer.text, "expect": expect})
        elif isinstance(node, MatchNode) and answer.kind == "match":
            steps.append({"paste": answer.text, "expect": expect})
        else:
            if answer.store:
                expect["values"] = {answer.store: answer.value}
            steps.append({"choose": answer.text, "expect": expect})
    if session.outcome is not None and steps:
        steps[-1]["expect"]["outcome"] = session.outcome.result.value
    scenario: dict[str, Any] = {"name": name}
    if presets:
        scenario["presets"] = presets
    if history and history[0].node != flow.start:
        scenario["start"] = history[0].node
    scenario["steps"] = steps or [{"expect": {"node": history[-1].node if history else flow.start}}]
    return scenario


def dump_scenarios(flow_file: str | None, scenarios: list[dict[str, Any]]) -> str:
    """A scenario file's text: ``flow:`` (when given) and the scenarios, in a stable, readable order."""
    data: dict[str, Any] = {}
    if flow_file:
        data["flow"] = flow_file
    data["scenarios"] = scenarios
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
