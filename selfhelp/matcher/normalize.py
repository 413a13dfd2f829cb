"""Turning a pasted message into comparable words, with its variable parts masked and kept.

Partners paste error banners with their own tenant GUIDs, domains, claim numbers
and dates in them, in curly quotes, with stray control characters or emoji. The
matcher compares *words*, so this module:

1. normalises the text (Unicode NFKC, case, quotes and dashes, invisible and
   control characters, spaces);
2. masks variable parts as named placeholders (``<guid>``, ``<email>``, ``<url>``,
   ``<domain>``, ``<date>``, ``<id>``, ``<number>``) and returns the masked values
   as parameters, so a pasted tenant GUID can pre-fill the tenant ID;
3. splits the masked text into words, expands English negative contractions
   ("don't" -> "do not"), drops filler words and reduces words to a crude stem, so
   "claimed", "claims" and "claiming" compare equal.

Synonyms (such as "mismatch" for "do not match") are *not* handled here: they
belong in the flows' error patterns, where flow authors can see and edit them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, compress, count
from operator import itemgetter

from selfhelp.base.text import remove_unsafe

#: Characters mapped before anything else: curly quotes, primes, dashes and odd spaces.
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)

# Masks, most specific first: a URL contains a domain, an e-mail address contains one too.
_MASKS: list[tuple[str, re.Pattern[str]]] = [
    ("url", re.compile(r"\bhttps?://[^\s<>\"']+", re.I)),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (
        "guid",
        re.compile(r"\{?\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b\}?|\b[0-9a-f]{32}\b", re.I),
    ),
    (
        "domain",
        re.compile(
            r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
            r"(?!(?:pdf|docx?|xlsx?|csv|png|jpe?g|gif|txt|zip|msg|pptx?)\b)[a-z]{2,24}\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"\b\d{4}-\d{1,2}-\d{1,2}(?:[t ]\d{1,2}:\d{2}(?::\d{2})?z?)?\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b", re.I
        ),
    ),
    # An identifier mixes letters and digits (AADSTS50076, CONTOSO-D365-PROD, 1234-5678-ABCD).
    (
        "id",
        re.compile(
            r"\b(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])[a-z0-9]+(?:-[a-z0-9]+)+\b|\b(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{6,}\b",
            re.I,
        ),
    ),
    ("number", re.compile(r"\b\d+(?:[.,]\d+)*\b")),
]

#: Text without any of these holds nothing to mask (every mask needs a digit, "@", ".", ":" or a GUID's shape).
_MAYBE_VARIABLE = re.compile(r"[\d@.:]|[0-9a-f]{8}-|[0-9a-f]{32}", re.I)

#: The placeholders, as tokens. They weigh nothing in a query unless a pattern contains them too.
PLACEHOLDERS = frozenset(f"<{kind}>" for kind, _ in _MASKS)

_WORD = re.compile(r"<[a-z]+>|[^\W_]+(?:['-][^\W_]+)*")
_NEGATED = re.compile(r"^(.+?)n't$")
#: Negative contractions typed without the apostrophe ("doesnt"), spelled out.
_BARE_NEGATIONS = {
    "dont": "do",
    "doesnt": "does",
    "didnt": "did",
    "isnt": "is",
    "arent": "are",
    "wasnt": "was",
    "werent": "were",
    "hasnt": "has",
    "havent": "have",
    "hadnt": "had",
    "cant": "can",
    "cannot": "can",
    "wont": "will",
    "couldnt": "could",
    "wouldnt": "would",
    "shouldnt": "should",
}
_IRREGULAR_NEGATIONS = {"can't": "can", "won't": "will", "shan't": "shall"}

#: Filler words: grammar and chatter around the message. "not", "no", "already", "another" stay: they carry meaning.
STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        """
    a an the is are was were be been being am to of for in on at by with from as and or but so if then than
    this that these those it its it's i i'm i've me my we we're we've us our you you're your they them their he she
    his her do does did doing has have had having will would shall should can could may might must
    please hi hello hey dear team thanks thank regards just also yet still some any all
    get gets got getting says say said saying shows show showing shown message error errors warning
    what which who whom when where why how while into about there here too very only apparently
    """,
    )
)


@dataclass(frozen=True)
class Normalized:
    """A message made comparable."""

    text: str
    """The normalised text, before masking and case folding (for display)."""
    masked: str
    """The normalised, case-folded text with variable parts replaced by placeholders."""
    tokens: tuple[str, ...]
    """The stemmed words of the masked text, filler words dropped, in order."""
    surfaces: tuple[str, ...]
    """The word each token came from (before stemming), to correct typos against."""
    params: dict[str, list[str]] = field(default_factory=dict)
    """The masked values by kind (``guid``, ``domain``, ...), in order of appearance, without repeats."""


def normal_text(text: str) -> str:
    """NFKC, straight quotes and dashes, control and invisible characters made spaces, spaces joined (case kept).

    Escape sequences and the characters :mod:`selfhelp.base.text` removes from kept text (controls,
    bidi overrides, zero-width spaces) become spaces, so the words on either side stay apart.
    """
    text = remove_unsafe(unicodedata.normalize("NFKC", text).translate(_TRANSLATE), " ")
    return re.sub(r"\s+", " ", text).strip()


def mask(text: str) -> tuple[str, dict[str, list[str]]]:
    """Replace variable parts with placeholders; return the masked text and the values found, by kind."""
    params: dict[str, list[str]] = {}
    if _MAYBE_VARIABLE.search(text) is None:
        return text, params

    def keep(kind: str) -> object:
        def repl(m: re.Match[str]) -> str:
            value = m.group(0).strip("{}")
            found = params.setdefault(kind, [])
            if value not in found:
                found.append(value)
            return f" <{kind}> "

        return repl

    for kind, pattern in _MASKS:
        text = pattern.sub(keep(kind), text)  # type: ignore[arg-type]
    return re.sub(r"\s+", " ", text).strip(), params


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A crude English stem: enough for plurals and -ed/-ing/-ion/-e forms to meet.

    It need not produce real words, only the same key for the forms partners use
    ("activated", "activate", "activation" -> "activat").
    """
    if word in PLACEHOLDERS or len(word) <= 3 or not word.isalpha():
        return word
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if w.endswith("i"):
                w = w[:-1] + "y"  # verified -> verify
            elif len(w) > 3 and w[-1] == w[-2] and w[-1] not in "slz":
                w = w[:-1]  # submitted -> submit
            break
    if w.endswith("ion") and len(w) > 5:
        w = w[:-3]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def words(masked: str) -> list[str]:
    """The words of masked text, negative contractions spelled out, hyphenated words joined ("sub-domain")."""
    out: list[str] = []
    for raw in _WORD.findall(masked):
        if raw in PLACEHOLDERS:
            out.append(raw)
            continue
        word = raw.replace("-", "")
        if word in _IRREGULAR_NEGATIONS:
            out += [_IRREGULAR_NEGATIONS[word], "not"]
        elif "'" in word and (neg := _NEGATED.match(word)) is not None:
            out += [neg.group(1), "not"]
        elif word in _BARE_NEGATIONS:
            out += [_BARE_NEGATIONS[word], "not"]
        else:
            # Possessives and other apostrophes: "customer's" -> "customer", "customers'" -> "customers".
            out += [part for part in word.split("'") if part and part != "s"][:1]
    return out


