"""Tables written as text — CSV, TSV or ``|``-separated exports pasted into a note or a
log: which cells stand under which header cell.

In ``name,ssn,dob`` / ``Emily Garcia,536904399,1990-03-07`` the label of a value is not
next to it but at the head of its column; :func:`columns` pairs each header cell with
the cells under it, so that label-anchored detectors can read a column as labelled.
Spans are into the text given (folded text: one code point for one code point).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_DELIMITERS = (",", "\t", "|", ";")
_LINE = re.compile(r"[^\r\n]+")
_MAX_HEADER = 40
"""A header cell longer than this is a value, not a column name."""


@dataclass(frozen=True)
class Column:
    """One header cell (stripped of spaces and quotes) and the spans of the cells under
    it, one per row that has a cell there."""

    header: str
    cells: tuple[tuple[int, int], ...]


def _delimiter(text: str, start: int, end: int) -> str | None:
    """The delimiter of the line ``text[start:end]``: the most frequent of
    :data:`_DELIMITERS` there (the first listed of those as frequent), ``None`` when it
    has none. Counted in place: no copy of the line."""
    found = None
    most = 0
    for d in _DELIMITERS:
        count = text.count(d, start, end)
        if count > most:  # strictly: a tie keeps the one listed first
            found, most = d, count
    return found


def _width(text: str, start: int, end: int, delimiter: str) -> int:
    """How many cells :func:`_cells` finds in ``text[start:end]``, without their spans:
    one more than the delimiters, where no double quote can hide one."""
    if text.find('"', start, end) < 0:  # _cells' common case: a cell per delimiter, +1
        return text.count(delimiter, start, end) + 1
    return len(_cells(text, start, end, delimiter))


def _cells(text: str, start: int, end: int, delimiter: str) -> list[tuple[int, int]]:
    """The spans of the cells of ``text[start:end]``, each without surrounding spaces or
    quotes; a delimiter inside double quotes does not split."""
    spans: list[tuple[int, int]] = []
    cell = start
    if text.find('"', start, end) < 0:  # the common case: split where the delimiters are
        i = text.find(delimiter, start, end)
        while i >= 0:
            spans.append(_strip(text, cell, i))
            cell = i + 1
            i = text.find(delimiter, cell, end)
        spans.append(_strip(text, cell, end))
        return spans
    quoted = False
    for i in range(start, end + 1):
        c = text[i] if i < end else delimiter
        if c == '"':
            quoted = not quoted
        elif c == delimiter and not quoted:
            spans.append(_strip(text, cell, i))
            cell = i + 1
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \"'":
        start += 1
    while end > start and text[end - 1] in " \"'":
        end -= 1
    return start, end


@lru_cache(maxsize=32)
def columns(text: str) -> tuple[Column, ...]:
    """Every column of every table in ``text``: a line of two or more cells followed by
    lines with the same delimiter and at least as many cells (a line with more, such as
    an amount written ``94,100.00`` unquoted, still counts). Cached: every labelled
    detector asks for the same text."""
    if "\n" not in text:
        return ()
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    out: list[Column] = []
    i = 0
    while i < len(lines) - 1:
        start, end = lines[i]
        delimiter = _delimiter(text, start, end)
        # Cells are counted before they are split: most lines head no table.
        width = _width(text, start, end, delimiter) if delimiter else 0
        rows: list[list[tuple[int, int]]] = []
        j = i + 1
        while delimiter and width >= 2 and j < len(lines):
            row_start, row_end = lines[j]
            if _width(text, row_start, row_end, delimiter) < width:
                break
            rows.append(_cells(text, row_start, row_end, delimiter))
            j += 1
        if not rows or not delimiter:  # (rows need a delimiter)
            i += 1
            continue
        header = _cells(text, start, end, delimiter)
        for k, (s, e) in enumerate(header):
            if 0 < e - s <= _MAX_HEADER:
                out.append(
                    Column(text[s:e], tuple(row[k] for row in rows if row[k][1] > row[k][0]))
                )
        i = j
    return tuple(out)


@lru_cache(maxsize=8)
def table_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The span of every table :func:`columns` reads in ``text``: from its header line's
    start to its last row's end (so a window of the text can keep each table whole)."""
    if "\n" not in text:
        return ()
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(lines) - 1:
        start, end = lines[i]
        delimiter = _delimiter(text, start, end)
        width = _width(text, start, end, delimiter) if delimiter else 0
        j = i + 1
        while delimiter and width >= 2 and j < len(lines):
            row_start, row_end = lines[j]
            if _width(text, row_start, row_end, delimiter) < width:
                break
            j += 1
        if j == i + 1:
            i += 1
            continue
        out.append((start, lines[j - 1][1]))
        i = j
    return tuple(out)
