"""Tables are found counting cells in place (:func:`~notifysdk.privacy.tables._width`,
a line's delimiter counted without a copy of it) and splitting only the lines of a
table: :func:`columns` and :func:`table_spans` must give what they gave splitting every
line, written out here as they were."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from pii_corpus import corpus

from notifysdk.privacy import tables
from notifysdk.privacy.tables import Column, columns, table_spans
from notifysdk.privacy.text import fold

_LINE = re.compile(r"[^\r\n]+")


def _delimiter(line: str) -> str | None:
    counts = [(line.count(d), -i, d) for i, d in enumerate(tables._DELIMITERS)]
    count, _, delimiter = max(counts)
    return delimiter if count else None


def plain_columns(text: str) -> tuple[Column, ...]:
    if "\n" not in text:
        return ()
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    out: list[Column] = []
    i = 0
    while i < len(lines) - 1:
        start, end = lines[i]
        delimiter = _delimiter(text[start:end])
        header = tables._cells(text, start, end, delimiter) if delimiter else []
        rows: list[list[tuple[int, int]]] = []
        j = i + 1
        while delimiter and len(header) >= 2 and j < len(lines):
            row_start, row_end = lines[j]
            cells = tables._cells(text, row_start, row_end, delimiter)
            if len(cells) < len(header):
                break
            rows.append(cells)
            j += 1
        if not rows:
            i += 1
            continue
        for k, (s, e) in enumerate(header):
            if 0 < e - s <= tables._MAX_HEADER:
                out.append(
                    Column(text[s:e], tuple(row[k] for row in rows if row[k][1] > row[k][0]))
                )
        i = j
    return tuple(out)


def plain_table_spans(text: str) -> tuple[tuple[int, int], ...]:
    if "\n" not in text:
        return ()
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(lines) - 1:
        start, end = lines[i]
        delimiter = _delimiter(text[start:end])
        width = len(tables._cells(text, start, end, delimiter)) if delimiter else 0
        j = i + 1
        while delimiter and width >= 2 and j < len(lines):
            row_start, row_end = lines[j]
            if len(tables._cells(text, row_start, row_end, delimiter)) < width:
                break
            j += 1
        if j == i + 1:
            i += 1
            continue
        out.append((start, lines[j - 1][1]))
        i = j
    return tuple(out)


def _same(text: str) -> None:
    assert columns.__wrapped__(text) == plain_columns(text), text
    assert table_spans.__wrapped__(text) == plain_table_spans(text), text


CHARS = st.sampled_from([",", "\t", "|", ";", '"', "'", " ", "\n", "\r", "a", "b", "1", "张"])


@settings(max_examples=400, deadline=None)
@given(st.text(CHARS, max_size=80))
def test_tables_as_before_on_delimiter_soup(text: str) -> None:
    _same(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["name", "ssn", '"1,2"', "", " x ", "536904399", '"']), max_size=5
        ),
        max_size=6,
    ),
    st.sampled_from(tables._DELIMITERS),
)
def test_tables_as_before_on_csv_like_text(rows: list[list[str]], delimiter: str) -> None:
    _same("\n".join(delimiter.join(row) for row in rows))


PROSE = (
    "您好，您的借款已逾期12天，请尽快还款。",
    "如有疑问请联系客服，工作日9:00-18:00。",
    "Your payment is 12 days overdue. ",
    "name,ssn,dob",
    "Emily Garcia,536904399,1990-03-07",
    'a|b|"c|d"',
    "x;y;z",
    "\t".join(("col", "val", "more")),
)


def test_tables_as_before_on_letters_and_notes() -> None:
    rng = random.Random(7)
    texts = [s.text for s in corpus()]
    for _ in range(60):  # letters of a few dozen lines, commas on nearly every one
        lines = ["".join(rng.choices(PROSE, k=rng.randrange(1, 4))) for _ in range(40)]
        texts.append("\n".join(lines))
    for text in texts:
        _same(fold(text))
        _same(text)
