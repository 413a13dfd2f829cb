"""``selfhelp report``: figures from sessions made by driving the engine, written out by hand."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfhelp.authoring.insights import Filters, build_insights, shown_paste, suggest_patterns
from selfhelp.authoring.insights.collect import median, seconds_bucket
from selfhelp.authoring.insights.reading import Skip, read_record, record_from_data
from selfhelp.cli import main
from selfhelp.flow.catalog import Catalog, flow_sources, load_catalog
from selfhelp.flow.models import Flow
from selfhelp.session.engine import Session
from selfhelp.session.store import SessionStore

HERE = Path(__file__).parent
FLOWS = HERE / "report_flows"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
PAYMENT_JANE = "Payment profile for jane@contoso.com is locked (code 4411)"
PAYMENT_BOB = "Payment profile for bob@fabrikam.com is locked (code 98)"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    cat = load_catalog(flow_sources([FLOWS], include_shipped=False, environ={}))
    assert "report-test" in cat.flows, [d.format() for d in cat.problems]
    return cat


@pytest.fixture(scope="module")
def flow(catalog: Catalog) -> Flow:
    return catalog.flows["report-test"].flow


def drive(flow: Flow, *moves: str) -> Session:
    """A session driven through the engine: ``pick:LABEL``, ``paste:TEXT``, ``back`` or ``jump:NODE``."""
    session = Session(flow)
    for move in moves:
        verb, _, arg = move.partition(":")
        if verb == "back":
            assert session.back()
            continue
        reply = {"pick": session.choose_label, "paste": session.submit, "jump": session.jump}[verb](arg)
        assert reply.ok, (move, reply.reason)
    return session


def save(folder: Path, session: Session, created: str, seconds: int) -> Path:
    """Save the session as if it started at ``created`` and last changed ``seconds`` later."""
    minute, second = divmod(seconds, 60)
    hour, minute = divmod(minute, 60)
    session.state.created = f"{created}T10:00:00+00:00"
    session.state.updated = f"{created}T{10 + hour:02d}:{minute:02d}:{second:02d}+00:00"
    store = SessionStore(folder)
    path = store.save(session)
    store.release(session.id)
    return path


@pytest.fixture
def folders(tmp_path: Path, flow: Flow) -> tuple[Path, Path]:
    """Two folders (as if from two machines): ten sessions, and five files that are not readable sessions."""
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    # Finished: resolved by a confident paste.
    save(
        a,
        drive(
            flow,
            "pick:I have an error message",
            f"paste:The customer tenant ID {GUID} and subdomain do not match",
            "pick:Fixed",
        ),
        "2026-11-01",
        120,
    )
    # Finished: "did you mean" answered with a suggestion.
    save(
        a,
        drive(flow, "pick:I have an error message", "paste:already claimed", "pick:Claimed elsewhere", "pick:Continue"),
        "2026-11-01",
        300,
    )
    # Finished: "did you mean" answered "None of these", then questions.
    save(
        a,
        drive(
            flow,
            "pick:I have an error message",
            "paste:already claimed",
            "pick:None of these",
            "pick:The subscription",
            "pick:Continue",
        ),
        "2026-11-02",
        600,
    )
    # Finished: unmatched paste, questions to a cause, not fixed.
    save(
        a,
        drive(flow, "pick:I have an error message", f"paste:{PAYMENT_JANE}", "pick:The tenant", "pick:Not fixed"),
        "2026-11-02",
        60,
    )
    # Finished: unmatched paste (alike the one before), then a redirect.
    save(
        a, drive(flow, "pick:I have an error message", f"paste:{PAYMENT_BOB}", "pick:Another product"), "2026-11-03", 30
    )
    # Finished: the paste step skipped, then a wait.
    save(
        a,
        drive(
            flow,
            "pick:I have an error message",
            "pick:I don't have the message: ask me questions instead",
            "pick:A review",
        ),
        "2026-11-03",
        20,
    )
    # Abandoned at the "did you mean" question.
    save(a, drive(flow, "pick:I have an error message", "paste:already claimed"), "2026-11-04", 10)
    # Abandoned at the second question.
    save(a, drive(flow, "pick:Something else"), "2026-11-04", 5)
    # Abandoned at a cause, after going back once.
    save(a, drive(flow, "pick:Something else", "pick:The subscription", "back", "pick:The tenant"), "2026-11-04", 40)
    # Finished, on the other machine: an agent jumped to a cause.
    jumped = save(b, drive(flow, "jump:claimed", "pick:Continue"), "2026-11-05", 90)
    (b / "cut.json").write_text('{"format": 1, "id": "x", "hist', encoding="utf-8")
    (b / "foreign.json").write_text('{"hello": "world"}', encoding="utf-8")
    future = json.loads(jumped.read_text(encoding="utf-8"))
    (b / "future.json").write_text(json.dumps({**future, "format": 2}), encoding="utf-8")
    (b / "latin1.json").write_bytes(b'{"flow_id": "caf\xe9"}')
    (b / "folder.json").mkdir()
    (b / "notes.txt").write_text("not a session", encoding="utf-8")
    (b / ".abc.json.123.tmp").write_text("{", encoding="utf-8")
    return a, b


def report_json(*argv: str, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["--flows", str(FLOWS), "report", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_outcomes_deflection_and_skipped_files(folders: tuple[Path, Path], capsys) -> None:
    data = report_json(*map(str, folders), capsys=capsys)
    assert data["files"]["read"] == 15
    assert data["files"]["skipped"] == {"damaged": 2, "foreign": 1, "future_format": 1, "unreadable": 1}
    assert (data["sessions"], data["finished"], data["abandoned"]) == (10, 7, 3)
    assert [(o["result"], o["count"]) for o in data["outcomes"]] == [
        ("resolved", 1),
        ("contact_support", 4),
        ("wait", 1),
        ("redirect", 1),
    ]
    assert data["deflection_rate"] == pytest.approx(1 / 7)
    assert data["masked"] is True
    assert "masked" in data["privacy"]


def test_dropoff_funnel_and_paths(folders: tuple[Path, Path], capsys) -> None:
    data = report_json(*map(str, folders), capsys=capsys)
    assert [(d["node"], d["waiting_pick"], d["count"]) for d in data["dropoff"]] == [
        ("area", False, 1),
        ("mismatch", False, 1),
        ("paste", True, 1),
    ]
    assert data["dropoff"][1]["title"] == "Tenant and subdomain mismatch"
    # Answers per session: 3, 3, 4, 4, 3, 3, 1, 1, 2 and 2.
    assert data["funnel"] == [10, 10, 8, 6, 2]
    support = data["paths"][1]
    assert support["result"] == "contact_support"
    assert support["median_steps"] == 3.5  # 2, 3, 4, 4
    assert support["median_seconds"] == 195  # 60, 90, 300, 600
    assert [p["nodes"] for p in support["top"]] == [
        ["what", "claimed", "contact"],
        ["what", "paste", "area", "claimed", "contact"],
        ["what", "paste", "area", "mismatch", "contact"],
        ["what", "paste", "claimed-too", "contact"],
    ]
    resolved = data["paths"][0]
    assert (resolved["median_steps"], resolved["median_seconds"]) == (3, 120)
    assert data["timeline"][0] == {
        "day": "2026-11-01",
        "counts": {"resolved": 1, "contact_support": 1, "wait": 0, "redirect": 0, "abandoned": 0},
    }
    assert [d["day"] for d in data["timeline"]] == [
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
    ]


def test_causes_matching_and_unmatched_clusters(folders: tuple[Path, Path], capsys) -> None:
    data = report_json(*map(str, folders), capsys=capsys)
    assert [(c["node"], c["total"], c["routes"]) for c in data["causes"]] == [
        ("mismatch", 3, {"paste": 1, "did_you_mean": 0, "questions": 2, "jump": 0}),
        ("claimed", 2, {"paste": 0, "did_you_mean": 0, "questions": 1, "jump": 1}),
        ("claimed-too", 1, {"paste": 0, "did_you_mean": 1, "questions": 0, "jump": 0}),
    ]
    m = data["matching"]
    assert m["pastes"] == 6
    assert m["verdicts"] == {"match": 1, "ambiguous": 3, "none": 2}
    assert (m["did_you_mean_answered"], m["none_of_these"], m["none_of_these_rate"]) == (2, 1, 0.5)
    assert (m["did_you_mean_unanswered"], m["skipped_paste"]) == (1, 1)
    assert data["unmatched_total"] == 3
    assert [(c["count"], c["example"]) for c in data["unmatched"]] == [
        (2, "Payment profile for <email> is locked (code <number>)"),
        (1, "already claimed"),
    ]


def test_unmasked_shows_the_paste_and_says_so(folders: tuple[Path, Path], capsys) -> None:
    data = report_json(*map(str, folders), "--unmasked", capsys=capsys)
    assert data["masked"] is False
    assert data["privacy"].startswith("UNMASKED")
    assert data["unmatched"][0]["example"] in (PAYMENT_JANE, PAYMENT_BOB)


def test_filters_by_flow_and_days(folders: tuple[Path, Path], capsys) -> None:
    data = report_json(*map(str, folders), "--since", "2026-11-02", "--until", "2026-11-03", capsys=capsys)
    assert (data["sessions"], data["files"]["filtered_out"]) == (4, 6)
    data = report_json(*map(str, folders), "--flow", "cpor-customer-association", capsys=capsys)
    assert (data["sessions"], data["files"]["filtered_out"]) == (0, 10)
    assert data["deflection_rate"] is None


def test_suggested_patterns_name_the_cause_partners_ended_at(folders: tuple[Path, Path], catalog, flow) -> None:
    insights = build_insights(folders, {"report-test": flow}, filters=Filters())
    # "already claimed" is a pattern of both causes already: only the payment message is new.
    assert suggest_patterns(insights, flow).splitlines()[4:] == [
        "nodes:",
        "  mismatch:  # Tenant and subdomain mismatch",
        "    errors:",
        "      # 1 paste(s) ended here (1 unmatched, 0 picked from 'did you mean')",
        '      - "Payment profile for <email> is locked (code <number>)"',
    ]


def test_table_and_html_page(folders: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    assert main(["--flows", str(FLOWS), "report", *map(str, folders)]) == 0
    out = capsys.readouterr().out
    assert "Deflection rate (resolved, of finished sessions): 14.3%" in out
    assert "Privacy: Pasted messages are shown masked" in out
    assert "jane@contoso.com" not in out
    page = tmp_path / "report.html"
    assert main(["--flows", str(FLOWS), "report", *map(str, folders), "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 4
    assert "<script" not in text and "http" not in text.replace("http-equiv", "")
    assert "Payment profile for &lt;email&gt; is locked (code &lt;number&gt;)" in text


def test_bad_calls_are_usage_errors(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["report", str(tmp_path), "--suggest-patterns", "nope"]) == 2
    assert "no loaded flow 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--since", "yesterday"])


def test_no_sessions_yet(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SELFHELP_DATA_DIR", str(tmp_path / "empty"))
    assert main(["report"]) == 0
    assert "Sessions: 0" in capsys.readouterr().out


# --- reading: whatever is in a file, a count and a reason, never a traceback ---------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(history=json_values, saved=json_values, fmt=json_values, created=json_values)
def test_any_json_is_a_session_or_a_skip(history, saved, fmt, created) -> None:
    data = {"format": fmt, "id": "x", "flow_id": "f", "created": created, "updated": "2026-11-01", "history": history}
    data["saved"] = saved
    try:
        record_from_data(data)
    except Skip as skip:
        assert skip.kind in ("damaged", "foreign", "future_format")


@pytest.mark.parametrize(
    ("change", "kind", "reason"),
    [
        (lambda d: d["history"][1]["answer"].update(match="x"), "damaged", "history.1: not a match verdict"),
        (lambda d: d["history"][0].update(answer=None), "damaged", "history.0: a step before the last"),
        (lambda d: d.update(created="yesterday"), "damaged", "created: not a date and time"),
        (lambda d: d.update(created="2026-11-01T10:00:00"), "damaged", "created and updated: one has a time zone"),
        (lambda d: d.update(history=[]), "damaged", "history: not a list of steps"),
        (lambda d: d["saved"].update(result="happy"), "damaged", "saved.result: 'happy' is not an outcome kind"),
        (lambda d: d.update(format=3), "future_format", "saved in format 3; this version reads format 1"),
        (lambda d: d.pop("history"), "foreign", "not a selfhelp session"),
    ],
)
def test_damaged_sessions_say_why(flow: Flow, tmp_path: Path, change, kind: str, reason: str) -> None:
    path = save(
        tmp_path,
        drive(flow, "pick:I have an error message", "paste:already claimed", "pick:Claimed elsewhere", "pick:Continue"),
        "2026-11-01",
        5,
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(Skip) as caught:
        read_record(path)
    assert (caught.value.kind, caught.value.reason[: len(reason)]) == (kind, reason)


def test_half_a_character_and_huge_files_are_skipped(tmp_path: Path) -> None:
    lone = tmp_path / "lone.json"
    lone.write_text('{"format": 1, "flow_id": "f", "history": [], "id": "\\ud800"}', encoding="utf-8")
    with pytest.raises(Skip) as caught:
        read_record(lone)
    assert caught.value.kind == "damaged" and "U+D800" in caught.value.reason
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * 1_000_001)
    with pytest.raises(Skip) as caught:
        read_record(huge)
    assert caught.value.reason == "over 1,000,000 bytes: too big to be a session"


def test_pastes_are_shown_masked_as_the_matcher_masks_them() -> None:
    text = f"Tenant {GUID} of jane@contoso.com (claim 12345) failed at contoso.onmicrosoft.com"
    assert shown_paste(text) == "Tenant <guid> of <email> (claim <number>) failed at <domain>"
    assert shown_paste(text, unmasked=True) == text


def test_medians_and_rounded_times() -> None:
    assert median(Counter({2: 1, 3: 1, 4: 2})) == 3.5
    assert median(Counter({7: 3})) == 7
    assert median(Counter()) is None
    assert [seconds_bucket(s) for s in (59.4, 601, 3_599, 3_631, 90_000)] == [59, 600, 3_600, 3_660, 90_000]


def test_worker_processes_count_what_one_process_counts(folders, flow, monkeypatch) -> None:
    monkeypatch.setattr("selfhelp.authoring.insights.collect.CHUNK", 3)  # 15 files: one read here, four batches
    alone = build_insights(folders, {"report-test": flow}).report(folders)
    shared = build_insights(folders, {"report-test": flow}, jobs=2).report(folders)
    assert (shared.sessions, shared.finished, shared.unmatched_total) == (10, 7, 3)
    assert shared.files.skipped == {"damaged": 2, "foreign": 1, "future_format": 1, "unreadable": 1}
    assert shared.model_dump(exclude={"files"}) == alone.model_dump(exclude={"files"})


def test_sessions_with_a_check_or_a_route_are_read_not_skipped() -> None:
    from selfhelp.checks import given as check_gave

    shipped = load_catalog(flow_sources()).flows
    cpor, status = shipped["cpor-customer-association"].flow, shipped["cpor-claim-status"].flow
    checked = Session(cpor, presets={"tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "customer_domain": "contoso"})
    assert checked.jump("check-tenant-domain").ok
    request = checked.check_request()
    assert request is not None and checked.apply_check(check_gave(request, "mismatch")).ok
    routed = Session(cpor, catalog=[cpor, status])
    assert routed.choose_label("I have an error message to paste").ok
    reply = routed.submit("Rejected - Insufficient Proof of Execution")
    assert reply.route is not None
    arrived = routed.follow(reply.route)
    kinds = {v.answer.kind for s in (checked, arrived) for v in s.history if v.answer}
    assert {"check", "route"} <= kinds
    check_record = record_from_data(json.loads(checked.to_json()))
    route_record = record_from_data(json.loads(arrived.to_json()))
    assert check_record.nodes[-1] == "tenant-domain-mismatch"
    assert route_record.nodes[-1] == "rejected-insufficient-poe"
    assert [(p.text, p.fate) for p in route_record.pastes] == [("Rejected - Insufficient Proof of Execution", "match")]
