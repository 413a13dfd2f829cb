"""The case summary: what goes in it, and that user text shows literally in every rendering."""

from __future__ import annotations

import json
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from selfhelp.base.text import md_block, md_escape
from selfhelp.flow.models import Flow, OutcomeResult
from selfhelp.matcher.results import MatchCandidate, MatchResult
from selfhelp.session.engine import Session
from selfhelp.session.handoff import (
    CaseSummary,
    build_summary,
    question_of,
    render_form_text,
    render_markdown,
    render_text,
    save_summary,
)
from selfhelp.session.store import DATA_ENV, SessionStore
from tests.conftest import GUID, checked_flow, walked

HERE = Path(__file__).parent
MISMATCH = "The customer tenant ID and subdomain do not match"


@pytest.fixture(scope="module")
def flow() -> Flow:
    return checked_flow(HERE / "flows" / "handoff.yaml")


# --- rendering Markdown as a reader sees it ---------------------------------------


class _Html(HTMLParser):
    """The tags and the visible text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


#: Every tag our own Markdown produces: anything else came from user text.
OUR_TAGS = {"h1", "h2", "ul", "ol", "li", "p", "strong", "em", "pre", "code", "br"}


def rendered(markdown: str) -> _Html:
    parsed = _Html()
    # Textual's Markdown widget parses "gfm-like" (tables, strikethrough); bare-URL linking is off here
    # because a URL shown as a link is still the user's literal text.
    parsed.feed(MarkdownIt("gfm-like").disable("linkify").render(markdown))
    return parsed


def visible(markdown: str) -> str:
    return "".join(rendered(markdown).text)


# --- contents ---------------------------------------------------------------------


def test_contact_support_summary_of_the_cpor_flow(cpor: Flow) -> None:
    session = walked(
        cpor,
        4,  # I have an error message to paste
        f"Error: {MISMATCH}.",
        1,  # No, I've checked and still get the error
        GUID,
        "contoso.onmicrosoft.com",
        1,  # No, don't check online
        "C-1, C-2",
        0,  # OSU - Business Applications (the pasted error is kept, so no description is asked)
        "1234567",
        "2025-07-01",  # the earning period's start
        "",  # no end date
        "",  # no Dynamics subscription ID
    )
    session.add_note("Partner confirmed the tenant with the customer.")
    summary = build_summary(session)
    assert summary.issue.flow_id == "cpor-customer-association"
    assert summary.issue.article_title == "Customer association issues"
    assert summary.outcome is not None and summary.outcome.result is OutcomeResult.contact_support
    assert summary.outcome.title == "Contact the support team"
    assert [s.node for s in summary.steps] == [v.node for v in session.history[:-1]]
    first = summary.steps[0]
    assert (first.title, first.question) == ("Your CPOR claim", "What is happening with your CPOR claim?")
    assert first.answer == "I have an error message to paste"
    assert summary.match is not None
    assert summary.match.cause == "tenant-subdomain-mismatch" and summary.match.pattern == MISMATCH
    assert summary.match.message == f"Error: {MISMATCH}."
    form = {f.field: f for f in summary.form}
    assert form["incentives_program"].value == "OSU - Business Applications"
    assert form["location_mpnid"].value == "1234567"
    assert form["claim_ids"].value == "C-1, C-2"
    assert form["customer_tenant_id"].value == GUID
    # The form has no subdomain field: the answer reaches support in the problem description.
    assert form["problem_description"].value == f"Error: {MISMATCH}.\n\nCustomer subdomain: contoso.onmicrosoft.com"
    assert form["product_dynamics_subscriptionids"].value is None, "an empty answer is not a value"
    assert form["problem_start_time"].value == "2025-07-01"
    assert form["earning_end_time"].value is None and not form["earning_end_time"].missing
    assert summary.missing == []
    assert summary.notes == ["Partner confirmed the tenant with the customer."]
    assert summary.values["customer_domain"] == "contoso.onmicrosoft.com"


def test_required_fields_without_values_are_missing(flow: Flow) -> None:
    summary = build_summary(walked(flow, 1, "Ada", GUID, ""))
    assert summary.missing == ["problem_description", "claim_date"]
    markdown = summary.to_markdown()
    assert "Still needed on the form: problem\\_description, claim\\_date." in markdown
    assert "When did you submit the claim? (claim_date, required): missing" in visible(markdown)
    assert "When did you submit the claim? [claim_date]: (missing)" in summary.to_text()


def test_an_unfinished_session_shows_the_form_known_so_far(flow: Flow) -> None:
    summary = build_summary(walked(flow, 1, "Ada"))
    assert summary.outcome is None and summary.current_step == "Tenant ID"
    assert {f.field: f.value for f in summary.form}["customer_name"] == "Ada"
    assert "in progress, at Tenant ID" in visible(summary.to_markdown())


def test_a_resolved_session_has_no_form(flow: Flow) -> None:
    summary = build_summary(walked(flow, 0, MISMATCH, 0))
    assert summary.outcome is not None and summary.outcome.result is OutcomeResult.resolved
    assert summary.form == [] and "Support form" not in summary.to_markdown()


def test_an_ambiguous_paste_awaiting_a_pick_is_reported(flow: Flow) -> None:
    session = walked(flow, 0)
    assert session.submit("already claimed").ok
    summary = build_summary(session)
    assert summary.match is not None and summary.match.verdict == "ambiguous" and summary.match.cause is None


def test_the_picked_candidate_is_the_cause(flow: Flow) -> None:
    session = walked(flow, 0, "already claimed", 1)
    summary = build_summary(session)
    assert summary.match is not None
    assert (summary.match.verdict, summary.match.cause) == ("ambiguous", "claimed-elsewhere")


class ParamsMatcher:
    """Finds the mismatch cause, with the variable parts a real matcher would pull out."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        found = MatchCandidate(
            flow=flow.id,
            node="mismatch",
            title="Tenant and subdomain mismatch",
            score=93.5,
            pattern=MISMATCH,
            params={"guid": [GUID], "domain": ["contoso.onmicrosoft.com", "<b>x</b>"]},
        )
        return MatchResult(query=text, verdict="match", matches=[found])


