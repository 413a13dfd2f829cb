"""Random Unicode through every text entry point: never a crash, and the right kind of answer at each.

The text is hostile on purpose: lone surrogates, C0 and C1 controls, bidi overrides, terminal escape
sequences (CSI, OSC hyperlinks, 8-bit CSI), emoji with joiners, Rich markup, Markdown and HTML, YAML
punctuation, and strings tens of thousands of characters long. Each ``check_*`` function drives one
entry point with one string and asserts what it must answer; the tests run them under hypothesis, and
``benchmarks/fuzz_entry_points.py`` runs the same functions for a longer campaign, timing each input.

What "safe" means is written out here by hand (:func:`assert_safe`), not taken from
:mod:`selfhelp.base.text`: kept and shown text holds no control, format or surrogate character
other than newline, tab and the zero-width joiner, and always encodes as UTF-8.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from selfhelp import cli
from selfhelp.authoring.flowtest.model import LoadedScenarios, load_scenarios
from selfhelp.authoring.importer import Draft, import_text
from selfhelp.base.diagnostics import Diagnostic, Severity
from selfhelp.flow.catalog import Catalog, FlowSource, load_catalog, shipped_flows_dir
from selfhelp.flow.models import Flow
from selfhelp.flow.validate import FileReport, check_bytes, check_file
from selfhelp.matcher.matcher import FuzzyMatcher
from selfhelp.matcher.results import MatchResult
from selfhelp.session.engine import Reply, Session
from selfhelp.session.handoff import build_summary, save_summary
from selfhelp.session.step import LinkView, StepView
from selfhelp.session.store import SessionStore, StoreError
from selfhelp.tui.config import UIConfig, load_config
from selfhelp.tui.render import fit_crumbs, step_markdown

HERE = Path(__file__).parent
HANDOFF = HERE / "flows"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
#: The free-text steps of the handoff flow take up to this many characters (its max_length).
MAX_ANSWER = 50000
#: Characters that kept or shown text may hold although their category is a control or format one.
ALLOWED_CONTROLS = frozenset("\n\t\u200d")
VERDICTS = {"match", "ambiguous", "none"}

# --- the hostile text ----------------------------------------------------------------

FRAGMENTS = [
    # lone surrogates, NUL, bell, DEL, C1 controls (NEL, 8-bit CSI, OSC, ST)
    "\ud800", "\udfff", "\udc80abc", "\x00", "\x07", "\x7f", "\x85", "\x9b31m", "\x9d", "\x9c",
    # escape sequences: colour, clear screen, cursor moves, window title, OSC 8 hyperlink, unterminated
    "\x1b[31m", "\x1b[0m", "\x1b[2J", "\x1b[H", "\x1b[10;10H", "\x1b]0;pwned\x07",
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "\x1b[", "\x1b]", "\x1bP", "\x1b",
    # bidi overrides and isolates, zero-width and other format characters
    "\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200b", "\u200e", "\ufeff", "\u00ad", "\u2060",
    # line ends of every kind
    "\r", "\r\n", "\n", "\t", "\u2028", "\u2029", "\x0b", "\x0c",
    # emoji, joiners, flags, combining marks, wide and astral characters
    "👩\u200d👩\u200d👧\u200d👦", "🇫🇷", "👍🏽", "e\u0301", "Ｃｏｎｔｏｓｏ", "漢字", "𒐫", "\U0010ffff", "\uffff", "ﷺ",
    # Rich / Textual markup, Markdown, HTML
    "[b]bold[/b]", "[red]x[/]", "[link=https://evil.example]x[/link]", "[@click=app.quit]q[/]", "[/]",
    "**bold**", "_it_", "# heading", "- item", "1. item", "`code`", "```", "> quote", "|a|b|",
    "[x](javascript:alert(1))", "![i](http://x/i.png)", "<script>alert(1)</script>", "&amp;", "\\",
    # YAML, format strings, paths
    "---", "*a", "&a", "!!python/object:os.system", "{{x}}", "%s", "{0}", "${HOME}", "'", '"', ": ", "#",
    "../../etc/passwd", "CON", " ", "  ",
    # real answers and messages, so the non-refusal paths are walked too
    GUID, "The customer tenant ID and subdomain do not match", "already claimed", "Something else",
]  # fmt: skip

#: Every character, surrogates included (hypothesis leaves them out unless asked).
ANY_CHAR = st.characters(exclude_categories=())
PIECE = st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHAR, max_size=16))
NASTY = st.lists(PIECE, max_size=12).map("".join)


def huge(limit: int) -> st.SearchStrategy[str]:
    """A fragment or random text repeated into a string of several thousand to ``limit`` characters."""
    unit = st.one_of(st.sampled_from([*FRAGMENTS, "a", "word ", "x" * 40]), st.text(ANY_CHAR, min_size=1, max_size=8))
    return st.builds(lambda part, size: (part * (size // len(part) + 1))[:size], unit, st.integers(2000, limit))


def text_strategy(limit: int = 60000) -> st.SearchStrategy[str]:
    """Mostly short hostile strings, sometimes a huge one."""
    return st.one_of(NASTY, NASTY, NASTY, huge(limit))


TEXT = text_strategy()
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_safe(text: str) -> None:
    """``text`` can go to a terminal, a file or a JSON document as it is."""
    bad = [ch for ch in text if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) in {"Cc", "Cf", "Cs"}]
    assert not bad, f"unsafe characters {bad[:5]!r} in {text[:200]!r}"
    text.encode("utf-8")  # raises on a lone surrogate


def is_plain(text: str) -> bool:
    """Whether ``text`` is printable ASCII and spaces only: such text is kept exactly, ends trimmed."""
    return all(" " <= ch <= "~" for ch in text)


def raw(text: str) -> bytes:
    """``text`` as bytes in a file, lone surrogates and all (as a broken editor would write them)."""
    return text.encode("utf-8", "surrogatepass")


# --- shared set-up (cached: hypothesis calls the checks many times) ---------------------


@cache
def handoff_flow() -> Flow:
    report = check_file(HANDOFF / "handoff.yaml")
    assert report.flow is not None, [d.format() for d in report.diagnostics]
    return report.flow


@cache
def cpor_flow() -> Flow:
    report = check_file(shipped_flows_dir() / "cpor-customer-association.yaml")
    assert report.flow is not None
    return report.flow


@cache
def handoff_catalog() -> Catalog:
    return load_catalog([FlowSource(HANDOFF, "option")])


@cache
def matcher() -> FuzzyMatcher:
    return FuzzyMatcher()


def at_step(node: str) -> Session:
    """A fresh session on the handoff flow, at its question (``kind``), paste box (``paste``) or name input."""
    session = Session(handoff_flow(), matcher=matcher())
    if node == "paste":
        assert session.choose(0).ok
    elif node == "name":
        assert session.choose(1).ok
    assert session.current.node == node
    return session


def assert_reply(reply: Reply) -> None:
    assert isinstance(reply, Reply)
    if not reply.ok:
        assert reply.reason, "a refusal says why"
    if reply.match is not None:
        assert_match(reply.match)


def assert_match(result: MatchResult, asked: str | None = None) -> None:
    """A verdict with scores in range; the query cleaned (the engine's), or a start of ``asked`` (the matcher's own)."""
    assert isinstance(result, MatchResult)
    assert result.verdict in VERDICTS
    if asked is None:
        assert_safe(result.query)
    else:
        # The matcher judges what it is given (callers clean it), cut to a bounded length with a notice.
        assert asked.startswith(result.query)
        assert result.query == asked or result.notice
    for candidate in result.matches:
        assert 0 <= candidate.score <= 100
    if result.verdict != "none":
        assert result.matches


# --- the engine -----------------------------------------------------------------------


def check_submit_input(text: str) -> None:
    """An input step keeps the answer cleaned, or refuses it (too long) and stays."""
    session = at_step("name")
    reply = session.submit(text)
    assert_reply(reply)
    if reply.ok:
        kept = session.values["customer_name"]
        assert_safe(kept)
        assert kept == kept.strip()
        assert len(kept) <= MAX_ANSWER
        if is_plain(text):
            assert kept == text.strip()
        assert session.current.node == "tenant"
    else:
        assert len(text) > MAX_ANSWER and "too long" in (reply.reason or "")
        assert session.current.node == "name" and "customer_name" not in session.values


def check_submit_match(text: str) -> None:
    """A paste step matches the message (moving on, or asking which cause) or refuses an empty one."""
    session = at_step("paste")
    reply = session.submit(text)
    assert_reply(reply)
    if not reply.ok:
        assert session.current.node == "paste" and session.current.pending is None
        assert text.strip(" \t\n\r") == "" or not is_plain(text), reply.reason  # only "nothing left" is refused
        return
    if session.current.pending is not None:
        assert session.current.node == "paste"
        assert_match(session.current.pending)
        assert session.step().choices[-1].label == "None of these"
    else:
        assert session.current.node in {"mismatch", "claimed", "claimed-elsewhere", "name"}
        answer = session.history[-2].answer
        assert answer is not None and answer.kind == "match"
        assert_safe(answer.text)
        if is_plain(text):
            assert answer.text == text.strip()


def check_add_note(text: str) -> None:
    """A note is kept cleaned; one with nothing left after cleaning is not kept."""
    session = at_step("kind")
    session.add_note(text)
    assert len(session.state.notes) <= 1
    for note in session.state.notes:
        assert_safe(note)
        assert note and note == note.strip()
    if is_plain(text) and text.strip():
        assert session.state.notes == [text.strip()]


def check_choose_label(text: str) -> None:
    """A label that is not offered is refused and changes nothing."""
    session = at_step("kind")
    before = session.to_json()
    reply = session.choose_label(text)
    assert_reply(reply)
    offered = {"i have an error message", "something else"}
    if text.casefold() in offered:
        assert reply.ok and session.current.node in {"paste", "name"}
    else:
        assert not reply.ok and session.to_json() == before


def check_jump(text: str) -> None:
    """A jump to a step the flow lacks is refused and changes nothing."""
    session = at_step("kind")
    before = session.to_json()
    reply = session.jump(text)
    assert_reply(reply)
    if text in handoff_flow().nodes:
        assert reply.ok and session.current.node == text
    else:
        assert not reply.ok and session.to_json() == before


def walked(text: str) -> Session:
    """A session on the handoff flow with ``text`` pasted, typed into every free-text step, and as a note."""
    session = at_step("paste")
    session.add_note(text)
    session.submit(text)
    if session.current.pending is not None:
        session.choose_label("None of these")
    for _ in range(3):  # a cause step: say it did not help, towards the form
        if session.current.node in {"mismatch", "claimed", "claimed-elsewhere"}:
            session.choose(len(session.step().choices) - 1)
    if session.current.node == "name":
        session.submit(text[:MAX_ANSWER])
    if session.current.node == "tenant":
        assert session.submit(GUID).ok
    if session.current.node == "describe":
        session.submit(text[:MAX_ANSWER])
    return session


# --- saved sessions --------------------------------------------------------------------


def check_store(text: str) -> None:
    """A session holding the text saves, lists, loads and resumes as it was; a random id is not found."""
    session = walked(text)
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore(folder)
        path = store.save(session)
        assert path.is_file()
        assert store.load(session.id) == session.state
        listing = store.list()
        assert [s.id for s in listing.sessions] == [session.id] and listing.skipped == []
        resumed, notice = store.resume(session.id, handoff_catalog())
        assert notice is None
        assert resumed.values == session.values and resumed.state.notes == session.state.notes
        for call in (store.load, store.read_text, store.resolve):
            try:
                call(text)
            except StoreError:
                pass  # the usual answer: no such session
            else:
                assert text.strip() and session.id.startswith(text.strip()), text


def check_store_file(text: str) -> None:
    """A session file with the text in it (a hand edit, a damaged disk) is loaded or skipped with a reason."""
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore(folder)
        session = walked("x")
        good = json.loads(session.to_json())
        good["notes"] = [text]
        good["history"][0]["node"] = text
        for content in (raw(text), raw(json.dumps(good, ensure_ascii=False))):
            store.path_for(session.id).write_bytes(content)
            listing = store.list()
            assert len(listing.sessions) + len(listing.skipped) == 1
            for skipped in listing.skipped:
                assert_safe(skipped.reason)
            try:
                store.resume(session.id, handoff_catalog())
            except StoreError as exc:
                assert str(exc)


# --- the case summary ------------------------------------------------------------------


def check_summary(text: str) -> None:
    """The case summary of a session holding the text renders in every format, the text shown safely."""
    session = walked(text)
    summary = build_summary(session)
    data = json.loads(summary.to_json())
    assert data["notes"] == session.state.notes
    for rendered in (summary.to_markdown(), summary.to_text()):
        assert isinstance(rendered, str) and rendered
        assert_safe(rendered)
    with tempfile.TemporaryDirectory() as folder:
        saved = save_summary(summary, folder)
        for path in Path(folder).iterdir():
            path.read_bytes().decode("utf-8")
        assert saved


# --- the matcher and `selfhelp match` ---------------------------------------------------------


def check_matcher(text: str) -> None:
    """The matcher gives a verdict on any text, within one flow or across flows."""
    assert_match(matcher().match_flow(cpor_flow(), text), text)
    assert_match(matcher().match_flows([cpor_flow(), handoff_flow()], text), text)


def run_cli(argv: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    """``selfhelp ARGV`` in this process: its exit status, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(argv)
    finally:
        sys.stdin = saved
    return status, out.getvalue(), err.getvalue()


