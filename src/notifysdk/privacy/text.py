"""Text folding and digit-group shapes shared by the detectors.

People write numbers in full-width digits (１３８００１３８０００), with full-width plus
signs and dashes, no-break or ideographic spaces. :func:`fold` maps each of those
characters to its ASCII twin **one code point for one code point**, so a span found in
the folded text is the same span in the original. :func:`fold_digits` also reads Chinese
digits (一三八零…), for stretches already known to be numbers.

They also split numbers into groups with more than one space, a slash or a dot
(``138  0013  8000``, ``110101/19900307/1234``): :func:`spaced_stretches` finds those
stretches once per text for every number detector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from .stretches import number_stretches

# U+FF01..U+FF5E are the full-width forms of ASCII U+0021..U+007E.
_TABLE: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TABLE.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,  # no-break space
        0x202F: 0x20,  # narrow no-break space
        0x2010: 0x2D,  # hyphen
        0x2011: 0x2D,  # non-breaking hyphen
        0x2012: 0x2D,  # figure dash
        0x2013: 0x2D,  # en dash
        0x2014: 0x2D,  # em dash
        0x2212: 0x2D,  # minus sign
        0xFFE5: 0xA5,  # full-width yen sign -> ¥
    }
)


_FOLDABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")
_FOLDED = {chr(a): chr(b) for a, b in _TABLE.items()}
_SUB_BELOW = 1024
"""Shorter texts are folded character by character found: Chinese text nearly always
holds a few full-width marks (，：（), and replacing those few is five times cheaper than
``str.translate``, which looks every character up (some 50 ns each)."""
_SPLIT = re.compile(f"({_FOLDABLE.pattern})")
_SAMPLE = 512
_DENSE = 8
"""A long text whose first :data:`_SAMPLE` characters have more than one in
:data:`_DENSE` to fold (full-width digits throughout) is translated; any other has
its first :data:`_REPLACED_AT_MOST` distinct characters replaced as a short text's are,
and is split at any others (a letter of 5,000 characters holds about a hundred
full-width marks of one to three kinds: many times cheaper than ``translate``). All
give the same text."""
_REPLACED_AT_MOST = 8
"""Distinct characters of a long, sparse text replaced one ``str.replace`` each (each
scans the whole text) before the rest is split at."""


_ASSEMBLED: dict[str, str] = {}
"""Folded forms put together from already folded pieces (:func:`remember_fold`)."""
_ASSEMBLED_MAX = 8


def remember_fold(text: str, folded: str) -> None:
    """Record ``folded`` as :func:`fold` of ``text``, which the caller put together from
    folded pieces (folding is one code point for one, so the fold of a concatenation is
    the concatenation of the folds): the redactor does so for a masked text, which every
    detector of the leak guard folds again."""
    if text.isascii():
        return
    if len(_ASSEMBLED) >= _ASSEMBLED_MAX:
        _ASSEMBLED.clear()
    _ASSEMBLED[text] = folded


@lru_cache(maxsize=32)
def fold(text: str) -> str:
    """``text`` with full-width and look-alike characters mapped to ASCII, same length."""
    if text.isascii():  # the common case, much cheaper
        return text
    assembled = _ASSEMBLED.pop(text, None)
    if assembled is not None:
        return assembled
    if len(text) < _SUB_BELOW:
        # One str.replace per distinct character found, not a Python call per match
        # (a fifth cheaper); no character folds to one that folds again, so the next
        # one left is after the one just replaced (a search from there: cheaper than
        # collecting every match first).
        m = _FOLDABLE.search(text)
        while m is not None:
            c = m.group()
            text = text.replace(c, _FOLDED[c])
            m = _FOLDABLE.search(text, m.end())
        return text
    if len(_FOLDABLE.findall(text, 0, _SAMPLE)) * _DENSE > _SAMPLE:
        return text.translate(_TABLE)
    # The same for the first few distinct characters of a long text (a letter's few
    # full-width marks: half the time of the split); any left are split at.
    m = _FOLDABLE.search(text)
    for _ in range(_REPLACED_AT_MOST):
        if m is None:
            return text
        c = m.group()
        text = text.replace(c, _FOLDED[c])
        m = _FOLDABLE.search(text, m.end())
    if m is None:
        return text
    parts = _SPLIT.split(text)
    parts[1::2] = [_FOLDED[c] for c in parts[1::2]]
    return "".join(parts)


CASE_ODD = re.compile("[\u0130\u0131\u017f\u212a]")
"""The only characters IGNORECASE matches to an ASCII letter besides its two cases
(İ ı for i, ſ for s, the Kelvin sign for k); İ also lower-cases to two characters. A
lower-cased copy searched without IGNORECASE finds what the pattern would, unless the
text holds one of them."""

# -- Chinese digits ---------------------------------------------------------------------

CN_DIGITS = "零〇一幺二三四五六七八九"
"""Chinese characters people read digit by digit (幺 is 1 said aloud, 〇 a written 0)."""
_DIGIT_TABLE: dict[int, int] = {
    **_TABLE,
    **{ord(c): ord(d) for c, d in zip(CN_DIGITS, "001123456789", strict=True)},
}


def fold_digits(text: str) -> str:
    """:func:`fold` with Chinese digits (一三八零…) as ASCII digits too, same length.

    Only for a stretch already known to be a number: 一 is also "one", "a" and part of
    countless words, so the detectors' look-arounds must not see it as a digit. Not
    cached (stretches rarely repeat; :func:`fold`'s cache is kept for whole texts)."""
    # No ASCII character is in the table: an ASCII text is its own translation, and
    # translating it costs a dictionary look-up per distinct character (some 20 ns each).
    return text if text.isascii() else text.translate(_DIGIT_TABLE)


_NOT_DIGITS = re.compile("[^0-9]+")


def digits_of(text: str) -> str:
    """The digits of ``text`` (after folding; Chinese digits count), in order."""
    # Every character but 0-9 removed in one substitution, not one Python step each.
    return _NOT_DIGITS.sub("", fold_digits(text))


# -- digit groups joined by wide separators ----------------------------------------------

_SEP = r"(?:[ \t]{1,3}|[ \t]?[-/.][ \t]?)"
_GROUPED = re.compile(rf"(?<![0-9])[0-9]+(?:{_SEP}[0-9]+)+(?:[Xx](?![0-9A-Za-z]))?(?![0-9])")
_COARSE = re.compile(r"[0-9][0-9 \t/.-]{11,}[0-9]")
"""Digits and separator characters, long enough for eleven digits: one character-class
scan, much cheaper than :data:`_GROUPED`, which then runs inside the few it finds."""
_WIDE = re.compile(r"  |[\t/.]| -|- ")
_SHORTEST = 11
"""No detector wants a stretch of fewer digits (a mobile number)."""
_DIGITS = re.compile(r"[0-9]+")
_CHAIN = frozenset({".", "/"})
"""Separators that chain a whole value (a date, an IP address, a version): a stretch is
never cut out of a longer chain at one of them."""


@dataclass(frozen=True)
class Stretch:
    """Whole digit groups of one run, joined by at least one wide separator."""

    start: int
    end: int
    digits: str
    """The groups' digits, concatenated (a trailing ``X`` included, upper-cased)."""
    sizes: tuple[int, ...]


_Run = tuple[tuple[tuple[int, int], ...], tuple[str, ...], bool]
"""(group spans, the separators between them, whether an ``X`` ends the run)."""


def _is_narrow(sep: str) -> bool:
    return sep in (" ", "-")


@lru_cache(maxsize=16)
def _runs(folded: str) -> tuple[_Run, ...]:
    """Every run of digit groups with a wide separator and eleven digits or more.
    Cached: three detectors ask for the same text."""
    out: list[_Run] = []
    # A run's groups and separators are number punctuation, so it lies in one number
    # stretch (cached per text, as the detectors' gates read it), between the stretch's
    # first and last digit, and its wide separator and eleven digits with it: only such
    # stretches are searched, not the whole text.
    for first, last, digits in number_stretches(folded):
        if digits < _SHORTEST or _WIDE.search(folded, first, last) is None:
            continue
        for coarse in _COARSE.finditer(folded, first, last):
            if _WIDE.search(folded, coarse.start(), coarse.end()) is None:
                continue  # single spaces and dashes: the detectors' own patterns see these
            # Two more characters: a trailing X and what follows it.
            for run in _GROUPED.finditer(folded, coarse.start(), coarse.end() + 2):
                split = _split(folded, run)
                if split is not None:
                    out.append(split)
    return tuple(out)


def _split(folded: str, run: re.Match[str]) -> _Run | None:
    """A run's groups and separators, or ``None`` when it is no use to any detector."""
    if run.end() - run.start() < _SHORTEST:
        return None
    body = run.group()
    groups = tuple((run.start() + m.start(), run.start() + m.end()) for m in _DIGITS.finditer(body))
    if sum(b - a for a, b in groups) < _SHORTEST:
        return None
    seps = tuple(folded[a[1] : b[0]] for a, b in pairwise(groups))
    if all(_is_narrow(s) for s in seps):
        return None
    return groups, seps, body[-1] in "Xx"


def has_spaced_runs(folded: str) -> bool:
    """May :func:`spaced_stretches` find anything in ``folded`` (for any lengths)?
    (Cached with it: the detectors that ask then reuse the runs.)"""
    return bool(_runs(folded))


def spaced_stretches(folded: str, lengths: frozenset[int]) -> list[Stretch]:
    """Every stretch of whole digit groups in ``folded`` with a digit count in
    ``lengths`` that :func:`fold`-aware single-separator patterns miss: groups joined by two
    or three spaces, a tab, a slash, a dot or a dash with spaces (``138  0013  8000``,
    ``138/0013/8000``, ``110101/19900307/1234``), alone or mixed with single separators.

    A stretch never starts or ends at a bare dot or slash (``2026/03/07``, ``10.0.0.138``
    and ``v1.2.3`` are never cut into a number), and needs a wide separator inside. A run's
    trailing ``X`` counts as a digit for the stretch ending there (resident IDs). Runs of
    fewer than eleven digits are dropped first: ``lengths`` below that find nothing."""
    runs = _runs(folded)
    if not runs:  # the common case: no call overhead beyond the cache look-up
        return []
    longest = max(lengths, default=0)
    out: list[Stretch] = []
    for groups, seps, ends_x in runs:
        n = len(groups)
        for i in range(n):
            if i > 0 and not _cuttable(seps[i - 1]):
                continue
            total = 0
            wide = False
            for j in range(i, n):
                total += groups[j][1] - groups[j][0]
                if j > i:
                    wide = wide or not _is_narrow(seps[j - 1])
                x = ends_x and j == n - 1
                if total + x > longest:
                    break
                if not wide or total + x not in lengths:
                    continue
                if j < n - 1 and not _cuttable(seps[j]):
                    continue
                start, end = groups[i][0], groups[j][1] + x
                sizes = tuple(b - a for a, b in groups[i : j + 1])
                digits = "".join(folded[a:b] for a, b in groups[i : j + 1]) + ("X" if x else "")
                out.append(Stretch(start, end, digits, sizes))
    return out


def _cuttable(sep: str) -> bool:
    """May a stretch end at this separator? Not at a bare dot or slash (see above); a
    sentence's full stop has a space after it."""
    return sep not in _CHAIN