def test_the_matched_error_carries_its_parameters(flow: Flow) -> None:
    session = Session(flow, matcher=ParamsMatcher())
    assert session.choose(0).ok and session.submit(f"{MISMATCH} for {GUID}").ok
    match = build_summary(session).match
    assert match is not None and match.params["guid"] == [GUID] and match.score == 93.5
    text = visible(build_summary(session).to_markdown())
    assert f"In the message: guid: {GUID}; domain: contoso.onmicrosoft.com, <b>x</b>" in text
    assert "Verdict: confident match, score 93.5" in text


def test_back_removes_undone_answers(flow: Flow) -> None:
    session = walked(flow, 1, "Ada")
    session.back()
    assert [s.answer for s in build_summary(session).steps] == ["Something else"]


def test_json_round_trips(flow: Flow) -> None:
    summary = build_summary(walked(flow, 1, "Ada", GUID, "line one\nline two"))
    data = json.loads(summary.to_json())
    assert data["missing"] == ["claim_date"] and data["form"][2]["value"] == "line one\nline two"
    assert CaseSummary.model_validate_json(summary.to_json()) == summary


def test_markdown_structure(flow: Flow) -> None:
    session = walked(flow, 0, MISMATCH, 1, "Ada", GUID, "It broke.")
    session.add_note("note one")
    html = rendered(build_summary(session).to_markdown())
    assert html.tags <= OUR_TAGS
    text = "".join(html.text)
    for heading in ("Case summary: Handoff test flow", "Outcome", "Support form", "Error message", "Steps taken"):
        assert heading in text
    assert "The handoff test article (https://example.com/handoff-test)" in text
    assert "Agent notes" in text and "note one" in text


def test_question_of_finds_the_question() -> None:
    assert question_of("Intro.\n\n**Is it a GUID?** A GUID looks like `x`.") == "Is it a GUID?"
    assert question_of("Some text. Did that `help`?") == "Did that help?"
    assert question_of("**Select the program.**") == "Select the program."
    assert question_of("No question here.") is None


# --- literal text -----------------------------------------------------------------

