"""The flow models' constraints: ids, conditions, validators, node kinds and the helpers on Flow."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from selfhelp.flow import models
from selfhelp.flow.models import (
    Branch,
    CauseNode,
    Choice,
    CollectField,
    Condition,
    Flow,
    InputNode,
    InputValidator,
    Link,
    MatchNode,
    MatchSettings,
    OutcomeNode,
    OutcomeResult,
    QuestionNode,
    SourceRef,
    ValidatorKind,
)
from selfhelp.flow.validate import check_bytes

GOOD = Path(__file__).parent / "bad_flows" / "good.yaml"


def good_data() -> dict[str, Any]:
    return yaml.safe_load(GOOD.read_text())


def minimal_flow(**nodes: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "f",
        "title": "F",
        "version": "1",
        "start": "done",
        "nodes": nodes or {"done": {"kind": "outcome", "result": "resolved"}},
    }


def error_types(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e["type"] for e in exc.value.errors()}


# --- ids --------------------------------------------------------------------------------


@pytest.mark.parametrize("good", ["a", "ask", "tenant-subdomain-mismatch", "step_2", "0day", "a" * 100])
def test_good_ids(good: str) -> None:
    assert Branch(goto=good).goto == good


@pytest.mark.parametrize("bad", ["", "Ask", "-ask", "_ask", "ask me", "ask.me", "ask/me", "ásk", "a" * 101])
def test_bad_ids(bad: str) -> None:
    with pytest.raises(ValidationError):
        Branch(goto=bad)


@pytest.mark.parametrize("bad", ["Ask", "ask me", ""])
def test_node_ids_as_keys_are_checked(bad: str) -> None:
    data = minimal_flow()
    data["nodes"][bad] = {"kind": "outcome", "result": "resolved"}
    with pytest.raises(ValidationError):
        Flow.model_validate(data)


@pytest.mark.parametrize(("name", "ok"), [("tenant_id", True), ("_x", True), ("tenant-id", False), ("Tenant", False)])
def test_value_names_are_identifiers(name: str, ok: bool) -> None:
    if ok:
        assert InputNode(kind="input", store=name).store == name
    else:
        with pytest.raises(ValidationError):
            InputNode(kind="input", store=name)


# --- strictness -------------------------------------------------------------------------


def test_unknown_fields_are_refused_everywhere() -> None:
    with pytest.raises(ValidationError) as exc:
        Choice(label="x", goto="a", colour="red")  # type: ignore[call-arg]
    assert error_types(exc) == {"extra_forbidden"}
    data = good_data()
    data["nodes"]["ask"]["choices"][0]["when"] = {"value": "x", "equals": "y", "extra": 1}
    with pytest.raises(ValidationError) as exc:
        Flow.model_validate(data)
    assert error_types(exc) == {"extra_forbidden"}


def test_models_are_frozen() -> None:
    flow = Flow.model_validate(good_data())
    with pytest.raises(ValidationError):
        flow.title = "changed"  # type: ignore[misc]


def test_numbers_are_not_text() -> None:
    # YAML reads `version: 1` as a number; the model must not quietly turn it into text.
    data = good_data() | {"version": 1}
    with pytest.raises(ValidationError) as exc:
        Flow.model_validate(data)
    assert error_types(exc) == {"string_type"}


# --- conditions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "test", [{"equals": "yes"}, {"not_equals": "no"}, {"one_of": ["a", "b"]}, {"is_set": True}, {"is_set": False}]
)
def test_a_condition_gives_exactly_one_test(test: dict[str, Any]) -> None:
    cond = Condition(value="answer", **test)
    assert cond.value == "answer"


@pytest.mark.parametrize("tests", [{}, {"equals": "a", "not_equals": "b"}, {"one_of": ["a"], "is_set": True}])
def test_a_condition_with_no_or_several_tests_is_refused(tests: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="exactly one of equals, not_equals, one_of, is_set"):
        Condition(value="answer", **tests)


def test_a_condition_needs_a_value_name() -> None:
    with pytest.raises(ValidationError):
        Condition(equals="x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Condition(value="not a name", equals="x")


def test_conditions_are_data_not_code() -> None:
    # A condition is a comparison of a kept value with constants; an expression is just an unknown field.
    with pytest.raises(ValidationError):
        Condition.model_validate({"value": "x", "expression": "__import__('os').system('true')"})


def test_branches_and_choices_carry_conditions() -> None:
    branch = Branch(goto="a", when={"value": "x", "equals": "y"})  # type: ignore[arg-type]
    assert isinstance(branch.when, Condition) and Branch(goto="a").when is None
    choice = Choice(label="Yes", goto="a", when={"value": "x", "is_set": True})  # type: ignore[arg-type]
    assert choice.when is not None and choice.when.is_set is True


# --- input validators -------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "required"},
        {"type": "guid", "message": "A tenant ID is a GUID."},
        {"type": "domain"},
        {"type": "regex", "pattern": r"\d+"},
        {"type": "max_length", "max": 10},
    ],
)
def test_good_validators(spec: dict[str, Any]) -> None:
    validator = InputValidator.model_validate(spec)
    assert validator.type is ValidatorKind(spec["type"])


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"type": "regex"}, "needs a pattern"),
        ({"type": "regex", "pattern": ""}, "needs a pattern"),
        ({"type": "regex", "pattern": "("}, "not a valid regular expression"),
        ({"type": "regex", "pattern": r"(?=.*\d).{8,}"}, "uses a lookahead"),
        ({"type": "guid", "pattern": "x"}, "pattern belongs to regex"),
        ({"type": "max_length"}, "needs max"),
        ({"type": "max_length", "max": 0}, "greater than or equal to 1"),
        ({"type": "required", "max": 3}, "max belongs to max_length"),
        ({"type": "email"}, "Input should be"),
        ({"pattern": "x"}, "Field required"),
    ],
)
def test_bad_validators(spec: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        InputValidator.model_validate(spec)


# --- nodes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        ({"kind": "question", "choices": [{"label": "a", "goto": "x"}]}, QuestionNode),
        ({"kind": "input", "store": "v"}, InputNode),
        ({"kind": "match", "no_match": "x"}, MatchNode),
        ({"kind": "cause", "next": "x"}, CauseNode),
        ({"kind": "outcome", "result": "wait"}, OutcomeNode),
    ],
)
def test_the_kind_picks_the_model(raw: dict[str, Any], model: type) -> None:
    flow = Flow.model_validate(minimal_flow(n=raw))
    assert type(flow.node("n")) is model
    assert raw["kind"] in models.NODE_KINDS


@pytest.mark.parametrize("kind", [None, "outcom", "Outcome", 3])
def test_an_unknown_or_missing_kind_is_refused(kind: Any) -> None:
    raw: dict[str, Any] = {"result": "resolved"} if kind is None else {"kind": kind, "result": "resolved"}
    with pytest.raises(ValidationError) as exc:
        Flow.model_validate(minimal_flow(done=raw))
    assert error_types(exc) & {"union_tag_invalid", "union_tag_not_found"}


def test_a_question_needs_a_choice() -> None:
    with pytest.raises(ValidationError):
        QuestionNode(kind="question", choices=[])


def test_a_choice_needs_a_label_of_sane_length() -> None:
    with pytest.raises(ValidationError):
        Choice(label="", goto="a")
    with pytest.raises(ValidationError):
        Choice(label="x" * 201, goto="a")
    assert Choice(label="x" * 200).goto is None  # a missing goto is a graph problem, reported by validate


def test_an_input_keeps_its_answer_under_a_name() -> None:
    with pytest.raises(ValidationError):
        InputNode(kind="input")  # type: ignore[call-arg]
    node = InputNode(kind="input", store="tenant_id", next=[{"goto": "a", "when": {"value": "x", "equals": "1"}}])  # type: ignore[list-item]
    assert isinstance(node.next, list) and node.next[0].goto == "a"
    assert node.multiline is False and node.validators == []


def test_a_match_step_keeps_the_pasted_error_by_default() -> None:
    node = MatchNode(kind="match", no_match="x")
    assert node.store == "error_message" and node.candidates is None


def test_cause_error_patterns_must_not_be_blank() -> None:
    assert CauseNode(kind="cause", errors=["already claimed"]).errors == ["already claimed"]
    with pytest.raises(ValidationError, match="must not be blank"):
        CauseNode(kind="cause", errors=["already claimed", "   "])


@pytest.mark.parametrize("result", ["resolved", "contact_support", "wait", "redirect"])
def test_outcome_results(result: str) -> None:
    assert OutcomeNode(kind="outcome", result=result).result is OutcomeResult(result)  # type: ignore[arg-type]


def test_an_outcome_needs_a_known_result() -> None:
    with pytest.raises(ValidationError):
        OutcomeNode(kind="outcome")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        OutcomeNode(kind="outcome", result="finished")  # type: ignore[arg-type]


def test_collect_fields() -> None:
    field = CollectField(field="customer_tenant_id", label="Customer tenant ID", value="tenant_id", required=True)
    assert field.required and field.value == "tenant_id"
    assert CollectField(field="description", label="Description").value is None
    with pytest.raises(ValidationError):
        CollectField(field="", label="x")
    with pytest.raises(ValidationError):
        CollectField(field="x", label="x", value="not-a-name")


def test_a_node_title_is_short() -> None:
    with pytest.raises(ValidationError):
        CauseNode(kind="cause", title="x" * 201)


# --- links, source, settings ------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://learn.microsoft.com/partner-center", "http://example.com/a?b=c"])
def test_good_links(url: str) -> None:
    assert Link(title="Docs", url=url).url == url


@pytest.mark.parametrize("url", ["learn.microsoft.com", "javascript:alert(1)", "file:///etc/passwd", "https://a b"])
def test_links_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError):
        Link(title="Docs", url=url)


def test_source_ref_needs_article_id_and_title() -> None:
    ref = SourceRef(article_id="a", title="T", support_topic_ids=["1"], product_ids=["2"])
    assert ref.url is None and ref.support_topic_ids == ["1"]
    with pytest.raises(ValidationError):
        SourceRef(title="T")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        SourceRef(article_id="", title="T")


@pytest.mark.parametrize(("score", "ok"), [(0, True), (100, True), (72.5, True), (-1, False), (100.1, False)])
def test_match_thresholds_are_scores(score: float, ok: bool) -> None:
    if ok:
        assert MatchSettings(match_threshold=score).match_threshold == score
    else:
        with pytest.raises(ValidationError):
            MatchSettings(candidate_threshold=score)


# --- the flow ---------------------------------------------------------------------------


def test_the_good_flow_loads() -> None:
    flow = Flow.model_validate(good_data())
    assert (flow.id, flow.start, flow.version) == ("good", "ask", "1")
    assert flow.source is not None and flow.source.article_id == "example-article"
    assert list(flow.nodes) == ["ask", "paste", "tenant", "mismatch", "done", "support"]
    assert [nid for nid, _ in flow.causes()] == ["mismatch"]
    assert flow.matching == MatchSettings()


@pytest.mark.parametrize("field", ["id", "title", "version", "start", "nodes"])
def test_required_flow_fields(field: str) -> None:
    data = good_data()
    del data[field]
    with pytest.raises(ValidationError) as exc:
        Flow.model_validate(data)
    assert exc.value.errors()[0]["loc"] == (field,)


def test_a_flow_needs_nodes_and_a_title() -> None:
    with pytest.raises(ValidationError):
        Flow.model_validate(minimal_flow() | {"nodes": {}})
    with pytest.raises(ValidationError):
        Flow.model_validate(minimal_flow() | {"title": ""})


def test_flow_node_lookup() -> None:
    flow = Flow.model_validate(good_data())
    assert isinstance(flow.node("paste"), MatchNode)
    with pytest.raises(KeyError):
        flow.node("nowhere")


def test_targets_in_declaration_order() -> None:
    flow = Flow.model_validate(good_data())
    assert flow.targets(flow.node("ask")) == ["paste", "tenant"]
    # A match step leads to its no_match, then to every cause with error patterns.
    assert flow.targets(flow.node("paste")) == ["tenant", "mismatch"]
    assert flow.targets(flow.node("tenant")) == ["support", "mismatch"]
    assert flow.targets(flow.node("mismatch")) == ["done", "support"]
    assert flow.targets(flow.node("done")) == []
    assert flow.targets(CauseNode(kind="cause", next="a")) == ["a"]
    # Choices without a goto lead nowhere and are skipped; duplicates are kept.
    question = QuestionNode(
        kind="question", choices=[Choice(label="a", goto="x"), Choice(label="b"), Choice(label="c", goto="x")]
    )
    assert flow.targets(question) == ["x", "x"]


def test_a_match_step_leads_to_the_listed_causes_that_have_patterns() -> None:
    flow = Flow.model_validate(
        minimal_flow(
            paste={"kind": "match", "candidates": ["late", "silent", "done", "early"], "no_match": "done"},
            early={"kind": "cause", "errors": ["too early"], "next": "done"},
            silent={"kind": "cause", "next": "done"},
            late={"kind": "cause", "errors": ["too late"], "next": "done"},
            done={"kind": "outcome", "result": "resolved"},
        )
    )
    paste = flow.node("paste")
    assert isinstance(paste, MatchNode)
    # Listed order; "silent" has no patterns and "done" is no cause: neither can be matched.
    assert [nid for nid, _ in flow.candidate_causes(paste)] == ["late", "early"]
    assert flow.targets(paste) == ["done", "late", "early"]
    everything = MatchNode(kind="match", no_match="done")
    assert [nid for nid, _ in flow.candidate_causes(everything)] == ["early", "late"]  # file order
    assert flow.targets(everything) == ["done", "early", "late"]


def test_every_field_is_documented_in_the_model() -> None:
    # docs/flow-format.md is written from these docstrings; a field without one is a gap in the docs.
    for model in (Flow, SourceRef, MatchSettings, QuestionNode, InputNode, MatchNode, CauseNode, OutcomeNode,
                  Choice, Branch, Condition, InputValidator, CollectField, Link):  # fmt: skip
        for name, info in model.model_fields.items():
            if name == "kind":
                continue
            assert info.description, f"{model.__name__}.{name} has no docstring"


# --- docs/flow-format.md stays in step with the models ------------------------------------

FORMAT_DOC = Path(__file__).parent.parent / "docs" / "flow-format.md"

#: The heading of the section that documents each model's fields.
DOC_SECTIONS: dict[type, str] = {
    Flow: "## The flow",
    SourceRef: "### `source`: the article",
    MatchSettings: "### Matching settings",
    models.NodeBase: "## Nodes",
    QuestionNode: "### `question`",
    InputNode: "### `input`",
    MatchNode: "### `match`",
    CauseNode: "### `cause`",
    OutcomeNode: "### `outcome`",
    Choice: "## Choices",
    Branch: "## Branches",
    Condition: "## Conditions",
    InputValidator: "## Validators",
    CollectField: "## Collect fields",
    Link: "## Links",
}


def doc_field_rows(heading: str) -> dict[str, str]:
    """The rows of the first field table under ``heading``, by field name."""
    text = FORMAT_DOC.read_text(encoding="utf-8")
    start = text.index("\n" + heading) + 1
    section = re.split(r"\n#{2,3} ", text[start + len(heading) :], maxsplit=1)[0]
    table = section.split("| Field |", 1)[1].split("\n\n", 1)[0]  # the table ends at the first blank line
    return dict(re.findall(r"^\| `([a-z_]+)` \|(.*)$", table, flags=re.MULTILINE))


@pytest.mark.parametrize("model", list(DOC_SECTIONS), ids=lambda m: m.__name__)
def test_the_format_doc_lists_every_field_of_every_model(model: type) -> None:
    rows = doc_field_rows(DOC_SECTIONS[model])
    own = dict(model.model_fields)
    if model is not models.NodeBase and issubclass(model, models.NodeBase):
        own = {k: v for k, v in own.items() if k not in models.NodeBase.model_fields}
    assert list(rows) == list(own)
    for name, info in own.items():
        assert ("**required**" in rows[name]) is info.is_required(), name


def test_every_node_kind_and_validator_type_is_documented() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    for kind in models.NODE_KINDS:
        assert f"### `{kind}`" in text
    for validator in ValidatorKind:
        assert f"| `{validator.value}` | " in text
    for result in OutcomeResult:
        assert f"| `{result.value}` | " in text


def test_the_format_doc_examples_are_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", FORMAT_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) >= 10
    parts: dict[str, Any] = {
        "source": TypeAdapter(SourceRef),
        "matching": TypeAdapter(MatchSettings),
        "choices": TypeAdapter(list[Choice]),
        "next": TypeAdapter(list[Branch]),
        "validators": TypeAdapter(list[InputValidator]),
        "collect": TypeAdapter(list[CollectField]),
        "links": TypeAdapter(list[Link]),
    }
    node = TypeAdapter(models.Node)
    for block in blocks:
        data = yaml.safe_load(block)
        if isinstance(data, list):
            TypeAdapter(list[Condition]).validate_python(data)
        elif "id" in data:
            report = check_bytes(block.encode(), "example.yaml")
            assert report.diagnostics == [], [d.format() for d in report.diagnostics]
        else:
            [(key, value)] = data.items()
            if key in parts:
                parts[key].validate_python(value)
            else:
                node.validate_python(value)


# Escapes, C1 controls, bidi overrides and isolates, zero-width space, BOM, soft hyphen: what answers lose.
@pytest.mark.parametrize(
    "bad", ["\x1b[31m", "\x1b]0;title\x07", "\x9b", "\u202e", "\u2066", "\x00", "\u200b", "\ufeff", "\u00ad"]
)
def test_flow_text_refuses_control_characters(bad: str) -> None:
    from selfhelp.flow.validate import check_bytes

    text = 'id: esc\ntitle: "t"\nversion: "1"\nstart: done\nnodes:\n  done: {kind: outcome, result: resolved}\n'
    raw = text.replace('title: "t"', "title: " + json.dumps(f"a {bad} b")).encode()
    report = check_bytes(raw, "esc.yaml")
    [diag] = report.diagnostics
    assert diag.rule == "invalid-value" and "control character" in diag.message and (diag.line, diag.column) == (2, 8)
    assert bad not in diag.format()


def test_flow_text_keeps_newlines_tabs_and_emoji() -> None:
    from selfhelp.flow.validate import check_bytes

    raw = (
        'id: ok\ntitle: "a\\tb 🙂 שלום 👨\\u200d👩"\nversion: "1"\nstart: done\n'
        'nodes:\n  done: {kind: outcome, result: resolved, text: "x\\ny"}\n'
    )
    assert check_bytes(raw.encode(), "ok.yaml").ok
