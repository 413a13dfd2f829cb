"""What the conversation's Markdown is made of: flow text escaped where it is not Markdown, nothing that acts."""

from __future__ import annotations

from selfhelp.session.step import LinkView as Link
from selfhelp.session.step import StepView as Step
from selfhelp.tui.render import fit_crumbs, step_markdown


def step(title: str | None, text: str = "", **changes: object) -> Step:
    fields: dict = dict(
        node_id="n1", kind="question", title=title, text=text, source=None, links=(), choices=(), input=None
    )
    return Step(**(fields | changes))


def test_a_title_with_markup_characters_is_escaped_exactly() -> None:
    view = step("*Check* the [tenant](x) <b>ID</b> & ~~more~~ | `1`_2", "Some **bold** text.")
    assert step_markdown(view) == (
        "### \\*Check\\* the \\[tenant\\](x) \\<b\\>ID\\</b\\> \\& \\~\\~more\\~\\~ \\| \\`1\\`\\_2"
        "\n\nSome **bold** text."
    )


def test_a_title_that_would_start_a_list_or_heading_is_escaped() -> None:
    assert step_markdown(step("1. Open the portal")) == "### 1\\. Open the portal"
    assert step_markdown(step("- or not")) == "### \\- or not"
    assert step_markdown(step("# Title", outcome="resolved")) == "## ✔ Resolved: \\# Title"


def test_links_and_the_agents_line_are_escaped_but_the_flow_text_is_markdown() -> None:
    view = step(
        "Links",
        "Read **this**\r\nfirst.\n",
        links=(Link("[Docs] *new*", "https://example.com/a_b"),),
        source="Section_1 [draft]",
    )
    assert step_markdown(view, agent=True) == (
        "### Links\n\n"
        "Read **this**\nfirst.\n\n"
        "- \\[Docs\\] \\*new\\*: <https://example.com/a_b>\n\n"
        "*node `n1` (question) · article section: Section\\_1 \\[draft\\]*"
    )


def test_escape_sequences_and_bidi_overrides_never_reach_the_markdown() -> None:
    view = step("\x1b[31mRed\x1b[0m \u202etitle", "Body \x1b]0;owned\x07text\x07")
    assert step_markdown(view) == "### Red title\n\nBody text"


def test_crumbs_show_titles_without_escapes_and_fit_the_width() -> None:
    assert fit_crumbs(["\x1b[1mStart\x1b[0m", "[b]Middle[/b]", "End\u202e"], 80) == "Start › [b]Middle[/b] › End"
    assert fit_crumbs(["Start", "Middle", "End"], 14) == "… › End"


def test_crumbs_fit_the_width_in_cells_when_titles_are_wide() -> None:
    # Found by tests/test_fuzz_entry_points.py: 漢 and 👍 take two cells each, and a crumb counted in
    # characters ran past the end of the line.
    assert fit_crumbs(["漢字漢字漢字", "Second"], 12) == "… › Second"
    assert fit_crumbs(["First", "漢字漢字漢字漢字"], 10) == "… › 漢字…"
    assert fit_crumbs(["👍👍👍👍"], 6) == "👍👍…"