NASTY = [
    "[bold red]alarm[/bold red]",
    "[link=https://evil.example]click[/link]",
    "\x1b[31mred\x1b[0m and \x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "<script>alert(1)</script> <b>bold</b> <!-- c -->",
    "&amp; &#x41; &lt;",
    "*emph* **strong** _u_ `code` ~~gone~~ ![img](x) [a](http://x) <http://auto>",
    "# heading",
    "- item",
    "1. one",
    "> quote",
    "---",
    "| a | b |",
    "\\*not emph\\*",
    "trailing backslash \\",
    "```\nfenced\n```",
    "    indented code",
    "🙂👍🏽 👨‍👩‍👧 e\u0301",
    "שלום مرحبا \u202eevil\u202c",
    "tab\there",
    "\u200b\ufeffzero width",
    "line\r\nbreaks\rmixed",
]

#: What is kept of a NASTY text where it is not the text itself: escapes, bidi overrides, zero-width
#: spaces and CRs go; the ends are trimmed.
KEPT_AS = {
    "\x1b[31mred\x1b[0m and \x1b]8;;https://evil.example\x07link\x1b]8;;\x07": "red and link",
    "    indented code": "indented code",
    "שלום مرحبا \u202eevil\u202c": "שלום مرحبا evil",
    "\u200b\ufeffzero width": "zero width",
    "line\r\nbreaks\rmixed": "line\nbreaks\nmixed",
}


def _check_literal(value: str, markdown: str, times: int) -> None:
    """``value`` shows verbatim, ``times`` times, in the rendered Markdown, and injects no tags.

    A value carrying a sentinel character (see :func:`marked`) cannot be
    counted twice nor found by accident elsewhere in the summary.
    """
    html = rendered(markdown)
    assert html.tags <= OUR_TAGS, f"injected tags: {html.tags - OUR_TAGS}"
    assert "".join(html.text).count(value) == times


SENTINEL = "\u27e6"


def marked(text: str, at_start: bool) -> str:
    """``text`` with a character found nowhere else, at one end (the other end stays free to break things)."""
    return SENTINEL + text if at_start else text + SENTINEL


def _check_plain(value: str, text: str) -> None:
    """Plain text indents the lines of a multi-line value, and changes nothing else."""
    assert all(line in text for line in value.split("\n"))


@pytest.mark.parametrize("text", NASTY)
def test_nasty_text_shows_literally(flow: Flow, text: str) -> None:
    session = walked(flow, 1, text, GUID, text)
    session.add_note(text)
    kept = KEPT_AS.get(text, text)
    assert session.values["customer_name"] == kept and session.state.notes == [kept]
    summary = build_summary(session)
    # Each answer shows twice (support form and steps taken), the note once.
    _check_literal(kept, summary.to_markdown(), times=5)
    _check_plain(kept, summary.to_text())
    assert json.loads(summary.to_json())["values"]["customer_name"] == kept


text_pieces = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet="[]<>*_`~|#-+=!&;\\/:().0123456789 \n\tab", max_size=40),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(text_pieces, max_size=6).map("".join), at_start=st.booleans())
def test_any_text_survives_save_and_load_and_renders_literally(
    flow: Flow, tmp_path: Path, text: str, at_start: bool
) -> None:
    assume(SENTINEL not in text)
    text = marked(text, at_start)
    store = SessionStore(tmp_path / "sessions")
    session = walked(flow, 1)
    assert session.submit(text).ok
    session.add_note(text)
    kept = session.values["customer_name"]
    assert _is_kept_form_of(kept, text)
    store.save(session)
    resumed, _ = store.resume(session.id, _Catalog(flow))
    assert resumed.values["customer_name"] == kept and resumed.state.notes == [kept]
    summary = build_summary(resumed)
    _check_literal(kept, render_markdown(summary), times=3)  # support form, steps taken, notes
    _check_plain(kept, render_text(summary))


