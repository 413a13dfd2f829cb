"""The article importer: drafts that validate clean, sources and hashes on every node, clear reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfhelp.authoring.drift import drift
from selfhelp.authoring.importer import INTRO, import_text, parse_article, section_hash
from selfhelp.cli import main
from selfhelp.flow.validate import check_bytes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "articles"
OWN = ROOT / "tests" / "articles"
CPOR_ARTICLE = SHARED / "incentives-customer-association-customer-association-issues.md"
SCOPING = SHARED / "scopingquestion-partnercenter-incentives-customer-association.md"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="the shared articles are not beside the repository")


def _articles() -> list[Path]:
    shared = sorted(SHARED.glob("*.md")) if SHARED.is_dir() else []
    return shared + sorted(OWN.glob("*.md"))


def _assert_clean_draft(text: str, name: str) -> dict:
    draft = import_text(text, path_name=name)
    assert draft.data is not None, draft.error
    body = draft.to_yaml(name)
    report = check_bytes(body.encode(), name)
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    # Every cited block or section is there, with the hash the node carries: a fresh draft has no drift.
    assert drift(report.flow, parse_article(text)) == []  # type: ignore[arg-type]
    return draft.data


@pytest.mark.parametrize("path", _articles(), ids=lambda p: p.name)
def test_every_article_drafts_clean_or_is_refused_clearly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    draft = import_text(text, path_name=path.name)
    if draft.data is None:
        assert path.name in {SCOPING.name, "no-steps.md", "scoping-broken.md"}
        assert draft.error and "\n" not in draft.error
        return
    _assert_clean_draft(text, path.name)


@needs_shared
def test_the_cpor_article_maps_branches_causes_steps_next_step_and_documents() -> None:
    data = _assert_clean_draft(CPOR_ARTICLE.read_text(encoding="utf-8"), CPOR_ARTICLE.name)
    assert data["id"] == "incentives-customer-association-customer-association-issues"  # the file name
    assert data["source"]["article_id"] == "incentives-customer-association-customer-association-issues"
    assert data["source"]["support_topic_ids"] == ["32739536"]
    assert data["source"]["path"] == CPOR_ARTICLE.name
    nodes = data["nodes"]
    start = nodes[data["start"]]
    assert [c["label"] for c in start["choices"]] == [
        "Sub-domain and Tenant Mismatch",
        "Subscription Errors in CPOR association claim flow",
        "Competing Claims Process and Timeline",
        # The IMPORTANT section is offered by what it says, cut at a word to 90 characters.
        "If we require additional information to verify your CPOR association PoE, we’ll contact…",
        "I have an error message to paste",
        "Something else",
    ]
    errors = [e for n in nodes.values() for e in n.get("errors", [])]
    assert errors == [
        "The product selected doesn’t exist on the customer’s tenant",
        "The subscription provided is not for Dynamics",
        "The subscription provided is for CSP",
        "The customer has not yet activated/provisioned the products for that subscription",
        "The subscription has already been claimed",
        "The identifier provided is not a subscription ID",
    ]
    causes = [n for n in nodes.values() if n.get("errors")]
    # Each cause cites its own list item: the six items are blocks 3 to 8 of the section.
    assert [n["source_block"] for n in causes] == [3, 4, 5, 6, 7, 8]
    assert all(n["source"] == "Subscription Errors in CPOR association claim flow" for n in causes)
    # The causes' "still need help" leads to the Next Step guidance, which leads to support.
    next_step = next(nid for nid, n in nodes.items() if n.get("source") == "Next Step")
    assert all(n["choices"][1]["goto"] == next_step for n in causes)
    assert "work with your customer" in nodes[next_step]["text"]
    # The arbitration process is four steps walked in order; the last says to wait 5 business days.
    steps = [n for n in nodes.values() if n.get("source") == "Competing Claims Process and Timeline"]
    assert [n["source_block"] for n in steps] == [2, 3, 4, 5]
    assert steps[0]["choices"][1] == {"label": "Done: next step", "goto": "step-2-if-you-and-another-partner-claim"}
    # Step 2 ("If you and another partner claim ...") is a decision point: the chain goes on if not the case.
    assert steps[1]["choices"] == [
        {"label": "This is my case, and that fixed it", "goto": "resolved"},
        {"label": "This is my case, but I still need help", "goto": "recommended-documents"},
        {"label": "This is not my case: next step", "goto": "step-3-additional-information-might-be"},
    ]
    assert steps[3]["choices"][0] == {"label": "No: I'll wait", "goto": "wait"}
    assert nodes["wait"]["result"] == "wait"
    outcomes = {n["result"] for n in nodes.values() if n["kind"] == "outcome"}
    assert outcomes == {"resolved", "contact_support", "wait"}
    assert nodes["contact-support"]["title"] == "Still not solved"  # not "Contact support: Contact support"
    assert nodes["recommended-documents"]["links"] == [
        {
            "title": "Create a customer association using CPOR",
            "url": "https://docs.microsoft.com/partner-center/submit-osa-claim",
        }
    ]


def test_nested_reasons_become_a_question_over_their_causes() -> None:
    data = _assert_clean_draft((OWN / "nested-reasons.md").read_text(encoding="utf-8"), "nested-reasons.md")
    nodes = data["nodes"]
    assert [c["label"] for c in nodes["why-was-my-claim-returned"]["choices"]] == [
        "Returned",
        "Closed",
        "None of these",
    ]
    assert [c["label"] for c in nodes["returned"]["choices"]] == ["Missing Signature", "Old Dates", "None of these"]
    errors = [e for n in nodes.values() for e in n.get("errors", [])]
    assert errors == ["Missing Signature", "Old Dates", "Closed"]
    # A numbered procedure is walked step by step, not offered as causes.
    assert nodes["step-1-open-the-claim"]["choices"][1] == {"label": "Done: next step", "goto": "step-2-select-reopen"}
    assert "errors" not in nodes["step-2-select-reopen"]


def test_odd_articles_are_reported_line_by_line() -> None:
    draft = import_text((OWN / "odd.md").read_text(encoding="utf-8"), path_name="odd.md")
    notes = [n.format("odd.md") for n in draft.notes]
    assert "odd.md:8: text before '## Recommended Steps' is read as the start of it" in notes
    long_title = "odd.md:32: node 'long-long-long-long-long-long-long-long': the title is cut to 200 characters"
    assert f"{long_title}: check it" in notes
    assert any(n.startswith("odd.md:10: the section 'Overview'") for n in notes)
    assert any("'Duplicate (2)'" in n for n in notes)
    assert any(n.startswith("odd.md:21: HTML tags removed") for n in notes)
    assert draft.data is not None
    assert draft.data["id"] == "odd"  # from the file name, not the articleId
    assert draft.data["source"]["article_id"] == "odd_article_(v2)"
    assert draft.data["source"]["support_topic_ids"] == ["1", "2", "3"]
    titles = [n.get("title", "") for n in draft.data["nodes"].values()]
    assert all(len(t) <= 200 for t in titles)
    errors = [e for n in draft.data["nodes"].values() for e in n.get("errors", [])]
    assert errors == ['Missing "quotes"', "code", "empty bold"]  # the repeated pattern is kept once


def test_an_article_without_header_still_drafts_and_says_so() -> None:
    draft = import_text((OWN / "no-header.md").read_text(encoding="utf-8"), path_name="no-header.md")
    assert draft.data is not None and draft.data["id"] == "no-header"
    assert any("no <properties" in n.message for n in draft.notes)


@needs_shared
def test_the_scoping_form_is_refused_clearly_and_fills_collect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(SCOPING)]) == 1
    err = capsys.readouterr().err
    assert "support scoping form" in err and "Traceback" not in err
    out = tmp_path / "draft.yaml"
    assert main(["import", str(CPOR_ARTICLE), "--form", str(SCOPING), "-o", str(out)]) == 0
    report = check_bytes(out.read_bytes(), "draft.yaml")
    assert report.ok and report.flow is not None
    contact = report.flow.nodes["contact-support"]
    fields = [(c.field, c.required) for c in contact.collect]  # type: ignore[union-attr]
    assert fields[0] == ("incentives_program", True) and fields[-1] == ("problem_description", True)
    assert len(fields) == 9


def test_import_command_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = OWN / "no-header.md"
    out = tmp_path / "x.yaml"
    assert main(["import", str(article), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    assert main(["import", str(article), "-o", str(out)]) == 2  # no overwrite without --force
    assert main(["import", str(article), "-o", str(out), "--force"]) == 0
    assert main(["import", str(tmp_path / "missing.md")]) == 2
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\x00\x01")
    assert main(["import", str(binary)]) == 2
    assert main(["import", str(article), "--form", str(article)]) == 2
    assert "not a support scoping form" in capsys.readouterr().err


def test_section_hash_ignores_spacing_but_not_words() -> None:
    assert section_hash("a  b\nc") == section_hash("a b c")
    assert section_hash("a b c") != section_hash("a b d")


# --- never a crash --------------------------------------------------------------

_LINES = [
    "## **Recommended Steps**",
    "## **Recommended Documents**",
    "**A heading**",
    "**Next Step:** do this",
    "**IMPORTANT:** read this",
    "**Note**: inline",
    "It could be for several reasons:",
    "1. The first cause",
    "\t* **Bold cause** – text",
    "* [link](https://example.com/x)",
    "### deep heading",
    "# Title",
    "<br></br>",
    "",
]


@st.composite
def mutated_articles(draw: st.DrawFn) -> str:
    """A real article with lines deleted, repeated, swapped, or replaced by structural or random lines."""
    sources = [p.read_text(encoding="utf-8") for p in _articles()]
    lines = draw(st.sampled_from(sources)).split("\n")
    for _ in range(draw(st.integers(0, 8))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "repeat", "swap", "structural", "random"]))
        if op == "delete":
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "structural":
            lines.insert(i, draw(st.sampled_from(_LINES)))
        else:
            lines.insert(i, draw(st.text(max_size=60)))
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_articles())
def test_mutated_articles_draft_clean_or_fail_clearly(text: str) -> None:
    draft = import_text(text, path_name="mutated.md")
    if draft.data is None:
        assert draft.error
        return
    body = draft.to_yaml("mutated.md")
    report = check_bytes(body.encode(), "mutated.md")
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]


_LONG = "The claim was made in Partner Center but the customer has not accepted the invitation to their tenant yet"


def _labels(data: dict, node_id: str) -> list[str]:
    return [c["label"] for c in data["nodes"][node_id]["choices"]]


def test_answers_of_one_question_stay_distinct_after_cutting_and_beside_the_fixed_ones() -> None:
    # Issue #12: answers that read the same once cut, or that read like an answer the draft adds itself
    # ("Something else", "None of these"), or like a counter ("Foo (2)"), drafted a question the validator refused.
    text = "\n".join(
        [
            "# Long headings",
            "## **Recommended Steps**",
            f"**{_LONG}, so the association is pending**",
            "Wait for the customer.",
            f"**{_LONG}, so the association has expired**",
            "Send the invitation again.",
            "**Something else**",
            "Ask the customer.",
            "**Other causes**",
            "It could be for several reasons:",
            "* **Foo** first",
            "* **foo** second",
            "* **Foo (2)** third",
            "* **None of these** fourth",
        ]
    )
    data = _assert_clean_draft(text, "long.md")
    cut = "The claim was made in Partner Center but the customer has not accepted the invitation to…"
    assert _labels(data, data["start"]) == [
        cut,
        f"{cut} (2)",
        "Something else (2)",
        "Other causes",
        "I have an error message to paste",  # the listed causes are error patterns
        "Something else",
    ]
    other = next(c["goto"] for c in data["nodes"][data["start"]]["choices"] if c["label"] == "Other causes")
    assert _labels(data, other) == ["Foo", "foo (3)", "Foo (2)", "None of these (2)", "None of these"]
    notes = [n.format("long.md") for n in import_text(text, path_name="long.md").notes]
    assert (
        f"long.md:5: node 'start': the answer {cut!r} reads like another answer of the same question: "
        f"offered as {cut + ' (2)'!r}; name the cases apart"
    ) in notes
    assert (
        "long.md:12: node 'other-causes': the answer 'foo' reads like another answer of the same question: "
        "offered as 'foo (3)'; name the cases apart"
    ) in notes
    assert (
        "long.md:14: node 'other-causes': the answer 'None of these' reads like another answer of the same "
        "question: offered as 'None of these (2)'; name the cases apart"
    ) in notes


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400).map(lambda t: "## **Recommended Steps**\n" + t))
def test_random_text_never_raises(text: str) -> None:
    draft = import_text(text)
    if draft.data is None:  # only when the steps hold no text at all
        assert draft.error and "holds no text" in draft.error
        assert not parse_article(text).section(INTRO).blocks  # type: ignore[union-attr]
        return
    report = check_bytes(draft.to_yaml("random.md").encode(), "random.md")
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert INTRO in parse_article(text).hashes()


STRUCTURES = OWN / "structures-of-real-articles-with-a-rather-long-file-name-indeed.md"


def test_the_structures_of_real_articles_each_get_their_nodes() -> None:
    data = _assert_clean_draft(STRUCTURES.read_text(encoding="utf-8"), STRUCTURES.name)
    # The id comes from the file name, cut between words; the header's casing does not matter.
    assert data["id"] == "structures-of-real-articles-with-a-rather-long-file-name"
    assert data["title"] == "Payment holds"
    assert data["description"] == "Why a payment is on hold: A_b c"  # the underscore and its space stay
    assert data["source"] == {
        "article_id": "payments_holds",
        "title": "Payment holds",
        "support_topic_ids": ["11", "12"],
        "path": STRUCTURES.name,
        "metadata": {"authors": "someone", "ownershipId": "Payments_Team"},
    }
    nodes = data["nodes"]
    assert [c["label"] for c in nodes["start"]["choices"]] == [
        "A payment can be held for several reasons",
        "How do I release a hold?",
        "Can a hold expire?",
        "I have an error message to paste",
        "Something else",
    ]
    # Bold lead-ins name the causes; the cause that says to wait leads to a wait outcome.
    causes = nodes["a-payment-can-be-held-for-several"]["choices"]
    assert [c["label"] for c in causes] == [
        "Tax profile incomplete",
        "Bank details rejected",
        "Review in progress",
        "None of these",
    ]
    assert nodes["tax-profile-incomplete"]["errors"] == ["Tax profile incomplete"]
    assert nodes["review-in-progress"]["choices"][0] == {"label": "No: I'll wait", "goto": "wait"}
    assert nodes["wait"] == {
        "kind": "outcome",
        "title": "Wait",
        "text": "Give it the time the article gives, then come back if it is still not solved.",
        "result": "wait",
    }
    # The numbered procedure is three steps (the lettered sub-steps stay in step 2), blocks 1, 2 and 5.
    steps = [nid for nid, n in nodes.items() if n.get("source") == "How do I release a hold?"]
    assert steps == ["step-1-open-payouts", "step-2-select-the-held-payment", "step-3-if-the-payment-stays-held-then"]
    assert [nodes[s]["source_block"] for s in steps] == [1, 2, 5]
    assert "    a. Choose **Release**." in nodes["step-2-select-the-held-payment"]["text"]
    # A question-form sub-heading under a further ## section is a branch; its link is a link.
    assert nodes["can-a-hold-expire"]["links"] == [{"title": "Payout holds", "url": "https://example.com/holds"}]


def test_the_import_report_says_what_became_what(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(STRUCTURES), "--report"]) == 0
    err = capsys.readouterr().err
    name = STRUCTURES.name
    assert f"  {name}:12: bullet -> cause 'tax-profile-incomplete'" in err
    assert f"  {name}:14: bullet -> cause (leads to wait) 'review-in-progress'" in err
    assert f"  {name}:23-25: step -> cause 'step-2-select-the-held-payment'" in err
    assert f"{name}: needs review (1)" in err
    assert f"note: {name}:18: an empty heading: ignored" in err


def test_header_quirks_are_noted_not_silent() -> None:
    text = (
        '<properties pageTitle="Same&#xD;" description="Same" articleId="x" />\n'
        "# Same\n## Recommended Steps\nDo this.\n"
    )
    draft = import_text(text, path_name="same.md")
    assert draft.data is not None
    assert draft.data["title"] == "Same" and "description" not in draft.data
    messages = [n.format("same.md") for n in draft.notes]
    assert "same.md:1: the header's pageTitle holds HTML entities: read as 'Same'" in messages
    assert "same.md:1: the description repeats the title: left out so it is not shown twice" in messages


def test_a_link_only_article_is_refused_clearly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    article = tmp_path / "links.md"
    article.write_text("# Links\n## Recommended Steps\n\n## Recommended Documents\n* [A](https://example.com/a)\n")
    assert main(["import", str(article)]) == 1
    err = capsys.readouterr().err
    assert "cannot import links.md: the 'Recommended Steps' section holds no text" in err


def test_blocks_nest_by_indentation_and_under_the_step_they_follow() -> None:
    from selfhelp.authoring.article import split_blocks

    lines = [
        "Intro paragraph",
        "that wraps.",
        "",
        "1.\tPick one:",
        "* A",
        "* B",
        "\ta. lettered",
        "2. Done",
        "continued lazily",
        "",
        "**Note:** a note",
        "- flush bullet",
    ]
    top = split_blocks(list(enumerate(lines, start=1)))
    assert [(b.number, b.kind, b.line, b.own_text) for b in top] == [
        (1, "paragraph", 1, "Intro paragraph\nthat wraps."),
        (2, "step", 4, "Pick one:"),
        (6, "step", 8, "Done\ncontinued lazily"),
        (7, "note", 11, "**Note:** a note"),
        (8, "bullet", 12, "flush bullet"),
    ]
    step = top[1]
    assert [(c.number, c.own_text) for c in step.children] == [(3, "A"), (4, "B")]
    assert [(c.number, c.marker, c.own_text) for c in step.children[1].children] == [(5, "a.", "lettered")]
    assert step.text == "Pick one:\n    * A\n    * B\n        a. lettered"
