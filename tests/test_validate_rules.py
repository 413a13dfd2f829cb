"""Every validation rule, each proven by a small bad flow that breaks exactly that rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from selfhelp.authoring.drift import article_sections
from selfhelp.base.diagnostics import Diagnostic, Severity
from selfhelp.cli import main
from selfhelp.flow.rules import RULES
from selfhelp.flow.validate import FileReport, check_bytes, check_file, check_files

HERE = Path(__file__).parent
BAD = HERE / "bad_flows"
GOOD = BAD / "good.yaml"
DOCS = HERE.parent / "docs" / "rules.md"

#: rule id -> (line, column, a fragment the hint must hold, or None) for tests/bad_flows/<rule id>.yaml.
COMMITTED: dict[str, tuple[int, int, str | None]] = {
    "empty-file": (0, 0, "id:"),
    "yaml-syntax": (3, 8, 'close it with " on line 3'),
    "too-deep": (8, 47, None),
    "alias-expansion": (7, 4, "aliases"),
    "unsafe-tag": (10, 13, "remove the tag"),
    "yaml-key": (8, 3, None),
    "duplicate-key": (5, 1, "silently keep only the last"),
    "not-a-flow": (2, 1, "id:"),
    "unknown-field": (9, 5, "did you mean 'title'?"),
    "missing-field": (7, 3, None),
    "invalid-value": (4, 10, "put it in quotes"),
    "unknown-kind": (15, 11, "did you mean 'outcome'?"),
    "regex-unsupported": (13, 18, "match each part on its own"),
    "start-missing": (2, 1, "add start:"),
    "start-unknown": (5, 8, "did you mean 'ask'?"),
    "duplicate-node-id": (8, 3, None),
    "dangling-target": (14, 15, "did you mean 'done'?"),
    "choice-without-target": (13, 9, "goto:"),
    "dead-end": (13, 3, None),
    "trap-cycle": (13, 3, None),
    "unreachable-node": (8, 3, None),
    "value-used-not-set": (18, 16, "did you mean 'tenant_id'?"),
    "match-no-fallback": (7, 3, "no_match:"),
    "match-no-patterns": (7, 3, "errors:"),
    "candidate-not-cause": (10, 23, None),
    "lint-config": (11, 7, "switchable:"),
    "duplicate-choice-label": (12, 17, "its own label"),
    "cause-no-text": (13, 3, "text:"),
    "next-no-fallback": (11, 5, "without when:"),
    "choices-same-target": (10, 5, "store:"),
}

#: Rules whose bad file is built inside a test (binary, huge or unreadable), with that test's name.
GENERATED: dict[str, str] = {
    "unreadable-file": "test_unreadable_file",
    "file-too-large": "test_file_too_large",
    "binary-file": "test_binary_file",
    "not-utf8": "test_not_utf8",
    "duplicate-flow-id": "test_duplicate_flow_id_names_both_files",
    "source-unknown": "test_source_unknown",
    "redirect-unknown-flow": "test_redirect_unknown_flow_is_checked_across_files",
    "examples-file": "test_examples_file_problems_are_all_reported_at_their_place",
    "example-unknown-cause": "test_example_unknown_cause",
}


def only(report: FileReport) -> Diagnostic:
    """The one problem of a file that breaks exactly one rule."""
    assert len(report.diagnostics) == 1, [d.format() for d in report.diagnostics]
    return report.diagnostics[0]


def test_the_good_flow_is_clean() -> None:
    report = check_file(GOOD)
    assert report.diagnostics == []
    assert report.ok and report.flow is not None and report.flow.id == "good"


@pytest.mark.parametrize("rule", sorted(COMMITTED))
def test_bad_flow_breaks_exactly_its_rule(rule: str) -> None:
    line, column, hint = COMMITTED[rule]
    report = check_file(BAD / f"{rule}.yaml")
    diag = only(report)
    assert (diag.rule, diag.severity, diag.line, diag.column) == (rule, RULES[rule].severity, line, column)
    assert diag.file == report.display and diag.file.endswith(f"{rule}.yaml")
    if hint is not None:
        assert diag.hint is not None and hint in diag.hint
    # Errors make the flow unusable; the one warning rule leaves it usable.
    assert report.ok is (RULES[rule].severity is Severity.warning)


def test_unreadable_file(tmp_path: Path) -> None:
    # A folder given as a file cannot be read on any platform (unlike permissions, which root ignores).
    folder = tmp_path / "a-folder.yaml"
    folder.mkdir()
    diag = only(check_file(folder))
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("unreadable-file", Severity.error, 0, 0)
    assert "cannot read" in diag.message


def test_file_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(GOOD.read_bytes() + b"#" * (1024 * 1024))
    diag = only(check_file(big))
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("file-too-large", Severity.error, 0, 0)
    assert "at most 1,048,576" in diag.message


def test_binary_file() -> None:
    diag = only(check_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.yaml"))
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("binary-file", Severity.error, 0, 0)


def test_not_utf8() -> None:
    # A Latin-1 "é" on line 3, column 16 (columns count characters: the UTF-8 "é" before it is one).
    raw = b'id: not-utf8\nversion: "1"\ntitle: Caf\xc3\xa9 caf\xe9\n'
    diag = only(check_bytes(raw, "latin1.yaml"))
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("not-utf8", Severity.error, 3, 16)
    assert "0xe9" in diag.message and diag.hint == "save the file as UTF-8"


def test_utf8_with_byte_order_mark_is_accepted() -> None:
    assert check_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes(), "bom.yaml").ok


def test_an_empty_file_is_refused() -> None:
    for raw in (b"", b"   \n\n"):
        diag = only(check_bytes(raw, "empty.yaml"))
        assert (diag.rule, diag.line, diag.column) == ("empty-file", 0, 0)


def test_duplicate_flow_id_names_both_files() -> None:
    reports = check_files([GOOD, BAD / "duplicate-flow-id.yaml"])
    assert reports[0].diagnostics == [] and reports[0].ok
    diag = only(reports[1])
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("duplicate-flow-id", Severity.error, 2, 5)
    # The report is on the second file and names the first.
    assert diag.file.endswith("duplicate-flow-id.yaml")
    assert reports[0].display in diag.message
    assert reports[1].flow is None


REDIRECTING = """\
id: redirecting
title: A redirecting flow
version: "1"
start: elsewhere
nodes:
  elsewhere:
    kind: outcome
    result: redirect
    redirect_flow: {target}