def check_cli_match(text: str) -> None:
    """``selfhelp match --json -- TEXT`` and the same on standard input: one JSON verdict a message."""
    flows = ["--flows", str(HANDOFF)]
    status, out, _ = run_cli(["match", "--json", *flows, "--", text])
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 1, out[:500]
    assert json.loads(lines[0])["verdict"] in VERDICTS
    assert_safe(out)
    status, out, _ = run_cli(["match", "--json", *flows, "-"], stdin=raw(text))
    assert status == 0
    for line in out.splitlines():
        assert json.loads(line)["verdict"] in VERDICTS
    assert_safe(out)
    status, out, _ = run_cli(["match", *flows, "--", text])
    assert status == 0 and out
    assert_safe(out)


def test_a_line_separator_in_a_message_does_not_split_its_json_line() -> None:
    # Found by the fuzz test above: U+2028 and U+2029 went out raw, and a reader splitting lines
    # (str.splitlines, many JSON Lines readers) got two broken halves of one verdict.
    status, out, _ = run_cli(["match", "--json", "--flows", str(HANDOFF), "--", "a\u2028b\u2029c"])
    assert status == 0
    assert out.startswith('{"query": "a\\u2028b\\u2029c", "verdict": ')
    assert out.splitlines() == [out.rstrip("\n")]


