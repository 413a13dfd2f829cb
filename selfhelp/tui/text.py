"""Textual's side of text safety: user and flow text as Content, never markup, never control sequences.

What is removed and why is :mod:`selfhelp.base.text`'s job (``shown`` for the screen,
``md_escape`` for Markdown); this module only wraps it for Textual.
"""

from __future__ import annotations

from textual.content import Content

from selfhelp.base.text import shown


def literal(text: str) -> Content:
    """``text`` (made :func:`~selfhelp.base.text.shown`) as Content shown exactly as written.

    ``[bold red]`` stays those eleven characters; an escape sequence is gone, leaving nothing behind.
    """
    return Content(shown(text))
