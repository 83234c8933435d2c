"""A span-preserving normaliser: one form for the many ways one value is written.

People write a name or an address with spaces or a middle dot between its characters
(张 伟, 阿依·古丽), in full-width forms, in Traditional characters (張偉), in any letter
case, or inside a JSON fragment as ``\\u5f20\\u4f1f``. :func:`normalize` maps a text to
one form, and :meth:`Normalized.span` maps a span found in that form back to the span of
the **original** text that it came from, so a finding always points at what was written.

The steps, in order:

1. JSON ``\\uXXXX`` escapes (and surrogate pairs) become the character they stand for.
2. One code point for one code point: full-width and look-alike forms fold to ASCII
   (:func:`~notifysdk.privacy.text.fold`), Traditional characters become Simplified (a
   character map built once from OpenCC's ``t2s`` dictionaries, so no phrase rewrite
   can change a length), and the text is lower-cased.
3. Whitespace and middle dots (· ・ • ‧ ．) between two CJK characters are dropped;
   any other run of whitespace becomes one space.

:func:`normalize_value` applies the same steps to a known value (a needle).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .text import fold

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
"""The CJK ideograph ranges (a regex character-class body)."""

_CJK_CHARS = re.compile(f"[{CJK}]")

_ESCAPE = re.compile(
    r"\\u(?:([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|([0-9a-fA-F]{4}))"
)
"""A JSON escape: a surrogate pair (groups 1, 2) or one code unit (group 3)."""

_SPACING = re.compile(
    r"(?=[\s\u00b7\u30fb\u2022\u2027\uff65.])"  # both start so: the engine skips to it
    rf"(?:(?P<gap>(?<=[{CJK}])[\s\u00b7\u30fb\u2022\u2027\uff65.]+(?=[{CJK}]))"
    r"|(?P<ws>\s{2,}))"
)
"""Dots and whitespace between two CJK characters (dropped), other whitespace runs."""

_CONTROL_SPACE = re.compile(r"[\t\n\r\f\v]")
"""One for one: a tab or line break reads as a space (re.sub with a string: no Python
call per match)."""
_WS_RUN = re.compile(r"\s\s")
_GAP = re.compile(rf"[{CJK}][\s\u00b7\u30fb\u2022\u2027\uff65.]+[{CJK}]")
"""The two ways :data:`_SPACING` can match, each a pattern that starts with a set of
characters (which the engine skips to), unlike its look-behind."""
_GAP_CHARS = (" ", "\u00b7", "\u30fb", "\u2022", "\u2027", "\uff65", ".")
"""What stands between the two CJK characters of a gap in a printable text."""


def _needs_spacing(text: str) -> bool:
    """False exactly when :data:`_SPACING` matches nowhere, so step 3 would change
    nothing."""
    # A printable text's only whitespace is the ASCII space (every other whitespace
    # character is a separator or a control, which str.isprintable rejects): then a
    # substring test finds a run, in a tenth of the regular expression's time.
    if text.isprintable():
        return "  " in text or _has_gap(text)
    if _WS_RUN.search(text) is not None:
        return True
    return not text.isascii() and _GAP.search(text) is not None


@dataclass(frozen=True, slots=True)
class _Edits:
    """One step that changed lengths: output chars ``[out[k], out[k] + out_len[k])``
    came from input chars ``[src[k], src[k] + src_len[k])``; elsewhere one for one."""

    out: tuple[int, ...]
    out_len: tuple[int, ...]
    src: tuple[int, ...]
    src_len: tuple[int, ...]

    def start(self, i: int) -> int:
        """Where output character ``i`` starts in the input."""
        k = bisect_right(self.out, i) - 1
        if k < 0:
            return i
        if i < self.out[k] + self.out_len[k]:
            return self.src[k]
        return self.src[k] + self.src_len[k] + i - self.out[k] - self.out_len[k]

    def end(self, i: int) -> int:
        """Where output character ``i`` ends in the input."""
        k = bisect_right(self.out, i) - 1
        if k >= 0 and i < self.out[k] + self.out_len[k]:
            return self.src[k] + self.src_len[k]
        return self.start(i) + 1


@dataclass(frozen=True, slots=True, repr=False)
class Normalized:
    """A text in normal form, and the way back to the original's spans."""

    original: str
    text: str
    """The normal form (what detectors search)."""
    steps: tuple[_Edits, ...] = ()
    """The steps that changed lengths, in the order they were applied."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``text[start:end]`` came from."""
        if end <= start or not self.steps:  # no step changed a length: the same span
            return start, end
        for step in reversed(self.steps):
            start, end = step.start(start), step.end(end - 1)
        return start, end


