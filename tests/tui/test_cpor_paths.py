"""Every path of the shipped CPOR flow, driven through the app with the keyboard."""

from __future__ import annotations

import json

import pytest

from tests.tui.conftest import GUID, at, conversation, paste, pick, pick_action, screen_text, type_answer

#: (test id, steps, expected outcome): each step is ("pick", label prefix), ("type", text) or ("paste", text).
PATHS = [
    (
        "tenant-fixed",
        [("pick", "I get an error about the customer tenant"), ("pick", "Yes, that fixed")],
        "resolved-tenant",
    ),
    (
        "not-a-subscription-id",
        [("pick", "I get an error about the subscription"), ("pick", "No, it looks different"), ("pick", "Yes, that")],
        "resolved-subscription",
    ),
    (
        "every-subscription-reason",
        [
            ("pick", "I get an error about the subscription"),
            ("pick", "Yes, it's a GUID"),  # straight to the checks: no subscription ID asked
            ("pick", "No"),  # product-not-on-tenant
            ("pick", "No, check the other"),
            ("pick", "No"),  # subscription-not-dynamics
            ("pick", "No, check the other"),
            ("pick", "Yes"),  # subscription-is-csp
            ("pick", "No, check the other"),
            ("pick", "No"),  # products-not-provisioned
            ("pick", "No, check the other"),
            ("pick", "Yes"),  # subscription-already-claimed
            ("pick", "No, I still need help"),
            ("pick", "Yes, it's resolved"),
        ],
        "resolved-next-step",
    ),
    (
        "competing-claim-wait",
        [("pick", "My claim is Under Review"), ("pick", "OK, I'll wait")],
        "wait-competing-claim",
    ),
    ("poe-submitted", [("pick", "I was asked for more"), ("pick", "Done")], "resolved-poe-submitted"),
    ("docs", [("pick", "Something else"), ("pick", "Yes, that answers")], "resolved-docs"),
    (
        "poe-then-support",
        [
            ("pick", "My claim is Under Review"),
            ("pick", "I've been asked for more"),
            ("pick", "I still need help"),
            ("type", "CL-1, CL-2"),
            ("paste", "The claim says:\nPartner Action Required"),
            ("pick", "Azure Incentives"),
            ("type", "1234567"),
            ("type", ""),  # no earning period dates
            ("type", ""),
            ("type", ""),  # tenant ID may be left empty
        ],
        "contact-support",
    ),
]


@pytest.mark.parametrize(("steps", "outcome"), [(s, o) for _, s, o in PATHS], ids=[i for i, _, _ in PATHS])
async def test_path_reaches_its_outcome(app, steps, outcome) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        for kind, value in steps:
            await {"pick": pick, "type": type_answer, "paste": paste}[kind](pilot, value)
        assert at(app) == outcome
        text = screen_text(app)
        banner = (
            "✉ Contact support" if outcome == "contact-support" else ("⏳ Wait" if "wait" in outcome else "✔ Resolved")
        )
        assert banner in text
        assert "Start again" in text  # the outcome's actions replace the choices


async def test_contact_support_with_invalid_input_then_summary_copy_and_save(app, tmp_path) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I get an error about the customer tenant")
        await pick(pilot, "No, I've checked")
        await type_answer(pilot, "not-a-guid")
        assert at(app) == "ask-tenant-id"  # refused, explained inline
        assert "✗ A customer tenant ID (Directory ID) is a GUID" in screen_text(app)
        await type_answer(pilot, GUID)
        assert "✗" not in screen_text(app)
        await type_answer(pilot, "contoso.onmicrosoft.com")
        await pick(pilot, "No, don't check")  # nothing is sent: the questions go on as before
        await type_answer(pilot, "CL-42")
        await paste(pilot, "Error 1: tenant mismatch\nError 2: [bold red]still[/] failing")
        await pick(pilot, "OSU - Business Applications")
        await type_answer(pilot, "9876543")
        await type_answer(pilot, "")  # no earning period dates
        await type_answer(pilot, "")
        assert at(app) == "support-subscription-id"
        await type_answer(pilot, "")
        assert at(app) == "contact-support"
        text = screen_text(app)
        assert "Copy the whole case summary" in text and "Save the case summary" in text

        await pick_action(pilot, "Copy the whole case summary")
        copied = app.clipboard
        assert GUID in copied and "CL-42" in copied and "9876543" in copied
        assert "[bold red]still[/] failing" in copied  # literal, as pasted

        await pick_action(pilot, "Save the case summary")
        saved = sorted((tmp_path / "summaries").iterdir())
        assert [p.suffix for p in saved] == [".json", ".md"]
        data = json.loads(saved[0].read_text())
        form = {f["field"]: f["value"] for f in data["form"]}
        assert form["customer_tenant_id"] == GUID and form["incentives_program"] == "OSU - Business Applications"
        assert str(saved[1]) in " ".join(m.text for m in conversation(app).query("NoticeMessage"))


async def test_pasted_known_error_goes_straight_to_its_cause(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, "Submission failed.\nThe customer tenant ID and subdomain do not match\nRef: 1234")
        assert at(app) == "tenant-subdomain-mismatch"
        assert "⌕ Matched a known error" in screen_text(app)


async def test_unknown_error_says_so_and_asks_questions(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, "xyzzy plugh frobnicate")
        assert at(app) == "which-error"
        assert "No known error matches that message" in screen_text(app)
        await pick(pilot, "None of these")
        assert at(app) == "other-issue"


async def test_empty_paste_is_refused_inline(app) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "I have an error message")
        await paste(pilot, "   ")
        assert at(app) == "paste-error"
        assert "✗ Paste the error message you see" in screen_text(app)
