"""The tenant-domain check against a fake sign-in service on 127.0.0.1, and ``selfhelp check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfhelp.authoring.flowtest.record import scenario_from_session
from selfhelp.checks import CheckRequest, run_check
from selfhelp.cli import main
from selfhelp.flow.validate import check_file
from selfhelp.session.engine import CHECK_ONLINE_LABEL, SKIP_CHECK_LABEL, Session
from selfhelp.session.handoff import build_summary
from tests.conftest import CONTOSO_TENANT, FakeDiscovery

OTHER_TENANT = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.fixture
def cpor_flow_for_checks() -> Session:
    """A CPOR session at the tenant ID question."""
    from selfhelp.flow.catalog import flow_sources, load_catalog

    flow = load_catalog(flow_sources()).flows["cpor-customer-association"].flow
    session = Session(flow)
    session.jump("ask-tenant-id")
    return session


def check(tenant: str, domain: str, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    return run_check(CheckRequest("tenant-domain", {"tenant": tenant, "domain": domain}), timeout=timeout)


def test_domain_of_the_tenant_entered_is_a_match(discovery: FakeDiscovery) -> None:
    outcome = check(CONTOSO_TENANT.upper(), "Contoso.onmicrosoft.com")
    assert outcome.result == "match"
    assert outcome.tenant_of_domain == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert discovery.seen == ["/contoso.onmicrosoft.com/.well-known/openid-configuration"]
    assert outcome.sent_to == f"{discovery.url}/contoso.onmicrosoft.com/.well-known/openid-configuration"


def test_a_bare_subdomain_is_checked_as_the_tenants_initial_domain(discovery: FakeDiscovery) -> None:
    outcome = check(CONTOSO_TENANT, " Contoso ")
    assert outcome.result == "match"
    assert discovery.seen == ["/contoso.onmicrosoft.com/.well-known/openid-configuration"]


def test_a_tenant_path_without_a_tenant_id_or_subdomain_skips_the_check(cpor_flow_for_checks) -> None:
    session = cpor_flow_for_checks
    assert session.submit("").ok  # no tenant ID
    assert session.current.node == "ask-customer-domain"
    assert session.submit("contoso").ok
    assert session.current.node == "ask-claim-id"


def test_domain_of_another_tenant_is_a_mismatch_naming_that_tenant(discovery: FakeDiscovery) -> None:
    outcome = check(OTHER_TENANT, "contoso.onmicrosoft.com")
    assert outcome.result == "mismatch"
    assert outcome.tenant_of_domain == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert outcome.message == (
        "contoso.onmicrosoft.com belongs to tenant 72f988bf-86f1-41af-91ab-2d7cd011db47, "
        "not the one you entered (0f8fad5b-d9cb-469f-a165-70867728950e)."
    )


def test_domain_no_tenant_owns_is_unknown(discovery: FakeDiscovery) -> None:
    outcome = check(OTHER_TENANT, "nobody-owns-this.example")
    assert outcome.result == "unknown-domain"
    assert outcome.tenant_of_domain is None


@pytest.mark.parametrize(
    ("domain", "reason"),
    [
        ("slow.example", "the sign-in service did not answer within 0.3 s"),
        ("bad-json.example", "the sign-in service's answer names no tenant"),
        ("redirect.example", "the sign-in service answered HTTP 302"),
        ("huge.example", "the sign-in service's answer was too large"),
        ("server-error.example", "the sign-in service answered HTTP 500"),
        ("unknown-page.example", "the sign-in service answered HTTP 404"),
    ],
)
def test_anything_but_a_clear_answer_is_unavailable(discovery: FakeDiscovery, domain: str, reason: str) -> None:
    outcome = check(OTHER_TENANT, domain, timeout=0.3)
    assert outcome.result == "unavailable"
    assert outcome.reason == reason
    assert outcome.tenant_of_domain is None


def test_a_redirect_is_not_followed(discovery: FakeDiscovery) -> None:
    check(OTHER_TENANT, "redirect.example")
    assert discovery.seen == ["/redirect.example/.well-known/openid-configuration"]  # one request, no second


def test_a_service_that_cannot_be_reached_is_unavailable_after_one_try() -> None:
    # The autouse fixture points the checks at a closed port on 127.0.0.1.
    outcome = check(OTHER_TENANT, "contoso.onmicrosoft.com")
    assert outcome.result == "unavailable"
    assert outcome.reason is not None and outcome.reason.startswith("the sign-in service could not be reached")


def test_inputs_that_are_not_a_guid_and_a_domain_are_not_sent(discovery: FakeDiscovery) -> None:
    assert check("not-a-guid", "contoso.onmicrosoft.com").result == "unavailable"
    assert check(OTHER_TENANT, "contoso/../x").result == "unavailable"
    assert discovery.seen == []


# --- selfhelp check --------------------------------------------------------------


def test_cli_prints_json_and_exits_0_for_an_answer(
    discovery: FakeDiscovery, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["check", "tenant-domain", "--tenant", OTHER_TENANT, "--domain", "contoso.onmicrosoft.com", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert data["check"] == "tenant-domain"
    assert data["result"] == "mismatch"
    assert data["tenant_of_domain"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert data["checked_at"].endswith("+00:00")


def test_cli_exits_0_for_unknown_domain(discovery: FakeDiscovery, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "tenant-domain", "--tenant", OTHER_TENANT, "--domain", "nobody-owns-this.example"])
    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[0] == "tenant-domain: unknown-domain"


def test_cli_exits_1_when_unavailable(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "tenant-domain", "--tenant", OTHER_TENANT, "--domain", "contoso.onmicrosoft.com", "--json"])
    assert status == 1
    assert json.loads(capsys.readouterr().out)["result"] == "unavailable"


@pytest.mark.parametrize(
    ("tenant", "domain", "said"),
    [
        ("12345", "contoso.onmicrosoft.com", "is not a GUID"),
        (OTHER_TENANT, "not a domain", "is not a domain name"),
    ],
)
def test_cli_usage_errors_exit_2_and_send_nothing(
    discovery: FakeDiscovery, capsys: pytest.CaptureFixture[str], tenant: str, domain: str, said: str
) -> None:
    status = main(["check", "tenant-domain", "--tenant", tenant, "--domain", domain])
    assert status == 2
    assert said in capsys.readouterr().err
    assert discovery.seen == []


# --- the check step in the flow format and the engine ----------------------------

FLOW = """\
id: checking
title: Checking
version: "1"
start: ask
nodes:
  ask:
    kind: input
    store: tenant_id
    next: ask-domain
  ask-domain:
    kind: input
    store: customer_domain
    next: check
  check:
    kind: check
    check: {check}
    inputs: {{tenant: tenant_id, domain: customer_domain}}
    results:
{results}
  done:
    kind: outcome
    result: resolved
  support:
    kind: outcome
    result: contact_support