"""


def test_redirect_unknown_flow_is_checked_across_files(tmp_path: Path) -> None:
    alone = tmp_path / "alone" / "redirecting.yaml"
    alone.parent.mkdir()
    alone.write_text(REDIRECTING.format(target="goood"), encoding="utf-8")
    [report] = check_files([alone])
    diag = only(report)
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("redirect-unknown-flow", Severity.warning, 9, 20)
    assert diag.message == "node 'elsewhere' redirects to flow 'goood', which is not among the flows loaded"
    assert report.ok  # a warning: the flow still runs
    [known] = check_files([alone], known_flows=["goood"])  # loaded besides these files (the app's catalog)
    assert known.diagnostics == []
    # Checked with other flows: a did-you-mean among them.
    diag = only(check_files([alone, GOOD])[0])
    assert diag.hint == "did you mean 'good'?"
    # Checked with the flow it names: clean.
    alone.write_text(REDIRECTING.format(target="good"), encoding="utf-8")
    assert [r.diagnostics for r in check_files([alone, GOOD])] == [[], []]



def test_validate_knows_the_flows_the_app_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SELFHELP_FLOWS", raising=False)
    flow = tmp_path / "redirecting.yaml"
    flow.write_text(REDIRECTING.format(target="cpor-claim-status"), encoding="utf-8")  # a shipped flow
    assert main(["validate", str(flow)]) == 0
    assert "1 file checked: 0 error(s), 0 warning(s)" in capsys.readouterr().out
    flow.write_text(REDIRECTING.format(target="cpor-claim-statu"), encoding="utf-8")
    assert main(["validate", str(flow)]) == 0
    out = capsys.readouterr().out
    assert "redirecting.yaml:9:20: warning redirect-unknown-flow node 'elsewhere' redirects to flow" in out
    assert "hint: did you mean 'cpor-claim-status'?" in out


ARTICLE = """\
<properties pageTitle="Example article" articleId="example-article" />
# Example article
## **Recommended Steps**
Check the tenant ID first.

**Tenant mismatch**

The tenant ID and subdomain do not match.