def _decode_escape(m: re.Match[str]) -> str:
    if m.group(3) is None:
        hi, lo = int(m.group(1), 16), int(m.group(2), 16)
        return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    cp = int(m.group(3), 16)
    # A lone surrogate cannot be decoded: keep the escape as written.
    return m.group(0) if 0xD800 <= cp <= 0xDFFF else chr(cp)


def decode_escapes(value: str) -> str:
    """``value`` with its JSON ``\\uXXXX`` escapes decoded (lone surrogates kept)."""
    return _ESCAPE.sub(_decode_escape, value) if "\\u" in value else value


def _rewrite(
    text: str, pattern: re.Pattern[str], repl: dict[str, str] | None
) -> tuple[str, _Edits]:
    """``text`` with each match of ``pattern`` replaced, and the edits that maps back."""
    out: list[str] = []
    o_pos: list[int] = []
    o_len: list[int] = []
    s_pos: list[int] = []
    s_len: list[int] = []
    last = 0
    n = 0
    for m in pattern.finditer(text):
        out.append(text[last : m.start()])
        n += m.start() - last
        piece = _decode_escape(m) if repl is None else repl[m.lastgroup or ""]
        out.append(piece)
        last = m.end()
        if len(piece) == m.end() - m.start():  # one for one: nothing to map back
            n += len(piece)
            continue
        o_pos.append(n)
        o_len.append(len(piece))
        s_pos.append(m.start())
        s_len.append(m.end() - m.start())
        n += len(piece)
    out.append(text[last:])
    return "".join(out), _Edits(tuple(o_pos), tuple(o_len), tuple(s_pos), tuple(s_len))


def _has_gap(text: str) -> bool:
    """May :data:`_SPACING` match a gap (dots or spaces between two CJK characters) in
    the printable ``text``? ``False`` exactly when it matches none."""
    if text.isascii():
        return False
    for c in _GAP_CHARS:  # a gap needs one of its characters: without any, no search
        if c in text:
            return _GAP.search(text) is not None
    return False


_SPACES = re.compile("   *")
"""A run of two spaces or more (what :data:`_SPACING`'s ``ws`` finds in a printable
text), written to start with a literal prefix."""


def _squeeze(text: str) -> tuple[str, _Edits]:
    """``_rewrite(text, _SPACING, _REPL)`` for a printable ``text`` with no gap: each run
    of two spaces or more becomes one."""
    spans = [m.span() for m in _SPACES.finditer(text)]
    out: list[int] = []
    shift = 0
    for a, b in spans:
        out.append(a - shift)
        shift += b - a - 1
    return _SPACES.sub(" ", text), _Edits(
        tuple(out), (1,) * len(spans), tuple(a for a, _b in spans), tuple(b - a for a, b in spans)
    )


@lru_cache(maxsize=1)
def _t2s() -> tuple[dict[int, int], re.Pattern[str]]:
    """The Traditional → Simplified character map (first candidate of OpenCC's ``t2s``
    character dictionaries) and a pattern that finds any character it changes."""
    import opencc  # imported on first use: building the map takes ~10 ms

    chars = [
        chr(c)
        for lo, hi in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
        for c in range(lo, hi)
    ]
    # One character per line: no phrase can span two, so the result is per character.
    converted = str(opencc.OpenCC("t2s").convert("\n".join(chars))).split("\n")
    table = {
        ord(a): ord(b) for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1
    }
    return table, re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