#: An identifier written as one word: CamelCase ("TenantSubdomainMismatch"), each part two letters or more.
#: Only the first part may be lower case: every later part starts with a capital, so no run of letters can be
#: split two ways (a repeated lower-case part backtracked exponentially on a long lower-case run).
_CAMEL = re.compile(
    r"\b(?:[a-z]{2,}|[A-Z]{2,}(?=[A-Z][a-z])|[A-Z][a-z]+)(?:[A-Z]{2,}(?=[A-Z][a-z])|[A-Z][a-z]+)+\b"
    r"|\b[A-Z][a-z]+(?:[A-Z]{2,})\b"
)
_CAMEL_HINT = re.compile(r"[a-z][A-Z]")
_CAMEL_PART = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|\b)|[A-Z]?[a-z]+")


def split_identifiers(text: str) -> str:
    """CamelCase identifiers as words: "SubscriptionAlreadyClaimed" -> "Subscription Already Claimed".

    UPPER_SNAKE and kebab codes need nothing here: underscores already separate words. A word
    with a one-letter part ("PoE", "iPhone") is left alone, so abbreviations keep their meaning.
    """
    if _CAMEL_HINT.search(text) is None:
        return text
    return _CAMEL.sub(_camel_words, text)


def _camel_words(found: re.Match[str]) -> str:
    return " ".join(_CAMEL_PART.findall(found.group(0)))


#: Lines that carry no message: HTTP request and status lines, mail and HTTP headers, ids and times.
_NOISE_LINE = re.compile(
    r"^\s*(?:"
    r"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(?:https?://|/)\S*(?:\s+HTTP/[\d.]+)?"
    r"|HTTP/[\d.]+\s+\d{3}\b.*"
    r"|(?:from|sent|to|cc|bcc|date|time|server|host|content-[\w-]+|user-agent|x-[\w-]+|timestamp)\s*[:=].*"
    r"|[\w -]*\bid\s*[:=]\s*\S+"
    r"|[-=_*#~]{3,}"
    r")\s*$",
    re.I,
)
#: Inside a line: log timestamps and levels, "Subject:"/"RE:" prefixes, "correlation id: <value>" pairs.
_NOISE_PART = re.compile(
    r"^\s*\[?\d{4}-\d\d-\d\d[t ][\d:.,]+z?\]?"
    r"|\[?\b(?:INFO|WARN|WARNING|ERROR|ERR|DEBUG|TRACE|FATAL|CRITICAL)\b\]?(?=\s)"
    r"|^\s*(?:(?:subject|re|fw|fwd|aw|tr)\s*:\s*)+"
    r"|\b(?:correlation|request|activity|tracking|trace|session|operation|client)[\s_-]*id\b\s*[:=#]?\s*\S*",
    re.I,
)