## **Recommended Documents**
* [Docs](https://example.com/docs)
"""


def test_source_unknown(tmp_path: Path) -> None:
    # The article lies beside the flow, as 'selfhelp drift' finds it; "Tenant mismatc" is not one of its sections.
    (tmp_path / "example.md").write_text(ARTICLE, encoding="utf-8")
    flow = tmp_path / "source-unknown.yaml"
    flow.write_bytes(
        GOOD.read_bytes()
        .replace(b"  title: Example article\n", b"  title: Example article\n  path: example.md\n")
        .replace(b"    kind: cause\n", b"    kind: cause\n    source: Tenant mismatc\n")
    )
    [report] = check_files([flow], sections=article_sections)
    diag = only(report)
    assert (diag.rule, diag.severity, diag.line, diag.column) == ("source-unknown", Severity.warning, 40, 13)
    assert diag.message == "node 'mismatch' mirrors the section 'Tenant mismatc', which example.md does not have"
    assert diag.hint == "did you mean 'Tenant mismatch'?"
    assert report.ok
    # A section the article has is fine; so is any source when the article cannot be found, or none is looked up.
    flow.write_bytes(flow.read_bytes().replace(b"Tenant mismatc\n", b"Tenant mismatch\n"))
    assert check_files([flow], sections=article_sections)[0].diagnostics == []
    flow.write_bytes(flow.read_bytes().replace(b"Tenant mismatch\n", b"Nowhere\n"))
    assert check_file(flow).diagnostics == []
    (tmp_path / "example.md").unlink()
    assert check_files([flow], sections=article_sections)[0].diagnostics == []


def test_validate_checks_sources_against_the_article_beside_the_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "example.md").write_text(ARTICLE, encoding="utf-8")
    flow = tmp_path / "f.yaml"
    flow.write_bytes(
        GOOD.read_bytes()
        .replace(b"  title: Example article\n", b"  title: Example article\n  path: example.md\n")
        .replace(
            b"    kind: outcome\n    result: resolved\n",
            b"    kind: outcome\n    source: Next Step\n    result: resolved\n",
        )
    )
    assert main(["validate", str(flow)]) == 0
    out = capsys.readouterr().out
    assert "f.yaml:50:13: warning source-unknown node 'done' mirrors the section 'Next Step'" in out


def test_the_same_file_given_twice_is_checked_once() -> None:
    # A folder and a file inside it: the file must not clash with itself as a duplicate flow id.
    reports = check_files([GOOD, BAD, GOOD])
    goods = [r for r in reports if r.path.name == "good.yaml"]
    assert len(goods) == 1 and goods[0].diagnostics == []


def test_every_rule_has_a_bad_flow_test() -> None:
    assert set(COMMITTED).isdisjoint(GENERATED)
    assert set(COMMITTED) | set(GENERATED) == set(RULES)
    for rule in COMMITTED:
        assert (BAD / f"{rule}.yaml").is_file(), rule
    for test_name in GENERATED.values():
        assert callable(globals().get(test_name)), test_name
    # And no bad flow lies around untested.
    on_disk = {p.stem for p in BAD.glob("*.yaml")} - {"good", "duplicate-flow-id"}
    assert on_disk == set(COMMITTED)


def test_every_rule_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    headings = set(re.findall(r"^### `([a-z0-9-]+)`", text, flags=re.MULTILINE))
    assert headings == set(RULES)
    for rule in RULES.values():
        section = text.split(f"### `{rule.id}`", 1)[1].split("\n### ", 1)[0]
        assert f"**{rule.severity.value}**" in section, rule.id


# --- several problems at once ----------------------------------------------------------

MANY_PROBLEMS = b"""\
id: many
title: Many problems
version: 2
titel: typo
start: ask
nodes:
  ask:
    kind: question
    text: Pick one.
    store: answer
    choices:
      - label: A
        goto: nowhere
      - label: B
      - label: C
        goto: paste
      - label: D
        goto: loop-a
  paste:
    kind: match
    candidates: [done]
    source: !!python/object/apply:os.system ["echo owned"]
  loop-a: {kind: cause, text: Try b., next: loop-b}
  loop-b: {kind: cause, text: Try a., next: loop-a}
  done:
    kind: outcome
    result: resolved
    collect:
      - {field: f, label: F, value: tenant}
  done: {kind: outcome, result: resolved}
  orphan: {kind: outcome, result: finished}
  stuck: {kind: cause, text: nowhere to go}
  input:
    kind: inptu
"""


def test_a_file_with_many_problems_reports_all_of_them_in_one_run() -> None:
    report = check_bytes(MANY_PROBLEMS, "many.yaml")
    found = {(d.rule, d.line) for d in report.diagnostics}
    expected = {
        ("invalid-value", 3),  # version is a number
        ("unknown-field", 4),  # titel
        ("dangling-target", 13),  # goto: nowhere
        ("choice-without-target", 14),  # label B
        ("match-no-fallback", 19),
        ("candidate-not-cause", 21),  # done is an outcome
        ("unsafe-tag", 22),
        ("trap-cycle", 23),  # loop-a <-> loop-b
        ("value-used-not-set", 29),  # tenant
        ("duplicate-node-id", 30),  # the second done
        ("invalid-value", 31),  # result: finished
        ("unreachable-node", 31),  # orphan
        ("dead-end", 32),  # stuck
        ("unreachable-node", 32),  # stuck
        ("unknown-kind", 34),  # inptu
    }
    assert expected <= found, sorted(expected - found)
    # YAML, schema and graph problems all came out of the same run.
    assert report.flow is None and not report.ok


def test_did_you_mean_for_unknown_fields_at_every_level() -> None:
    raw = b"""\
id: levels
title: Levels
version: "1"
start: tenant
nodes:
  tenant:
    kind: input
    store: tenant_id
    validators:
      - {type: regex, patern: "x+"}
    next:
      - when: {value: tenant_id, equal: x}
        goto: done
      - goto: done
  done:
    kind: outcome
    result: contact_support
    collect:
      - {field: f, lable: F}
"""
    hints = {d.line: d.hint for d in check_bytes(raw, "levels.yaml").diagnostics if d.rule == "unknown-field"}
    assert hints[10] == "did you mean 'pattern'?"
    assert hints[12] == "did you mean 'equals'?"
    assert hints[19] == "did you mean 'label'?"


def test_an_unknown_field_far_from_any_known_one_lists_the_allowed_fields() -> None:
    raw = GOOD.read_bytes().replace(b"start: ask", b"start: ask\nzzzz: 1")
    diag = only(check_bytes(raw, "g.yaml"))
    assert diag.rule == "unknown-field" and diag.hint is not None
    assert diag.hint.startswith("allowed here: id, title")


def test_a_list_of_branches_reports_only_the_branch_problem() -> None:
    # next: is text or a list of branches; for a list, "should be a valid string" would only mislead.
    raw = GOOD.read_bytes().replace(b"- goto: mismatch", b"- goto: mismatch\n        whn: {value: x}")
    diags = check_bytes(raw, "g.yaml").diagnostics
    assert [(d.rule, d.hint) for d in diags] == [("unknown-field", "did you mean 'when'?")]


def test_a_bad_node_id_points_at_the_key() -> None:
    raw = GOOD.read_bytes().replace(b"  done:\n", b"  Done Here:\n").replace(b"goto: done", b"goto: support")
    diags = [d for d in check_bytes(raw, "g.yaml").diagnostics if d.rule == "invalid-value"]
    assert len(diags) == 1
    assert (diags[0].line, diags[0].column) == (47, 3)
    assert "'Done Here'" in diags[0].message and "lower-case" in (diags[0].hint or "")


def test_a_self_loop_is_a_trap_cycle() -> None:
    raw = b"id: x\ntitle: t\nversion: '1'\nstart: a\nnodes:\n  a: {kind: cause, text: Again., next: a}\n"
    diag = only(check_bytes(raw, "loop.yaml"))
    assert (diag.rule, diag.line, diag.column) == ("trap-cycle", 6, 3)


def test_a_cycle_with_a_way_out_is_fine() -> None:
    # Going round (e.g. "try again") is allowed as long as an outcome stays reachable.
    raw = b"""\
id: x
title: t
version: '1'
start: a
nodes:
  a:
    kind: question
    choices:
      - {label: again, goto: b}
      - {label: stop, goto: end}
  b: {kind: cause, text: Once more., next: a}
  end: {kind: outcome, result: resolved}
"""
    assert check_bytes(raw, "ok.yaml").diagnostics == []


def test_a_condition_on_a_value_never_kept_is_reported() -> None:
    raw = GOOD.read_bytes().replace(b"value: has_error, equals", b"value: has_eror, equals")
    diag = only(check_bytes(raw, "g.yaml"))
    assert (diag.rule, diag.line, diag.hint) == ("value-used-not-set", 34, "did you mean 'has_error'?")


def test_the_error_message_kept_by_a_match_step_counts_as_set() -> None:
    raw = GOOD.read_bytes().replace(b"value: tenant_id\n", b"value: error_message\n")
    assert check_bytes(raw, "g.yaml").diagnostics == []


# --- a flow's examples file ---------------------------------------------------------------

CPOR = HERE.parent / "flows" / "cpor-customer-association.yaml"


def _with_examples(tmp_path: Path, examples: str | None) -> Path:
    """The CPOR flow copied into ``tmp_path``, with ``examples`` as its examples file (``None``: no file)."""
    flow = tmp_path / "cpor-customer-association.yaml"
    flow.write_bytes(CPOR.read_bytes())
    if examples is not None:
        (tmp_path / "cpor-customer-association.examples.yaml").write_text(examples, encoding="utf-8")
    return flow


def test_examples_file_problems_are_all_reported_at_their_place(tmp_path: Path) -> None:
    flow = _with_examples(
        tmp_path,
        "flow: cpor-customer-association\n"
        "examples:\n"
        "  - text: the tenant id and the domain dont go together\n"
        "    cuase: tenant-subdomain-mismatch\n"
        "  - text: ''\n"
        "    cause: null\n",
    )
    report = check_file(flow, examples=True)
    found = [(d.rule, d.line, d.column, d.message) for d in report.diagnostics]
    assert found == [
        ("examples-file", 3, 5, "example 1, cause: Field required"),
        ("examples-file", 4, 5, "example 1, cuase: Extra inputs are not permitted"),
        ("examples-file", 5, 11, "example 2, text: String should have at least 1 character"),
    ]
    assert all(d.file.endswith("cpor-customer-association.examples.yaml") for d in report.diagnostics)
    assert report.flow is None
    # Loading the flow to run it never reads the file: start-up pays nothing for it.
    assert check_file(flow).ok


def test_a_missing_examples_file_is_reported(tmp_path: Path) -> None:
    report = check_file(_with_examples(tmp_path, None), examples=True)
    diag = only(report)
    assert (diag.rule, diag.line, diag.column) == ("examples-file", 0, 0)
    assert "no such examples file" in diag.message


def test_example_unknown_cause(tmp_path: Path) -> None:
    flow = _with_examples(
        tmp_path,
        "flow: cpor-customer-association\n"
        "examples:\n"
        "  - text: the tenant id and the domain dont go together\n"
        "    cause: tenant-subdomain-mismach\n"
        "  - text: how do I reset my password\n"
        "    cause: null\n"
        "  - text: which claim is it\n"
        "    cause: ask-claim-id\n",
    )
    report = check_file(flow, examples=True)
    found = [(d.rule, d.line, d.column, d.hint) for d in report.diagnostics]
    assert found == [
        ("example-unknown-cause", 4, 12, "did you mean 'tenant-subdomain-mismatch'?"),
        ("example-unknown-cause", 8, 12, "name a cause that has errors:, or null for a near miss"),
    ]


def test_examples_for_another_flow_are_refused(tmp_path: Path) -> None:
    flow = _with_examples(tmp_path, "flow: pal-partner-admin-link\nexamples:\n  - {text: hi, cause: null}\n")
    diag = only(check_file(flow, examples=True))
    assert (diag.rule, diag.line, diag.column) == ("examples-file", 1, 7)
    assert diag.hint == "write flow: cpor-customer-association"


def test_an_examples_file_is_not_a_flow(tmp_path: Path) -> None:
    _with_examples(tmp_path, "flow: cpor-customer-association\nexamples:\n  - {text: hi, cause: null}\n")
    reports = check_files([tmp_path], examples=True)
    assert [r.path.name for r in reports] == ["cpor-customer-association.yaml"] and reports[0].ok


def test_an_examples_file_outside_the_flows_folder_is_refused_unread(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("flow: cpor-customer-association\nexamples:\n  - {text: a secret, cause: null}\n")
    flow = flows / "cpor-customer-association.yaml"
    flow.write_text(CPOR.read_text(encoding="utf-8").replace(
        "examples: cpor-customer-association.examples.yaml", "examples: ../secret.yaml"), encoding="utf-8")
    diag = only(check_file(flow, examples=True))
    assert (diag.rule, diag.line, diag.column) == ("examples-file", 0, 0)
    assert "outside the flow's folder" in diag.message
    from selfhelp.flow.examples import flow_examples

    loaded = check_file(flow).flow
    assert loaded is not None and flow_examples(loaded) == ()