# --- files people write: flows, settings, scenarios, articles ------------------------------

FLOW_TEMPLATE = {
    "id": "fuzz",
    "title": "T",
    "version": "1",
    "start": "ask",
    "nodes": {
        "ask": {
            "kind": "question",
            "title": "Q",
            "text": "Pick one.",
            "choices": [{"label": "A", "goto": "done"}, {"label": "B", "goto": "done"}],
        },
        "done": {"kind": "outcome", "result": "resolved", "title": "Done", "text": "Done."},
    },
}


def flow_with(text: str) -> dict:
    """The template flow with ``text`` as a flow title, a step's title and text, and a choice label."""
    data = json.loads(json.dumps(FLOW_TEMPLATE))
    data["title"] = text
    data["nodes"]["ask"]["title"] = text
    data["nodes"]["ask"]["text"] = text
    data["nodes"]["ask"]["choices"][0]["label"] = text
    data["nodes"]["done"]["text"] = text
    return data


def assert_report(report: FileReport, display: str) -> None:
    """A flow is accepted with safe text, or refused with well-formed diagnostics."""
    assert isinstance(report, FileReport)
    for diag in report.diagnostics:
        assert isinstance(diag, Diagnostic) and diag.message and diag.file == display
        assert_safe(diag.format())
    if report.flow is None:
        assert report.diagnostics, "a refused flow says why"
    else:
        assert not any(d.severity is Severity.error for d in report.diagnostics)
        assert_safe(report.flow.title)
        for node in report.flow.nodes.values():
            assert_safe(node.text)
            assert_safe(node.title or "")