def simplified_map() -> dict[int, int]:
    """The Traditional → Simplified character map :func:`to_simplified` applies (code
    point → code point, one for one; built from OpenCC on first use). A copy: callers
    may adjust it."""
    return dict(_t2s()[0])


def to_simplified(text: str) -> str:
    """``text`` with each Traditional character replaced by its Simplified form (same
    length)."""
    table, pattern = _t2s()
    return text.translate(table) if pattern.search(text) else text


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lower(text: str) -> str:
    lowered = text.lower()
    # Only a few characters (İ) lower-case to two; then keep the spans: ASCII only.
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


_REPL = {"gap": "", "ws": " "}


@lru_cache(maxsize=16)
def normalize(text: str) -> Normalized:
    """``text`` in normal form, with the map back to its spans (cached: several
    detectors ask for the same text)."""
    steps: list[_Edits] = []
    current = text
    if "\\u" in current:
        current, edits = _rewrite(current, _ESCAPE, None)
        if edits.out:
            steps.append(edits)
    current = _lower(to_simplified(fold(current)))
    # Tabs and line breaks are controls: a printable text has none (one C loop, cheaper
    # than the search).
    printable = current.isprintable()
    if not printable and _CONTROL_SPACE.search(current) is not None:
        current = _CONTROL_SPACE.sub(" ", current)
        printable = current.isprintable()
    if printable and not _has_gap(current):
        # Only runs of spaces to squeeze (a printable text's only whitespace): found by
        # their two-space prefix, which the engine skips to, not by :data:`_SPACING`
        # tried at every character (three fifths of the time on a message, a quarter
        # on a letter's many line ends).
        if "  " in current:
            current, edits = _squeeze(current)
            steps.append(edits)
    elif printable or _needs_spacing(current):  # a gap, or not printable
        current, edits = _rewrite(current, _SPACING, _REPL)
        if edits.out:
            steps.append(edits)
    return Normalized(text, current, tuple(steps))


_fold = fold.__wrapped__
"""The folding of :func:`~notifysdk.privacy.text.fold` without its cache, which is
kept for whole texts (several detectors fold the same one)."""


def _space(m: re.Match[str]) -> str:
    return _REPL[m.lastgroup or ""]


def _normal_text(text: str) -> str:
    """``normalize(text).text``, without the map back and without touching the caches
    of :func:`normalize` and :func:`~notifysdk.privacy.text.fold` (an account's values
    are new with every account: they would push out the texts being scanned)."""
    if "\\u" in text:
        text = _ESCAPE.sub(_decode_escape, text)  # what _rewrite puts together
    # No ASCII character folds, none is Traditional, none lowers to two.
    text = text.lower() if text.isascii() else _lower(to_simplified(_fold(text)))
    if not text.isprintable() and _CONTROL_SPACE.search(text) is not None:
        text = _CONTROL_SPACE.sub(" ", text)
    if _needs_spacing(text):
        text = _SPACING.sub(_space, text)
    return text


@lru_cache(maxsize=4096)
def normalize_value(value: str) -> str:
    """A known value in the same normal form as :func:`normalize` gives a text, without
    leading or trailing whitespace."""
    return _normal_text(value.strip()).strip()


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a CJK ideograph."""
    return not text.isascii() and _CJK_CHARS.search(text) is not None


def is_cjk(ch: str) -> bool:
    """True when the single character ``ch`` is a CJK ideograph."""
    return (
        "\u4e00" <= ch <= "\u9fff"
        or "\u3400" <= ch <= "\u4dbf"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U0002ebef"
    )
