"""Hostile pastes into the conversation on a small (80x24) terminal: shown literally, nothing interpreted.

The hypothesis tests in tests/test_fuzz_entry_points.py drive the engine and the rendering helpers with
random text; this one checks the last step, the screen, with a few of the nastiest strings.
"""

from __future__ import annotations

from tests.tui.conftest import at, conversation, paste, pick, screen_text

#: What is pasted, and what the screen (and the session) must show for it, written out by hand.
PASTES = [
    # Rich markup and Markdown stay as typed: no bold, no link, no heading, no list.
    ("[b]bold[/b] **md** `code` [link=https://evil.example]x[/link]", "[b]bold[/b] **md** `code` [link=https://evil.example]x[/link]"),
    ("# not a heading", "# not a heading"),
    # Escape sequences go whole: colours, a window title, an OSC 8 hyperlink, an 8-bit CSI, clear screen.
    ("\x1b[31mred\x1b[0m \x1b]0;pwned\x07title \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ \x9b2Jc1\x1b[2J",
     "red title link c1"),
    # Bidi overrides, zero-width spaces, a lone surrogate, NUL and bell go; emoji with joiners stay.
    ("\u202eevil\u202c \u200bzero \ud800lone\x00\x07 👩\u200d👩\u200d👧 🇫🇷", "evil zero lone 👩\u200d👩\u200d👧 🇫🇷"),
]  # fmt: skip


async def test_nasty_pastes_show_literally_on_a_small_screen(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pick(pilot, "I have an error message")
        for pasted, kept in PASTES:
            await paste(pilot, pasted)
            assert conversation(app).query("UserMessage").last().answer == kept
            text = screen_text(app)
            assert f"You: {kept}" in text, text
            assert "\x1b" not in text and "pwned" not in text and "\ud800" not in text
            await pilot.press("escape")  # back to the paste box for the next one
            await pilot.pause()
            assert at(app) == "paste-error"