def check_flow_yaml(text: str) -> None:
    """Flow YAML with the text in its text fields (dumped by YAML, and pasted in raw) is checked, never raises."""
    dumped = yaml.safe_dump(flow_with(text), allow_unicode=True, width=1 << 20)
    assert_report(check_bytes(raw(dumped), "fuzz.yaml"), "fuzz.yaml")
    pasted = (
        f"id: fuzz\ntitle: {text}\nversion: '1'\nstart: ask\nnodes:\n  ask:\n    kind: question\n    text: {text}\n"
    )
    assert_report(check_bytes(raw(pasted), "fuzz.yaml"), "fuzz.yaml")


def check_settings(text: str) -> None:
    """A settings file with the text in it gives settings, or the defaults and one safe notice."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yaml"
        for content in (
            raw(text),
            raw(f"keymap:\n  back: {text}\n"),
            raw(yaml.safe_dump({"keymap": {"back": text, text: "f5"}}, allow_unicode=True)),
        ):
            path.write_bytes(content)
            config, notice = load_config(path)
            assert isinstance(config, UIConfig)
            if notice is not None:
                assert config == UIConfig()
                assert notice.startswith("Settings file ignored")
                assert_safe(notice)


def check_scenarios(text: str) -> None:
    """A scenario file with the text in its fields is loaded or refused with diagnostics, never raises."""
    data = {
        "scenarios": [
            {"name": text, "description": text, "presets": {"x": text},
             "steps": [{"paste": text}, {"type": text}, {"choose": text, "expect": {"node": text, "refused": text}}]}
        ]
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.test.yaml"
        for content in (raw(yaml.safe_dump(data, allow_unicode=True)), raw(f"scenarios:\n  - name: {text}\n")):
            path.write_bytes(content)
            loaded = load_scenarios(path)
            assert isinstance(loaded, LoadedScenarios)
            if loaded.model is None:
                assert loaded.problems
            for diag in loaded.problems:
                assert_safe(diag.format())


MARK = st.sampled_from(["# ", "## ", "### ", "- ", "* ", "1. ", "  - ", "> ", ""])
MARKDOWN_LINE = st.one_of(
    st.builds(lambda mark, t: f"{mark}{t}", MARK, NASTY),
    st.sampled_from(["", "## Symptoms", "## Cause", "## Resolution", "## Next steps", "Possible causes:", "| a | b |",
                     "|---|---|", "```", "[link](https://example.com)", "**Note**", "---", "ms.date: 1/1/2024"]),
)  # fmt: skip
MARKDOWN = st.lists(MARKDOWN_LINE, max_size=30).map("\n".join)


def check_importer(text: str) -> None:
    """An article of random Markdown gives a draft flow whose YAML the checker reads without raising."""
    draft = import_text(text)
    assert isinstance(draft, Draft)
    produced = draft.to_yaml("fuzz.md")
    assert isinstance(produced, str)
    assert_report(check_bytes(raw(produced), "draft.yaml"), "draft.yaml")


# --- the app's rendering helpers --------------------------------------------------------


def check_render(text: str) -> None:
    """A step's title, link and source show as escaped, safe Markdown; crumbs fit their width."""
    view = StepView(
        node_id="n1", kind="question", title=text, text="Flow **text**.", source=text,
        links=(LinkView(text, "https://example.com/a"),), choices=(), input=None,
    )  # fmt: skip
    for agent in (False, True):
        markdown = step_markdown(view, agent=agent)
        assert_safe(markdown)
        assert "Flow **text**." in markdown
    for width in (1, 2, 10, 80):
        crumbs = fit_crumbs([text, "Second step", text], width)
        assert_safe(crumbs)
        if width > 1:
            assert cell_len(crumbs) <= width, (width, crumbs[:100])  # cells, not characters: 漢 takes two


