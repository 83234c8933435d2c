"""A table's cells are split as the quote-aware reading splits them, whether or not the
line has quotes (a line without one is split at its delimiters directly)."""

from __future__ import annotations

import random

import pytest

from notifysdk.privacy import tables


def _cells_char_by_char(text: str, start: int, end: int, delimiter: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cell = start
    quoted = False
    for i in range(start, end + 1):
        c = text[i] if i < end else delimiter
        if c == '"':
            quoted = not quoted
        elif c == delimiter and not quoted:
            spans.append(tables._strip(text, cell, i))
            cell = i + 1
    return spans


@pytest.mark.parametrize("delimiter", tables._DELIMITERS)
def test_cells_as_read_character_by_character(delimiter: str) -> None:
    rng = random.Random(ord(delimiter))
    alphabet = "ab 中,;|\t'1" + ('"' if delimiter != "," else "")
    quotes = 0
    for n in range(20000):
        line = "".join(rng.choice(alphabet + ('"' if n % 3 == 0 else "")) for _ in range(40))
        quotes += '"' in line
        for start, end in ((0, len(line)), (3, len(line) - 2), (5, 5)):
            expected = _cells_char_by_char(line, start, end, delimiter)
            assert tables._cells(line, start, end, delimiter) == expected, (line, start, end)
    assert 0 < quotes < 20000  # both paths ran


def test_a_quoted_delimiter_does_not_split() -> None:
    line = 'name,"Garcia, Emily",536904399'
    assert [line[s:e] for s, e in tables._cells(line, 0, len(line), ",")] == [
        "name",
        "Garcia, Emily",
        "536904399",
    ]
    line = "name, ssn ,dob"
    assert [line[s:e] for s, e in tables._cells(line, 0, len(line), ",")] == ["name", "ssn", "dob"]
