"""A check step in the app: it says what is sent where, asks once, runs in a worker and shows the answer."""

from __future__ import annotations

from selfhelp.session.handoff import build_summary
from tests.conftest import CONTOSO_TENANT, FakeDiscovery
from tests.tui.conftest import CPOR, GUID, at, choices_shown, conversation, pick, screen_text, type_answer


async def _to_the_check(pilot, domain: str = "contoso.onmicrosoft.com") -> None:  # type: ignore[no-untyped-def]
    await pick(pilot, "I get an error about the customer tenant ID or subdomain")
    await pick(pilot, "Check the tenant ID and subdomain for me")
    await type_answer(pilot, GUID)
    await type_answer(pilot, domain)


async def _checked(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the check's worker, then for the screen to show its answer."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_the_check_asks_first_then_shows_the_tenant_the_domain_belongs_to(
    make_app, discovery: FakeDiscovery
) -> None:
    app = make_app(flow_id=CPOR)
    async with app.run_test(size=(110, 50)) as pilot:
        await _to_the_check(pilot)
        assert at(app) == "check-tenant-domain"
        text = screen_text(app)
        assert "What is sent:" in text and "sign-in service" in text
        assert choices_shown(conversation(app)) == [
            "1. Yes, check it online",
            "2. No, don't check: I'll answer the questions myself",
        ]
        assert discovery.seen == []  # nothing is sent before the user agrees
        await pick(pilot, "Yes, check it online")
        await _checked(pilot)
        assert at(app) == "tenant-domain-mismatch"
        answer = conversation(app).query("UserMessage").last()
        assert answer.answer == (
            "contoso.onmicrosoft.com belongs to tenant 72f988bf-86f1-41af-91ab-2d7cd011db47, "
            f"not the one you entered ({GUID})."
        )
        assert discovery.seen == ["/contoso.onmicrosoft.com/.well-known/openid-configuration"]
        checks = build_summary(conversation(app).session).checks
        assert [(c.check, c.result, c.tenant_of_domain) for c in checks] == [
            ("tenant-domain", "mismatch", "72f988bf-86f1-41af-91ab-2d7cd011db47")
        ]


async def test_with_online_checks_on_the_check_runs_without_asking(make_app, discovery: FakeDiscovery) -> None:
    app = make_app(flow_id=CPOR, online=True)
    async with app.run_test(size=(110, 50)) as pilot:
        await pick(pilot, "I get an error about the customer tenant ID or subdomain")
        await pick(pilot, "Check the tenant ID and subdomain for me")
        await type_answer(pilot, CONTOSO_TENANT)
        await type_answer(pilot, "contoso.onmicrosoft.com")
        await _checked(pilot)
        assert at(app) == "tenant-domain-match"
        assert conversation(app).query("UserMessage").last().answer == (
            "contoso.onmicrosoft.com belongs to tenant 72f988bf-86f1-41af-91ab-2d7cd011db47, "
            "the one you entered: the two match."
        )


async def test_declining_sends_nothing_and_goes_on_with_the_questions(make_app, discovery: FakeDiscovery) -> None:
    app = make_app(flow_id=CPOR)
    async with app.run_test(size=(110, 50)) as pilot:
        await _to_the_check(pilot)
        await pick(pilot, "No, don't check")
        await _checked(pilot)
        assert at(app) == "ask-claim-id"
        assert discovery.seen == []
        checks = build_summary(conversation(app).session).checks
        assert [(c.result, c.sent_to) for c in checks] == [("unavailable", None)]


async def test_a_service_that_does_not_answer_falls_back_to_the_questions(make_app) -> None:
    # The autouse fixture points the checks at a closed port on 127.0.0.1: the check is unavailable.
    app = make_app(flow_id=CPOR, online=True)
    async with app.run_test(size=(110, 50)) as pilot:
        await _to_the_check(pilot)
        await _checked(pilot)
        assert at(app) == "ask-claim-id"
        assert conversation(app).query("UserMessage").last().answer.startswith(
            "Not checked: the sign-in service could not be reached"
        )


def test_checks_online_is_read_from_the_settings_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from selfhelp.tui.config import load_config

    good = tmp_path / "config.yaml"
    good.write_text("checks:\n  online: true\n", encoding="utf-8")
    config, problem = load_config(good)
    assert (config.checks_online, problem) == (True, None)
    bad = tmp_path / "bad.yaml"
    bad.write_text("checks:\n  onlin: true\n", encoding="utf-8")
    config, problem = load_config(bad)
    assert config.checks_online is False
    assert problem is not None and "checks.onlin: unknown setting" in problem and "online" in problem