# --- the tests --------------------------------------------------------------------------

#: Every entry point: its name, the check, and the text it is fed (the campaign uses this table).
ENTRY_POINTS = [
    ("engine.submit(input)", check_submit_input, TEXT),
    ("engine.submit(match)", check_submit_match, TEXT),
    ("engine.add_note", check_add_note, TEXT),
    ("engine.choose_label", check_choose_label, TEXT),
    ("engine.jump", check_jump, TEXT),
    ("store.save/load/resume/list", check_store, TEXT),
    ("store: tampered file", check_store_file, TEXT),
    ("handoff summary (json/md/text)", check_summary, TEXT),
    ("matcher.match_flow(s)", check_matcher, TEXT),
    ("cli: selfhelp match", check_cli_match, text_strategy(20000)),
    ("flow yaml: check_bytes", check_flow_yaml, TEXT),
    ("settings: load_config", check_settings, TEXT),
    ("scenarios: load_scenarios", check_scenarios, TEXT),
    ("importer: import_text", check_importer, MARKDOWN),
    ("tui render: step_markdown/fit_crumbs", check_render, TEXT),
]


@FUZZ
@given(TEXT)
def test_an_input_step_keeps_any_text_cleaned(text: str) -> None:
    check_submit_input(text)


@FUZZ
@given(TEXT)
def test_a_paste_step_matches_any_text(text: str) -> None:
    check_submit_match(text)