def strip_noise(text: str) -> str:
    """A paste without its log and header noise (see :data:`_NOISE_LINE` and :data:`_NOISE_PART`).

    Lines are kept (spaces within each joined, empty ones dropped): a line may carry the match on its own.
    """
    kept = [" ".join(_NOISE_PART.sub(" ", line).split()) for line in text.splitlines() if not _NOISE_LINE.match(line)]
    return "\n".join(line for line in kept if line)


def normalize(text: str) -> Normalized:
    """Normalise, mask and split ``text`` (see the module's docstring)."""
    cleaned = normal_text(split_identifiers(text))
    # Masking before case folding keeps the values as pasted (an ID's case may matter to support).
    masked, params = mask(cleaned)
    masked = masked.casefold()
    kept = [w for w in words(masked) if w not in STOPWORDS]
    return Normalized(
        text=cleaned,
        masked=masked,
        tokens=tuple(stem(w) for w in kept),
        surfaces=tuple(kept),
        params=params,
    )


# --- many texts that share words ------------------------------------------------------------------
#
# For plain text (printable ASCII, tabs and newlines: no NFKC, case folding or removed character acts
# across a space), every step of normalize() works within a chunk (a run of non-space characters): no
# mask, word or identifier spans a space, and spaces end up single. Two things cross: a CamelCase hint
# anywhere in a text makes every identifier of it split, and a date's time follows it after a space
# ("2024-01-31 10:00"). So text_words() reads each distinct chunk once (and keeps it), reads every
# chunk of a text with a hint as split, and leaves a digit, spaces, digit, or text that is not plain,
# to normalize().

#: A chunk's words as :func:`normalize` reads them: (tokens, surfaces, whether it holds a CamelCase hint).
_ChunkWords = tuple[tuple[str, ...], tuple[str, ...], bool]
_TOKENS, _SURFACES, _HINT = itemgetter(0), itemgetter(1), itemgetter(2)
#: Chunks read so far, without and with identifiers split; emptied when full.
_CHUNKS: tuple[dict[str, _ChunkWords], dict[str, _ChunkWords]] = ({}, {})
_MAX_CHUNKS = 1 << 17
#: Besides printable ASCII, text read chunk by chunk may hold tabs and newlines.
_NOT_PLAIN = re.compile(r"[^\t\n -~]")
_DIGIT_SPACE_DIGIT = re.compile(r"\d\s+\d")


def _chunk_words(chunk: str, camel: bool) -> _ChunkWords:
    """One chunk of a plain text read as :func:`normalize` reads it, remembered in :data:`_CHUNKS`.

    ``camel``: the text holds a CamelCase hint somewhere, which makes :func:`split_identifiers`
    split every identifier of it, this chunk's included.
    """
    cache = _CHUNKS[camel]
    if len(cache) >= _MAX_CHUNKS:
        cache.clear()
    text = _CAMEL.sub(_camel_words, chunk) if camel else chunk
    kept = tuple(w for w in words(mask(normal_text(text))[0].casefold()) if w not in STOPWORDS)
    found = (tuple(stem(w) for w in kept), kept, _CAMEL_HINT.search(chunk) is not None)
    cache[chunk] = found
    return found


def _chunks_words(chunks: list[str], camel: bool) -> list[_ChunkWords]:
    """:func:`_chunk_words` of each chunk, from the cache where it can (in one pass in C when all are there)."""
    cache = _CHUNKS[camel]
    try:
        return list(map(cache.__getitem__, chunks))
    except KeyError:
        missing = set(chunks).difference(cache)
    if len(missing) + len(cache) > _MAX_CHUNKS:
        return [cache.get(chunk) or _chunk_words(chunk, camel) for chunk in chunks]  # too many to keep them all
    for chunk in missing:
        _chunk_words(chunk, camel)
    return list(map(cache.__getitem__, chunks))


