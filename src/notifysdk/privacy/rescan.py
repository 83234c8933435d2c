"""Where the leak guard must look again after masking.

A masked text differs from its input only inside the replaced spans, and a detector's
verdict on a value depends on the value and its surroundings only up to a bounded reach
(the longest, the e-mail detector's Message-ID check, reads 300 characters back). So
what the guard could newly find lies near a replacement: :func:`windows` gives, for a
long text, the stretches to scan again, each a replacement with :data:`NEAR` characters
each side (the part whose findings count) inside :data:`MARGIN` characters of context,
widened to whole lines and up to the top of any table it is in (a column's header may
stand far above the cell it labels). Short texts are scanned whole: cheap anyway, and
the windows would cover them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .phones import _LABEL_FIELD as _PHONE_FIELD  # the CSV header a phone cell needs
from .phones import csv_header_top
from .tables import _DELIMITERS, table_spans
from .text import fold

NEAR = 320
"""Findings that start or end this close to a replacement count (more than the longest
reach of any built-in detector)."""
MARGIN = 2 * NEAR
"""Context around each replacement, so that a finding near it sees all it would see in
the whole text."""
WHOLE_BELOW = 4 * MARGIN
"""Texts shorter than this are scanned again whole."""


def _header_top(folded: str, ls: int) -> int:
    """The line start ``ls`` moved up as far as the phone detector's search for a CSV
    header could go from any line below it (:func:`~.phones.csv_header_top`). Not moved
    when no line of that run names a phone: then
    whichever of them a search takes for the header, it labels no cell a phone (prose
    in Chinese has a comma, ，, on nearly every line)."""
    top = csv_header_top(folded, ls)
    if top == ls:
        return ls
    le = folded.find("\n", ls)
    # The label pattern never spans a line break, so one search covers every line.
    if _PHONE_FIELD.search(folded, top, len(folded) if le < 0 else le) is None:
        return ls
    return top


def windows(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """The stretches of ``text`` to scan again around the replaced ``spans`` (sorted,
    disjoint, in ``text``), merged; ``None`` when the text should be scanned whole."""
    if len(text) < WHOLE_BELOW or "\r" in text:
        return None
    folded = fold(text)
    size = len(folded)
    lines = "\n" in folded  # one line: no table anywhere
    out: list[tuple[int, int]] = []
    for start, end in spans:
        lo, hi = max(0, start - MARGIN), min(size, end + MARGIN)
        if lines:
            lo, hi = _line_start(folded, lo), _line_end(folded, hi)
        while out and lo <= out[-1][1]:  # a table's top may reach over earlier windows
            prev_lo, prev_hi = out.pop()
            lo, hi = min(lo, prev_lo), max(hi, prev_hi)
        out.append((lo, hi))
    if sum(hi - lo for lo, hi in out) * 2 > len(text):
        return None  # most of the text: one whole scan costs less
    return out


def _delimited(folded: str, ls: int) -> bool:
    """Has the line starting at ``ls`` a cell delimiter (could it be in a table)?"""
    le = folded.find("\n", ls)
    line = folded[ls : len(folded) if le < 0 else le]
    return any(d in line for d in _DELIMITERS)


def _line_start(folded: str, lo: int) -> int:
    """Where a window reaching back to ``lo`` must start so that every line in it reads
    as in the whole text: ``lo`` itself inside a line without a delimiter (such a line
    ends any table and heads none); otherwise a line start above every CSV header the
    phone detector could look for, and never inside a table (its header is needed)."""
    ls = folded.rfind("\n", 0, lo) + 1
    if ls < lo and not _delimited(folded, ls):
        return lo
    top = _header_top(folded, ls)
    for start, end in table_spans(folded):
        if start < top <= end:
            return start
    return top


def _line_end(folded: str, hi: int) -> int:
    """Where a window reaching forward to ``hi`` must end: the end of a line that may be
    a table's row (a cut row has fewer cells, and would not count as one)."""
    ls = folded.rfind("\n", 0, hi) + 1
    if hi == len(folded) or folded[hi] == "\n" or not _delimited(folded, ls):
        return hi
    le = folded.find("\n", hi)
    return len(folded) if le < 0 else le


__all__ = ["MARGIN", "NEAR", "WHOLE_BELOW", "windows"]