def _is_kept_form_of(kept: str, text: str) -> bool:
    """Whether ``kept`` could be what is kept of ``text``: no controls or invisible characters, trimmed,
    and its characters found in order in ``text`` (a CR counting as a newline).
    """
    allowed = all(ch in "\n\t\u200d" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs") for ch in kept)
    rest = iter(text.replace("\r", "\n"))
    return allowed and kept == kept.strip() and all(ch in rest for ch in kept)


class _Catalog:
    """The one flow a resume needs."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow

    def get(self, flow_id: str) -> _Catalog | None:
        return self if flow_id == self.flow.id else None


def test_huge_text_survives(flow: Flow, tmp_path: Path) -> None:
    huge = ("[bold]x[/bold] <i>" * 2_500) + "\n" + ("`" * 10) + "\nend"
    session = walked(flow, 1, huge, GUID, huge)
    store = SessionStore(tmp_path)
    store.save(session)
    resumed, _ = store.resume(session.id, _Catalog(flow))
    assert resumed.values["customer_name"] == huge
    _check_literal(huge, build_summary(resumed).to_markdown(), times=4)


def test_a_lone_surrogate_never_reaches_the_saved_files(flow: Flow, tmp_path: Path) -> None:
    # Half of an emoji from a bad decode: it cannot be written as UTF-8, so it is never kept.
    session = walked(flow, 1, "Ada \ud83d", GUID, "x\udfffy")
    session.add_note("\ud800")
    assert session.values["customer_name"] == "Ada" and session.values["description"] == "xy"
    assert session.state.notes == [], "a note of nothing but a surrogate is no note"
    store = SessionStore(tmp_path / "sessions")
    store.save(session)
    resumed, _ = store.resume(session.id, _Catalog(flow))
    saved = save_summary(build_summary(resumed), tmp_path / "summaries")
    assert "- **Your name** (customer\\_name): Ada\n" in saved.markdown.read_text(encoding="utf-8")
    assert json.loads(saved.json.read_text(encoding="utf-8"))["values"]["description"] == "xy"


def test_md_helpers() -> None:
    assert visible(md_escape("1. <b>*x*</b>")) == "1. <b>*x*</b>\n"
    block = md_block("a\n```\nb")
    assert block.startswith("````") and visible(block).rstrip("\n") == "a\n```\nb"


# --- saving -----------------------------------------------------------------------


def test_save_summary_writes_markdown_and_json(flow: Flow, tmp_path: Path) -> None:
    summary = build_summary(walked(flow, 1, "Ada", GUID, "It broke."))
    saved = save_summary(summary, tmp_path)
    assert saved.markdown.name == f"case-handoff-test-{summary.session_id[:12]}.md"
    assert saved.markdown.read_text(encoding="utf-8") == summary.to_markdown()
    assert CaseSummary.model_validate_json(saved.json.read_text(encoding="utf-8")) == summary
    again = save_summary(summary, tmp_path, replace=saved)
    assert again == saved and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [saved.markdown.name, saved.json.name]
    ), "saving again over this run's files replaces them and leaves no temporary ones"


def test_save_summary_never_overwrites_another_runs_files(flow: Flow, tmp_path: Path) -> None:
    first = build_summary(walked(flow, 1, "Ada", GUID, "It broke."))
    saved = save_summary(first, tmp_path)
    second = save_summary(
        build_summary(walked(flow, 1, "Bob", GUID, "Still broken.")).model_copy(
            update={"session_id": first.session_id}
        ),
        tmp_path,
    )
    third = save_summary(first, tmp_path)
    stem = f"case-handoff-test-{first.session_id[:12]}"
    assert (second.markdown.name, second.json.name) == (f"{stem}-2.md", f"{stem}-2.json")
    assert third.markdown.name == f"{stem}-3.md"
    assert "Ada" in saved.markdown.read_text(encoding="utf-8"), "the first run's summary is kept as it was"
    assert "Bob" in second.markdown.read_text(encoding="utf-8")


def test_the_form_as_text_lists_each_label_and_value(flow: Flow) -> None:
    summary = build_summary(walked(flow, 1, "Ada", GUID, ""))
    text = render_form_text(summary)
    assert text.startswith("Your name\nAda\n\n")
    assert "When did you submit the claim?\n(missing: required)\n" in text


def test_save_summary_defaults_to_the_data_folder(flow: Flow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    saved = save_summary(build_summary(walked(flow, 1)))
    assert saved.markdown.parent == tmp_path / "summaries" and saved.json.is_file()


def test_odd_session_ids_make_safe_file_names(flow: Flow, tmp_path: Path) -> None:
    session = walked(flow, 1)
    session.state.id = "../../etc/passwd"
    saved = save_summary(build_summary(session), tmp_path / "out")
    assert saved.markdown.parent == tmp_path / "out" and "/" not in saved.markdown.name.removeprefix("case-")


# --- a saved session edited by hand -------------------------------------------------------

#: Answers as a hand-edited (or damaged) session file may hold them: the engine never cleaned these.
EDITED_NAME = "\x1b[31m*Ada*\x1b[0m [x](y)\u202e "
EDITED_DESCRIPTION = "# boom <b>\r\nsecond \x1b]0;title\x07line\x07"
EDITED_NOTE = "- \x1b[1mnote\x1b[0m_1"


def _edited_session(flow: Flow) -> Session:
    session = walked(flow, 1, "Ada", GUID, "first")
    data = json.loads(session.to_json())
    name, describe = data["history"][1]["answer"], data["history"][3]["answer"]
    assert (name["value"], describe["value"]) == ("Ada", "first")
    name["text"] = name["value"] = EDITED_NAME
    describe["text"] = describe["value"] = EDITED_DESCRIPTION
    data["notes"] = [EDITED_NOTE]
    resumed, notice = Session.from_json(flow, json.dumps(data))
    assert notice is None
    return resumed


def test_a_hand_edited_session_is_cleaned_and_escaped_in_the_markdown_summary(flow: Flow) -> None:
    markdown = build_summary(_edited_session(flow)).to_markdown()
    assert "\x1b" not in markdown and "\u202e" not in markdown and "\r" not in markdown
    form = markdown.split("## Support form\n\n")[1].split("\n\nStill needed")[0]
    assert form.split("\n") == [
        "- **Your name** (customer\\_name): \\*Ada\\* \\[x\\](y)",
        "- **Customer tenant ID** (customer\\_tenant\\_id, required): " + GUID,
        "- **Problem description** (problem\\_description, required): ",
        "  ```",
        "  # boom <b>",
        "  second line",
        "  ```",
        "- **When did you submit the claim?** (claim\\_date, required): *missing*",
    ]
    steps = markdown.split("## Steps taken\n\n")[1].split("\n\n## Agent notes")[0]
    assert steps.split("\n")[2:4] == ["2. **Your name**: What is your name?  ", "   → \\*Ada\\* \\[x\\](y)"]
    assert steps.split("\n")[6:] == [
        "4. **Description**: Describe the problem.  ",
        "   → ",
        "   ```",
        "   # boom <b>",
        "   second line",
        "   ```",
    ]
    assert markdown.endswith("## Agent notes\n\n- \\- note\\_1\n")


def test_a_hand_edited_session_is_cleaned_in_the_plain_and_json_summaries(flow: Flow) -> None:
    summary = build_summary(_edited_session(flow))
    text = summary.to_text()
    assert "- Your name [customer_name]: *Ada* [x](y)\n" in text
    assert "- Problem description [problem_description]: \n    # boom <b>\n    second line\n" in text
    assert text.endswith("Agent notes:\n- - note_1\n")
    data = json.loads(summary.to_json())
    assert data["values"]["customer_name"] == "*Ada* [x](y)"
    assert data["values"]["description"] == "# boom <b>\nsecond line"
    assert data["notes"] == ["- note_1"]
    assert [s["answer"] for s in data["steps"]] == ["Something else", "*Ada* [x](y)", GUID, "# boom <b>\nsecond line"]


class RawParamsMatcher:
    """A matcher that hands back a pattern and parameters carrying escapes, as a plug-in one might."""

    def match_flow(self, flow: Flow, text: str, candidates: list[str] | None = None) -> MatchResult:
        found = MatchCandidate(
            flow=flow.id,
            node="mismatch",
            title="Tenant \x1b[1mmismatch\x1b[0m",
            score=90,
            pattern="tenant\u202e *mismatch*",
            params={"domain": ["\x1b[31mcontoso.com\x1b[0m"]},
        )
        return MatchResult(query=text, verdict="match", matches=[found])


def test_what_a_matcher_returns_is_cleaned_and_escaped_in_the_summary(flow: Flow) -> None:
    session = Session(flow, matcher=RawParamsMatcher())
    assert session.choose(0).ok and session.submit("tenant mismatch").ok
    markdown = build_summary(session).to_markdown()
    error = markdown.split("## Error message\n\n")[1].split("\n\n## Steps taken")[0]
    assert error.split("\n") == [
        "```",
        "tenant mismatch",
        "```",
        "",
        "- **Cause:** Tenant mismatch (mismatch)",
        "- **Verdict:** confident match, score 90",
        "- **Known error:** tenant \\*mismatch\\*",
        "- **In the message:** domain: contoso.com",
    ]
