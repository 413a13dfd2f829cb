"""Text safety: the one place that decides what user and flow text may carry, per destination.

Text reaches three places, and each has its own job here:

- **kept** (answers, notes, values, anything saved in a session or a summary): :func:`clean`.
  Line ends become ``\\n``; terminal escape sequences are removed whole; control, format and
  surrogate characters are removed (but newline, tab and the zero-width joiner); ends are trimmed.
- **shown** on a terminal (flow text, titles, pasted text): :func:`shown`. The same characters go,
  the same way, but the layout stays (nothing is trimmed), so what the screen shows is what
  :func:`clean` keeps, up to the spaces at the ends.
- **written into Markdown** (titles, values, user text in summaries): :func:`md_escape` for inline
  text, :func:`md_block` for verbatim blocks. Shown text first, then the characters that could start
  Markdown or HTML are backslash-escaped, so ``[bold red]``, ``<script>`` or ``# heading`` read as typed.

Why these characters: an escape sequence (``ESC [31m``, ``ESC ]8;;url BEL``) recolours the terminal,
moves the cursor or plants a link; removing only the ESC byte would leave ``[31m`` on screen. Other
C0/C1 controls (bell, backspace, the 8-bit CSI U+009B) act on terminals too. Format characters
include the bidirectional overrides (U+202E) that make text read differently than it is stored, and
invisible ones (zero-width space, BOM). Lone surrogates (U+D800-DFFF) cannot be encoded as UTF-8, so
a JSON or file write would fail later. Newline and tab are layout; the zero-width joiner (U+200D)
joins emoji sequences (👨‍👩‍👧) and some scripts' letters, and does nothing to a terminal.

Flow files may not hold these characters at all: the flow models refuse text in which
:func:`find_unsafe` finds one (a flow is authored, so it is fixed rather than silently changed).

:func:`fold` makes text ready to compare (case, Unicode forms, quotes and spaces), for searches.
"""

from __future__ import annotations

import re
import unicodedata

#: Unicode categories removed from text: controls (Cc), format characters (Cf), surrogates (Cs).
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
#: Characters of those categories that stay: newline and tab (layout), the zero-width joiner (emoji).
KEPT = frozenset("\n\t\u200d")

#: Terminal escape sequences, matched whole so no ``[31m`` is left behind: CSI (colours, cursor moves;
#: ``ESC [`` or the 8-bit U+009B; one cut off at the end of a paste goes too), control strings up to
#: BEL or ST (OSC titles and links, DCS, SOS, PM, APC; one opened by ESC and never closed runs to the
#: next ESC or the end), and any other ESC with its intermediate and final bytes (``ESC ( B``, ``ESC 7``).
#: A control string opened by an 8-bit introducer (U+0090, U+0098, U+009D-9F) goes only when it is
#: closed: those code points also come from mis-decoded text (cp1252's right quote read as Latin-1
#: ends in U+009D), and swallowing the rest of such a paste would lose the user's words. Such a string
#: ends at the next 8-bit introducer too (where a new one would start): otherwise each unclosed one
#: would be searched to the end of the text, and a paste of 50,000 of them took most of a minute.
ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*(?:[@-~]|\Z)"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\x90\x98\x9d\x9e\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)

#: Anything but printable ASCII, newline and tab: only these characters need a closer look.
_SUSPECT = re.compile(r"[^\t\n -~]")

#: Markdown characters that start a construct anywhere in a line (GFM's ~ and | included, & for entities).
MD_SPECIAL = "\\`*_[]<>&~|"
_INLINE_SPECIAL = re.compile("([" + re.escape(MD_SPECIAL) + "])")
#: What starts a block (heading, list, setext underline) when it comes first on a line.
_LEADING_SPECIAL = re.compile(r"^([ \t]*)([#+=-]|\d{1,9}(?=[.)]))")


# --- the character set -------------------------------------------------------------


def is_unsafe(ch: str) -> bool:
    """Whether the character ``ch`` is removed from kept and shown text (and refused in flows)."""
    return ch not in KEPT and unicodedata.category(ch) in UNSAFE_CATEGORIES


def find_unsafe(text: str) -> str | None:
    """The first character of ``text`` that :func:`is_unsafe`, or ``None`` when there is none."""
    for found in _SUSPECT.finditer(text):
        if is_unsafe(found.group()):
            return found.group()
    return None


def remove_unsafe(text: str, replacement: str = "") -> str:
    """``text`` with each escape sequence and each unsafe character replaced by ``replacement``.

    Line ends are left alone (a CR is simply unsafe): :func:`clean` and :func:`shown` turn them
    into newlines first. A matcher passes a space, so words on either side stay apart.
    """
    if _SUSPECT.search(text) is None:  # the common case: plain ASCII, one scan in C
        return text
    text = ESCAPE_SEQUENCE.sub(replacement, text)
    return _SUSPECT.sub(lambda found: replacement if is_unsafe(found.group()) else found.group(), text)


# --- kept and shown ------------------------------------------------------------------


def shown(text: str) -> str:
    """``text`` safe to show on a terminal, its layout kept.

    CRLF and CR become LF (a bare CR would return the cursor and overwrite the line);
    escape sequences are removed whole; other controls, format characters (bidi overrides,
    zero-width spaces) and lone surrogates are removed, but newline, tab and the zero-width joiner.
    """
    return remove_unsafe(text.replace("\r\n", "\n").replace("\r", "\n"))


def clean(text: str) -> str:
    """``text`` as it is kept (an answer, a note, a value in a session or summary): :func:`shown`, ends trimmed.

    Pasted text often carries terminal escapes, stray carriage returns or invisible characters;
    they would act on terminals, corrupt summaries or break a JSON write, and are never part of an
    answer. Spaces and blank lines at the ends are a paste's leftovers, not the answer.
    """
    return shown(text).strip()


# --- Markdown ------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """``text`` as literal Markdown inline text (one line): :func:`shown`, markup characters backslash-escaped.

    Only the characters that can begin Markdown or HTML (:data:`MD_SPECIAL`) are escaped, so a saved
    file stays readable (GUIDs and domains unchanged). A newline would end the line and let the next
    one start a block: it becomes a space (use :func:`md_block` to keep line breaks). A block mark
    first on the line (``#``, ``-``, ``+``, ``=``, ``1.``) is escaped too, as it would start a
    heading or a list.
    """
    escaped = _INLINE_SPECIAL.sub(r"\\\1", shown(text).replace("\n", " "))
    return _LEADING_SPECIAL.sub(_escape_leading, escaped, count=1)


def _escape_leading(found: re.Match[str]) -> str:
    space, mark = found.group(1), found.group(2)
    # "1." escapes as "1\." (a backslash before a digit is not an escape); "-" as "\-".
    return space + (mark + "\\" if mark[0].isdigit() else "\\" + mark)


def md_block(text: str, indent: str = "") -> str:
    """``text`` (:func:`shown`) as a fenced code block, shown verbatim, each line indented by ``indent``.

    The fence is longer than any run of backticks in the text, so no line of it can close the block.
    """
    text = shown(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [fence, *text.split("\n"), fence]
    return "\n".join(f"{indent}{line}" if line else "" for line in lines)


# --- comparing -----------------------------------------------------------------------


def fold(text: str) -> str:
    """Compare-ready text: NFKC, case-folded, curly quotes straightened, runs of space joined.

    For searches (the picker's filter, the agent's search, the plain matcher): ``Ｃｏｎｔｏｓｏ`` and
    ``contoso``, ``don’t`` and ``don't`` compare equal. Ends lose spaces and ``.``/``!``.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip(" .!")
