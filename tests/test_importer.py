"""The article importer: drafts that validate clean, sources and hashes on every node, clear reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfhelp.authoring.importer import DOCUMENTS, INTRO, import_text, parse_article, section_hash
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
    hashes = parse_article(text).hashes()
    for node_id, node in report.flow.nodes.items():  # type: ignore[union-attr]
        assert node.source in hashes, node_id
        assert node.source_hash == hashes[node.source], node_id
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
def test_the_cpor_article_maps_branches_causes_next_step_and_documents() -> None:
    data = _assert_clean_draft(CPOR_ARTICLE.read_text(encoding="utf-8"), CPOR_ARTICLE.name)
    assert data["source"] == {
        "article_id": "incentives-customer-association-customer-association-issues",
        "title": "Customer association issues",
        "support_topic_ids": ["32739536"],
        "product_ids": ["17005"],
        "path": CPOR_ARTICLE.name,
    }
    nodes = data["nodes"]
    start = nodes[data["start"]]
    assert [c["label"] for c in start["choices"]] == [
        "Sub-domain and Tenant Mismatch",
        "Subscription Errors in CPOR association claim flow",
        "Competing Claims Process and Timeline",
        "IMPORTANT",
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
    assert all(n["source"] == "Subscription Errors in CPOR association claim flow" for n in causes)
    # The causes' "still need help" leads to the Next Step guidance, which leads to support.
    next_step = next(nid for nid, n in nodes.items() if n["source"] == "Next Step")
    assert all(n["choices"][1]["goto"] == next_step for n in causes)
    assert "work with your customer" in nodes[next_step]["text"]
    outcomes = {n["result"] for n in nodes.values() if n["kind"] == "outcome"}
    assert outcomes == {"resolved", "contact_support"}
    docs = [n for n in nodes.values() if n["source"] == DOCUMENTS]
    assert docs and docs[0]["links"] == [
        {
            "title": "Create a customer association using CPOR",
            "url": "https://docs.microsoft.com/partner-center/submit-osa-claim",
        }
    ]
    # The arbitration steps are a process, not a list of causes: they stay text.
    competing = next(n for n in nodes.values() if n["source"] == "Competing Claims Process and Timeline")
    assert competing["kind"] == "cause" and "errors" not in competing and "1. After you create" in competing["text"]


def test_nested_reasons_become_causes_with_their_bold_terms() -> None:
    data = _assert_clean_draft((OWN / "nested-reasons.md").read_text(encoding="utf-8"), "nested-reasons.md")
    errors = [e for n in data["nodes"].values() for e in n.get("errors", [])]
    assert errors == ["Returned", "Missing Signature", "Old Dates", "Closed"]
    reopen = next(n for n in data["nodes"].values() if n["source"] == "How do I reopen a claim?")
    assert "errors" not in reopen  # a numbered procedure is not a list of causes


def test_odd_articles_are_reported_line_by_line() -> None:
    draft = import_text((OWN / "odd.md").read_text(encoding="utf-8"), path_name="odd.md")
    notes = [n.format("odd.md") for n in draft.notes]
    assert "odd.md:8: text before '## Recommended Steps' is not mapped" in notes
    assert any(n.startswith("odd.md:10: the section 'Overview'") for n in notes)
    assert any("'Duplicate (2)'" in n for n in notes)
    assert any(n.startswith("odd.md:21: HTML tags removed") for n in notes)
    assert draft.data is not None
    assert draft.data["id"] == "odd-article-v2"
    assert draft.data["source"]["support_topic_ids"] == ["1", "2", "3"]
    titles = [n.get("title", "") for n in draft.data["nodes"].values()]
    assert all(len(t) <= 200 for t in titles)
    errors = [e for n in draft.data["nodes"].values() for e in n.get("errors", [])]
    assert errors == ['Missing "quotes"', "code"]  # the empty item is skipped, the repeated pattern kept once


def test_an_article_without_header_still_drafts_and_says_so() -> None:
    draft = import_text((OWN / "no-header.md").read_text(encoding="utf-8"), path_name="no-header.md")
    assert draft.data is not None and draft.data["id"] == "printer-claims-common-problems"
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


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400).map(lambda t: "## **Recommended Steps**\n" + t))
def test_random_text_never_raises(text: str) -> None:
    draft = import_text(text)
    assert draft.data is not None
    report = check_bytes(draft.to_yaml("random.md").encode(), "random.md")
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert INTRO in parse_article(text).hashes()