def text_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``normalize(text).tokens`` and ``.surfaces``, the same, faster for many texts that share words.

    Building an index of 100,000 patterns is mostly this. Plain text is read chunk by chunk, each
    distinct chunk once (see above); other text goes through :func:`normalize`.
    """
    if not (text.isascii() and (text.isprintable() or _NOT_PLAIN.search(text) is None)):
        norm = normalize(text)
        return norm.tokens, norm.surfaces
    chunks = text.split()
    found = _chunks_words(chunks, False)
    if any(map(_HINT, found)):
        found = _chunks_words(chunks, True)
    if _DIGIT_SPACE_DIGIT.search(text) is not None:
        norm = normalize(text)
        return norm.tokens, norm.surfaces
    return tuple(chain.from_iterable(map(_TOKENS, found))), tuple(chain.from_iterable(map(_SURFACES, found)))


class Vocabulary:
    """A flow's synonyms: every variant is read as its phrase, in patterns and messages alike.

    Works on normalised words, so "PoE", "POE" and "PoEs" are one variant, and a variant of
    several words ("Cloud Solution Provider") is replaced where those words appear in a row.
    """

    def __init__(self, entries: Mapping[str, Iterable[str]] | None = None) -> None:
        self._map: dict[tuple[str, ...], tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
        self._variant_surfaces: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for phrase, variants in (entries or {}).items():
            canon = normalize(phrase)
            for variant in variants:
                norm = normalize(variant)
                kept = [(t, w) for t, w in zip(norm.tokens, norm.surfaces, strict=True) if t not in PLACEHOLDERS]
                tokens = tuple(t for t, _ in kept)
                self._variant_surfaces.append((tokens, tuple(w for _, w in kept)))
                # The first flow to define a variant keeps it (matching across flows merges vocabularies).
                if tokens and tokens != canon.tokens and tokens not in self._map:
                    self._map[tokens] = (phrase, canon.tokens, canon.surfaces)
        self._longest = max((len(k) for k in self._map), default=0)
        self._firsts = frozenset(k[0] for k in self._map)

    @property
    def words(self) -> dict[str, str]:
        """Every word of the variants as written -> its stem: a typo of one is read as that word."""
        out: dict[str, str] = {}
        for stems, surfaces in self._variant_surfaces:
            out.update(zip(surfaces, stems, strict=True))
        return out

    def canon(self, token: str) -> tuple[str, ...]:
        """The phrase's stems a one-word variant is read as (the token itself when it is not one)."""
        found = self._map.get((token,))
        return found[1] if found is not None else (token,)

    def __bool__(self) -> bool:
        return bool(self._map)

    def merged(self, other: Vocabulary) -> Vocabulary:
        """Both vocabularies; where they disagree on a variant, this one wins."""
        out = Vocabulary()
        out._map = {**other._map, **self._map}
        out._longest = max(self._longest, other._longest)
        out._firsts = self._firsts | other._firsts
        out._variant_surfaces = [*self._variant_surfaces, *other._variant_surfaces]
        return out

    def apply(self, norm: Normalized) -> tuple[Normalized, list[tuple[str, str]]]:
        """``norm`` with every variant read as its phrase, and the readings made: (words as written, phrase)."""
        tokens, surfaces, readings = self.apply_words(norm.tokens, norm.surfaces)
        if not readings:
            return norm, []
        return replace(norm, tokens=tokens, surfaces=surfaces), readings

    def apply_words(
        self, tokens: tuple[str, ...], surfaces: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[str, ...], list[tuple[str, str]]]:
        """:meth:`apply` on tokens and their surfaces: (tokens, surfaces, readings); unchanged without readings."""
        # Most texts hold no variant's first word: one set operation in C settles them.
        if not self._map or self._firsts.isdisjoint(tokens):
            return tokens, surfaces, []
        out_t: list[str] = []
        out_s: list[str] = []
        readings: list[tuple[str, str]] = []
        done = 0  # tokens[:done] are read
        # Left to right, the longest variant at each place; only places holding a variant's first word can start one.
        for i in compress(count(), map(self._firsts.__contains__, tokens)):
            if i < done:
                continue  # inside a variant just read
            n, found = self._variant_at(tokens, i)
            if found is None:
                continue
            phrase, canon_t, canon_s = found
            out_t += tokens[done:i]
            out_s += surfaces[done:i]
            out_t += canon_t
            out_s += canon_s
            written = " ".join(surfaces[i : i + n])
            if (written, phrase) not in readings:
                readings.append((written, phrase))
            done = i + n
        if not readings:
            return tokens, surfaces, []
        return (*out_t, *tokens[done:]), (*out_s, *surfaces[done:]), readings

    def _variant_at(
        self, tokens: tuple[str, ...], i: int
    ) -> tuple[int, tuple[str, tuple[str, ...], tuple[str, ...]] | None]:
        """The longest variant starting at ``tokens[i]``: (its length, its entry), or (0, None)."""
        for n in range(min(self._longest, len(tokens) - i), 0, -1):
            found = self._map.get(tokens[i : i + n])
            if found is not None:
                return n, found
        return 0, None
