"""Drift: nodes whose article section changed since the flow was drafted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from selfhelp.authoring.drift import drift
from selfhelp.authoring.importer import import_text, parse_article
from selfhelp.cli import main
from selfhelp.flow.validate import check_bytes, check_file

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "tests" / "articles" / "nested-reasons.md"
SHARED_CPOR = ROOT.parent / "shared" / "articles" / "incentives-customer-association-customer-association-issues.md"


@pytest.fixture
def drafted(tmp_path: Path) -> tuple[Path, Path]:
    """A draft flow and its article, side by side."""
    article = tmp_path / ARTICLE.name
    shutil.copy(ARTICLE, article)
    flow = tmp_path / "flow.yaml"
    draft = import_text(article.read_text(encoding="utf-8"), path_name=article.name)
    flow.write_text(draft.to_yaml(article.name), encoding="utf-8")
    return flow, article


def test_an_unchanged_article_has_no_drift(drafted: tuple[Path, Path]) -> None:
    flow_path, article = drafted
    report = check_file(flow_path)
    assert report.flow is not None
    assert drift(report.flow, parse_article(article.read_text(encoding="utf-8"))) == []


def test_rewrapping_is_not_drift(drafted: tuple[Path, Path]) -> None:
    flow_path, article = drafted
    text = article.read_text(encoding="utf-8").replace("We need more information.", "We need\n    more   information.")
    report = check_file(flow_path)
    assert drift(report.flow, parse_article(text)) == []  # type: ignore[arg-type]


def test_a_changed_step_flags_exactly_its_node(drafted: tuple[Path, Path]) -> None:
    flow_path, article = drafted
    text = article.read_text(encoding="utf-8").replace("2. Select **Reopen**", "2. Select **Reopen claim**")
    report = check_file(flow_path)
    items = drift(report.flow, parse_article(text), report.loaded)  # type: ignore[arg-type]
    assert [(i.node, i.status, i.block) for i in items] == [("step-2-select-reopen", "changed", 2)]
    assert items[0].current_text == "Select **Reopen claim**"
    line = flow_path.read_text(encoding="utf-8").splitlines()[items[0].line - 1]
    assert line.strip().startswith("source_hash:")


def test_a_changed_nested_bullet_flags_it_and_the_question_over_it(drafted: tuple[Path, Path]) -> None:
    flow_path, article = drafted
    text = article.read_text(encoding="utf-8").replace("The form is not signed", "The form has no signature")
    items = drift(check_file(flow_path).flow, parse_article(text))  # type: ignore[arg-type]
    # 'returned' asks which of its nested reasons applies, so it cites the item they are nested in.
    assert [(i.node, i.block) for i in items] == [("returned", 2), ("missing-signature", 3)]


def test_whitespace_only_edits_flag_nothing(drafted: tuple[Path, Path]) -> None:
    flow_path, article = drafted
    text = (
        article.read_text(encoding="utf-8")
        .replace("\t* **Missing Signature**", "    *   **Missing Signature**  ")
        .replace("1. Open the claim", "1.\tOpen   the claim")
        .replace("* **Closed** - The claim was closed.", "* **Closed** - The claim\n  was closed.")
    )
    assert text != article.read_text(encoding="utf-8")
    assert drift(check_file(flow_path).flow, parse_article(text)) == []  # type: ignore[arg-type]


@pytest.mark.skipif(not SHARED_CPOR.is_file(), reason="the shared articles are not beside this checkout")
def test_editing_one_of_the_six_cpor_reasons_flags_one_node() -> None:
    text = SHARED_CPOR.read_text(encoding="utf-8")
    draft = import_text(text, path_name=SHARED_CPOR.name)
    flow = check_bytes(draft.to_yaml(SHARED_CPOR.name).encode(), "draft.yaml").flow
    edited = text.replace("The subscription provided is for CSP", "The subscription provided is a CSP one")
    items = drift(flow, parse_article(edited))  # type: ignore[arg-type]
    assert [(i.node, i.status) for i in items] == [("the-subscription-provided-is-for-csp", "changed")]


def test_accept_writes_new_hashes_in_place(drafted: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    flow_path, article = drafted
    original = flow_path.read_text(encoding="utf-8")
    # An author's comment and a quoted hash must survive: only the hash value changes.
    commented = original.replace("  step-2-select-reopen:\n", "  # reviewed by hand\n  step-2-select-reopen:\n")
    lines = commented.split("\n")
    at = next(
        i
        for i, line in enumerate(lines)
        if line.strip().startswith("source_hash") and i > lines.index("  step-2-select-reopen:")
    )
    old_hash = lines[at].split(":", 1)[1].strip()
    lines[at] = lines[at].replace(old_hash, f"'{old_hash}'  # hash of step 2")
    flow_path.write_text("\n".join(lines), encoding="utf-8")
    before = flow_path.read_text(encoding="utf-8").split("\n")
    article.write_text(
        article.read_text(encoding="utf-8").replace("Select **Reopen**", "Select **Reopen now**"), "utf-8"
    )
    assert main(["drift", str(flow_path), "--accept", "missing-signature"]) == 2  # not a changed node
    assert "nothing to accept for 'missing-signature'" in capsys.readouterr().err
    assert main(["drift", str(flow_path), "--accept", "step-2-select-reopen"]) == 0
    out = capsys.readouterr().out
    assert "cites block 2 of section 'How do I reopen a claim?' (article line 26), which now reads:" in out
    assert "    | Select **Reopen now**" in out
    after = flow_path.read_text(encoding="utf-8").split("\n")
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    new_hash = parse_article(article.read_text(encoding="utf-8")).section("How do I reopen a claim?").block(2).hash  # type: ignore[union-attr]
    assert changed == [(before[at], f"    source_hash: {new_hash}  # hash of step 2")]
    assert main(["drift", str(flow_path)]) == 0


def test_accept_all(drafted: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    flow_path, article = drafted
    text = article.read_text(encoding="utf-8").replace("Open the claim", "Open your claim")
    article.write_text(text.replace("The claim was closed.", "The claim is closed."), "utf-8")
    assert main(["drift", str(flow_path)]) == 1
    assert "2 node(s) to revisit" in capsys.readouterr().out
    assert main(["drift", str(flow_path), "--all"]) == 0
    assert "accepted the new text for 2 node(s): closed, step-1-open-the-claim" in capsys.readouterr().out
    assert main(["drift", str(flow_path)]) == 0


def test_a_removed_section_is_reported_missing(drafted: tuple[Path, Path]) -> None:
    flow_path, article = drafted
    text = article.read_text(encoding="utf-8").replace("**Why was my claim returned?**", "**Why was it returned?**")
    report = check_file(flow_path)
    items = drift(report.flow, parse_article(text))  # type: ignore[arg-type]
    assert {i.status for i in items} == {"missing"}
    assert {i.source for i in items} == {"Why was my claim returned?"}
    assert len(items) == 5  # the branch question and its four causes (one hash covers the section)


def test_hand_written_nodes_without_hash_are_untracked() -> None:
    flow = check_bytes(
        b"id: f\ntitle: t\nversion: '1'\nstart: a\nnodes:\n"
        b"  a: {kind: outcome, result: resolved, source: Recommended Steps}\n"
        b"  b: {kind: outcome, result: resolved}\n",
        "f.yaml",
    ).flow
    assert flow is not None
    items = drift(flow, parse_article(ARTICLE.read_text(encoding="utf-8")))
    assert [(i.node, i.status) for i in items] == [("a", "untracked")]


def test_drift_command(drafted: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    flow_path, article = drafted
    assert main(["drift", str(flow_path)]) == 0  # the article is found beside the flow by source.path
    assert "0 node(s) to revisit" in capsys.readouterr().out
    article.write_text(article.read_text(encoding="utf-8").replace("Open the claim", "Open your claim"), "utf-8")
    assert main(["drift", str(flow_path), "--hashes"]) == 1
    out = capsys.readouterr().out
    assert "node 'step-1-open-the-claim': block 1 of section 'How do I reopen a claim?' changed" in out
    assert "section 'Recommended Steps': " in out
    other = tmp_path / "elsewhere"
    other.mkdir()
    moved = other / "flow.yaml"
    shutil.copy(flow_path, moved)
    assert main(["drift", str(moved)]) == 2  # the article is not beside this copy
    assert main(["drift", str(moved), "--articles", str(tmp_path)]) == 1
    assert main(["drift", str(moved), "--article", str(tmp_path / "missing.md")]) == 2
    assert main(["drift", str(tmp_path / "nope.yaml")]) == 2


SHARED_ARTICLE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "articles"
    / "incentives-customer-association-customer-association-issues.md"
)


@pytest.mark.skipif(not SHARED_ARTICLE.is_file(), reason="the shared articles are not beside this checkout")
def test_the_shipped_cpor_flow_is_in_step_with_its_article(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "cpor-customer-association", "--article", str(SHARED_ARTICLE)]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("0 node(s) to revisit")


def test_an_inserted_bullet_moves_the_blocks_after_it(
    drafted: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    flow_path, article = drafted
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace("1. Open the claim", "1. Sign in\n2. Open the claim").replace("2. Select", "3. Select")
    )
    report = check_file(flow_path)
    items = drift(report.flow, parse_article(article.read_text(encoding="utf-8")))  # type: ignore[arg-type]
    # "Open the claim" and "Select ..." are the same text, one block further on: found by their hashes.
    assert [(i.node, i.status, i.moved_to) for i in items] == [
        ("step-1-open-the-claim", "moved", 2),
        ("step-2-select-reopen", "moved", 3),
    ]
    assert main(["drift", str(flow_path)]) == 0  # nothing to revisit: the text is the same
    assert "0 node(s) to revisit, 2 node(s) to renumber (unchanged text; --all)" in capsys.readouterr().out
    assert main(["drift", str(flow_path), "--all"]) == 0
    assert "is now block 2 (article line 26)" in capsys.readouterr().out
    assert "source_block: 3" in flow_path.read_text(encoding="utf-8")
    assert drift(check_file(flow_path).flow, parse_article(article.read_text(encoding="utf-8"))) == []  # type: ignore[arg-type]


SHARED_ARTICLES = Path(__file__).resolve().parents[2] / "shared" / "articles"

#: The blocks the shipped catalog flows cite, written out by hand: node -> (block, the block's first words).
CITED_BLOCKS: dict[str, dict[str, tuple[int, str]]] = {
    "cpor-customer-association": {
        "sub-product-on-tenant": (3, "The product selected doesn"),
        "product-not-on-tenant": (3, "The product selected doesn"),
        "sub-is-dynamics": (4, "The subscription provided is not for Dynamics"),
        "subscription-not-dynamics": (4, "The subscription provided is not for Dynamics"),
        "sub-is-csp": (5, "The subscription provided is for CSP"),
        "subscription-is-csp": (5, "The subscription provided is for CSP"),
        "sub-provisioned": (6, "The customer has not yet activated/provisioned"),
        "products-not-provisioned": (6, "The customer has not yet activated/provisioned"),
        "sub-already-claimed": (7, "The subscription has already been claimed"),
        "subscription-already-claimed": (7, "The subscription has already been claimed"),
        "identifier-not-subscription-id": (8, "The identifier provided is not a subscription ID"),
        "review-overdue": (5, "Your CPOR association claim will still be undergo"),
        "wait-competing-claim": (5, "Your CPOR association claim will still be undergo"),
    },
    "cpor-claim-status": {
        "claim-status": (1, "You may check the status"),
        "partner-action-required": (3, "**Partner Action Required** - Microsoft has reviewed"),
        "rejected-reason": (9, "**Rejected** - Your PoE was insufficient"),
        "rejected-partner-request": (10, "**Partner request** - Partners can request"),
        "rejected-customer-decline": (11, "**Customer Decline** - Once the CPOR"),
        "rejected-insufficient-poe": (12, "**Insufficient Proof of Execution** - Proof"),
        "dispute-when": (1, "If your CPOR association is rejected, you have 30 days"),
        "dispute-too-late": (2, "If 30 days have passed"),
        "edit-status": (1, "You have the ability to edit specific fields"),
        "edit-not-allowed": (1, "You have the ability to edit specific fields"),
        "other-docs": (2, "[Manage customer associations]"),
        "wait-resubmitted": (1, "You may check the status"),
        "wait-dispute": (5, "When you’re finished adding information"),
    },
    "cpor-create-claim": {
        "step-solution": (5, "Select the **Solution area**"),
        "business-apps-activity": (6, "**Note**: If you select Business Applications"),
        "revenue-association": (6, "**Note**: If you select Business Applications"),
        "subscription-id-needed": (10, "**Note**: If your product is Dynamics 365"),
        "contact-fields-required": (9, "Complete the customer contact information"),
        "submitted-claim-locked": (13, "**Note**: Once you submit your customer association"),
        "other-docs": (1, "[Create a customer association using CPOR]"),
    },
    "pal-partner-admin-link": {
        "link-how": (1, "You can [use the Azure portal"),
        "pec-eligible": (2, "This link also allows"),
        "pec-not-eligible": (2, "This link also allows"),
        "pec-mpn-mismatch": (2, "This link also allows"),
        "customer-not-in-reports": (3, "If you can't see a linked customer"),
    },
}


@pytest.mark.skipif(not SHARED_ARTICLES.is_dir(), reason="the shared articles are not beside this checkout")
@pytest.mark.parametrize("flow_id", sorted(CITED_BLOCKS))
def test_the_shipped_flows_cite_blocks_in_step_with_their_articles(
    flow_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = check_file(ROOT / "flows" / f"{flow_id}.yaml").flow
    assert flow is not None and flow.source is not None and flow.source.path
    article = parse_article((SHARED_ARTICLES / flow.source.path).read_text(encoding="utf-8"))
    cited = {node_id: node.source_block for node_id, node in flow.nodes.items() if node.source_block is not None}
    assert cited == {node_id: block for node_id, (block, _) in CITED_BLOCKS[flow_id].items()}
    for node_id, (number, first_words) in CITED_BLOCKS[flow_id].items():
        section = article.section(flow.nodes[node_id].source or "")
        block = section.block(number) if section is not None else None
        assert block is not None and block.text.startswith(first_words), node_id
    assert drift(flow, article) == []
    assert main(["drift", flow_id, "--articles", str(SHARED_ARTICLES)]) == 0
    assert capsys.readouterr().out.strip().endswith("0 node(s) to revisit")
