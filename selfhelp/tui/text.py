"""Making user and flow text safe to show: never markup, never terminal control sequences."""

from __future__ import annotations

import unicodedata

from textual.content import Content


def plain(text: str) -> str:
    """``text`` without control characters (escape sequences, bells, ...) other than newline and tab.

    Flow files and pasted messages may carry terminal escapes; shown raw they
    would move the cursor or recolour the screen. The ESC byte is dropped, so
    what remains of a sequence (``[31m``) is shown literally.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def literal(text: str) -> Content:
    """``text`` as Content shown exactly as written: ``[bold red]`` stays those eleven characters."""
    return Content(plain(text))


def md_escape(text: str) -> str:
    """Escape ``text`` for a Markdown document, so it is shown as written (used for titles and values)."""
    out = []
    for ch in plain(text):
        if ch in "\\`*_{}[]()<>#+-.!|~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