"""
ALL_RESULTS = "      match: done\n      mismatch: done\n      unknown-domain: support\n      unavailable: support\n"


def _flow_file(tmp_path: Path, check: str = "tenant-domain", results: str = ALL_RESULTS) -> Path:
    path = tmp_path / "checking.yaml"
    path.write_text(FLOW.format(check=check, results=results), encoding="utf-8")
    return path


def test_a_check_step_naming_an_unknown_check_is_refused_at_its_line(tmp_path: Path) -> None:
    report = check_file(_flow_file(tmp_path, check="tenant-domian"))
    errors = [(d.rule, d.line) for d in report.diagnostics]
    assert ("invalid-value", 16) in errors
    assert any("the built-in checks are: tenant-domain" in d.message for d in report.diagnostics)


def test_a_check_step_must_route_every_result(tmp_path: Path) -> None:
    report = check_file(_flow_file(tmp_path, results="      match: done\n      mismatch: done\n"))
    assert report.flow is None
    assert [d.message for d in report.diagnostics if d.rule == "invalid-value"] == [
        "nodes.check.results: results must give every result of check 'tenant-domain'; "
        "missing: unknown-domain, unavailable"
    ]


def test_a_check_result_leading_nowhere_is_a_dangling_target(tmp_path: Path) -> None:
    report = check_file(_flow_file(tmp_path, results=ALL_RESULTS.replace("support\n", "suport\n", 1)))
    assert [(d.rule, d.line) for d in report.diagnostics] == [("dangling-target", 21)]


def test_the_engine_runs_a_check_only_once_agreed_and_keeps_it_through_a_save(
    tmp_path: Path, discovery: FakeDiscovery
) -> None:
    report = check_file(_flow_file(tmp_path))
    assert report.flow is not None
    session = Session(report.flow)
    assert session.submit(OTHER_TENANT).ok
    assert session.submit("contoso.onmicrosoft.com").ok
    assert session.check_due() is None  # not agreed yet
    assert not session.run_check().ok
    assert [c.label for c in session.step().choices] == [CHECK_ONLINE_LABEL, SKIP_CHECK_LABEL]
    assert session.choose_label(CHECK_ONLINE_LABEL).ok
    assert session.current.node == "check"  # agreeing runs nothing by itself
    assert session.run_check().ok
    assert session.current.node == "done"
    resumed, _ = Session.from_json(report.flow, session.to_json())
    [(node, outcome)] = resumed.checks_done()
    assert (node, outcome.result, outcome.tenant_of_domain) == (
        "check",
        "mismatch",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
    )
    assert resumed.state.checks_allowed is True


def test_a_session_through_a_check_records_as_a_scenario_step_and_summary(tmp_path: Path) -> None:
    report = check_file(_flow_file(tmp_path))
    assert report.flow is not None
    session = Session(report.flow, online=True)
    assert session.submit(OTHER_TENANT).ok
    assert session.submit("contoso.onmicrosoft.com").ok
    assert session.check_due() is not None  # online checks on: nothing to agree to
    assert session.run_check().ok  # the autouse fixture's closed port: unavailable
    assert session.current.node == "support"
    steps = scenario_from_session(session, "recorded")["steps"]
    assert steps[-1] == {"check": "unavailable", "expect": {"node": "support", "outcome": "contact_support"}}
    summary = build_summary(session)
    [record] = summary.checks
    assert (record.node, record.check, record.result) == ("check", "tenant-domain", "unavailable")
    assert record.inputs == {"tenant": OTHER_TENANT, "domain": "contoso.onmicrosoft.com"}
    assert record.sent_to == "http://127.0.0.1:9/contoso.onmicrosoft.com/.well-known/openid-configuration"
    markdown, text = summary.to_markdown(), summary.to_text()
    assert "## Checks" in markdown and "- **tenant-domain: unavailable**: Not checked:" in markdown
    assert "Checks:\n- tenant-domain: unavailable: Not checked: the sign-in service could not be reached" in text
    assert f"  tenant={OTHER_TENANT}, domain=contoso.onmicrosoft.com; asked {record.sent_to}; " in text
