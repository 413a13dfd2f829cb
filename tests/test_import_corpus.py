"""Every article of the shared corpus imports to a draft that validates, runs, and gives causes their own nodes.

The corpus (``../shared/articles/corpus``, with ``MANIFEST.md``) holds real articles this project did not
write; the manifest counts, by hand, the distinct causes or scenarios each covers. Cause recall for one
article is ``min(nodes for causes or steps, manifest count) / manifest count``: a rough figure (a draft that
splits an article into more nodes than it has causes scores 1), kept to catch articles whose causes
collapse into one node again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from selfhelp.authoring.drift import drift
from selfhelp.authoring.importer import import_text, parse_article
from selfhelp.flow.models import Flow, MatchNode
from selfhelp.flow.validate import check_bytes
from selfhelp.session.engine import Session

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "articles" / "corpus"
MANIFEST = CORPUS / "MANIFEST.md"
GOAL = 0.85

pytestmark = pytest.mark.skipif(not MANIFEST.is_file(), reason="the shared article corpus is not beside this checkout")


def _manifest() -> dict[str, int]:
    """Each corpus file and its hand count of causes, from the manifest's table."""
    counts: dict[str, int] = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].endswith(".md") and re.fullmatch(r"\d+", cells[4]):
            counts[cells[0]] = int(cells[4])
    return counts


def _draft(name: str) -> tuple[Flow, int]:
    text = (CORPUS / name).read_bytes().decode("utf-8-sig")
    draft = import_text(text, path_name=name)
    assert draft.data is not None, f"{name}: {draft.error}"
    report = check_bytes(draft.to_yaml(name).encode(), name)
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert report.flow is not None
    assert drift(report.flow, parse_article(text)) == []
    return report.flow, draft.causes


def _walk(flow: Flow, pick: int) -> str:
    """Drive a session from the start, always taking answer ``pick`` (0 first, -1 last); the outcome reached."""
    session = Session(flow)
    for _ in range(500):
        if session.finished:
            outcome = session.outcome
            assert outcome is not None
            return outcome.result.value
        node = session.node
        assert not isinstance(node, MatchNode), "answers never lead to the paste step before another choice"
        choices = session.step().choices
        assert choices, f"{flow.id}: no way on at {session.current.node}"
        reply = session.choose(pick % len(choices))
        assert reply.ok, reply.reason
    raise AssertionError(f"{flow.id}: no outcome after 500 answers")


def test_the_manifest_lists_the_corpus() -> None:
    counts = _manifest()
    assert len(counts) == 40
    assert sorted(counts) == sorted(p.name for p in CORPUS.glob("*.md") if p.name != "MANIFEST.md")


@pytest.mark.parametrize("name", sorted(_manifest()) if MANIFEST.is_file() else [])
def test_every_corpus_draft_validates_and_runs_to_an_outcome(name: str) -> None:
    flow, _ = _draft(name)
    assert _walk(flow, 0) in ("resolved", "wait")  # the first answers: a fix or a wait
    assert _walk(flow, -1) == "contact_support"  # the last answers: none of it helped


def test_mean_cause_recall_meets_the_goal(capsys: pytest.CaptureFixture[str]) -> None:
    counts = _manifest()
    recalls = {name: min(_draft(name)[1], want) / want for name, want in counts.items()}
    mean = sum(recalls.values()) / len(recalls)
    with capsys.disabled():
        low = ", ".join(f"{n} {r:.2f}" for n, r in sorted(recalls.items()) if r < 1)
        print(f"\nmean cause recall on {len(recalls)} corpus articles: {mean:.3f} (below 1: {low or 'none'})")
    assert mean >= GOAL