@FUZZ
@given(TEXT)
def test_any_note_is_kept_cleaned_or_dropped(text: str) -> None:
    check_add_note(text)


@FUZZ
@given(TEXT)
def test_an_unknown_label_is_refused(text: str) -> None:
    check_choose_label(text)


@FUZZ
@given(TEXT)
def test_a_jump_to_an_unknown_step_is_refused(text: str) -> None:
    check_jump(text)


@settings(FUZZ, max_examples=20)
@given(TEXT)
def test_a_session_holding_any_text_saves_and_resumes(text: str) -> None:
    check_store(text)


@settings(FUZZ, max_examples=20)
@given(TEXT)
def test_a_session_file_holding_any_text_is_loaded_or_skipped(text: str) -> None:
    check_store_file(text)


@settings(FUZZ, max_examples=20)
@given(TEXT)
def test_the_case_summary_shows_any_text_safely(text: str) -> None:
    check_summary(text)


@FUZZ
@given(TEXT)
def test_the_matcher_judges_any_text(text: str) -> None:
    check_matcher(text)


@settings(FUZZ, max_examples=15)
@given(text_strategy(20000))
def test_selfhelp_match_answers_any_text_in_json(text: str) -> None:
    check_cli_match(text)


@FUZZ
@given(TEXT)
def test_flow_text_fields_are_accepted_or_refused_never_raise(text: str) -> None:
    check_flow_yaml(text)


@FUZZ
@given(TEXT)
def test_a_settings_file_holding_any_text_never_stops_the_app(text: str) -> None:
    check_settings(text)


@FUZZ
@given(TEXT)
def test_a_scenario_file_holding_any_text_is_loaded_or_refused(text: str) -> None:
    check_scenarios(text)


@FUZZ
@given(MARKDOWN)
def test_any_markdown_imports_to_a_draft(text: str) -> None:
    check_importer(text)


@FUZZ
@given(TEXT)
def test_the_apps_markdown_and_crumbs_are_safe_for_any_text(text: str) -> None:
    check_render(text)


def test_every_entry_point_has_a_test() -> None:
    # The campaign runs ENTRY_POINTS; each of its checks must also run in the suite.
    tested = {name for name, value in globals().items() if name.startswith("test_") and callable(value)}
    assert len(ENTRY_POINTS) == len(tested) - 2 == 15
