"""Portfolio input: CSV and JSONL streamed, validated row by row, bad rows named."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifysdk.campaign import BadRow, PortfolioRow, read_portfolio
from notifysdk.campaign.portfolio import CSV_COLUMNS, count_records
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.errors import InvalidInputError

# (column to spoil, bad value, the column the report must name, a word of the reason)
BAD_CELLS: list[tuple[str, str, str, str]] = [
    ("phone", "+86 12345", "phone", "E.164"),
    ("email", "bob@@example.com", "email", "invalid email"),
    ("email", "bob@example.com\nBcc: x@example.com", "email", "CR, LF"),
    ("principal", "-100.00", "principal", "negative"),
    ("overdue_amount", "lots", "overdue_amount", "decimal"),
    ("currency", "ZZZ", "currency", "ISO 4217"),
    ("due_date", "2026-02-30", "due_date", "date"),
    ("days_overdue", "ten", "days_overdue", "integer"),
    ("account_id", "", "account_id", "required"),
    ("locale", "xx-QQ", "locale", "unknown locale"),
    ("time_zone", "Mars/Olympus_Mons", "time_zone", "IANA"),
    ("phone_opted_out", "maybe", "phone_opted_out", "true or false"),
    ("states", "zombie", "states", "dispute"),
    ("debtor_name", "", "debtor_name", "required"),
]


def _rows(n: int) -> list[dict[str, str]]:
    return list(synthetic_rows(n, seed=7))


def _write(
    path: Path, rows: list[dict[str, str]], raw_lines: dict[int, bytes] | None = None
) -> None:
    """Write rows as CSV; ``raw_lines`` replaces given record indexes by raw bytes."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    out = bytearray(buf.getvalue().encode())
    for i, row in enumerate(rows):
        if raw_lines and i in raw_lines:
            out += raw_lines[i]
            continue
        buf = io.StringIO()
        csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n").writerow(row)
        out += buf.getvalue().encode()
    path.write_bytes(bytes(out))


def test_a_clean_file_streams_every_account(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    _write(path, _rows(50))
    rows = read_portfolio(path)
    assert isinstance(rows, Iterator)
    first = next(rows)
    assert isinstance(first, PortfolioRow) and first.line == 2
    rest = list(rows)
    assert all(isinstance(r, PortfolioRow) for r in rest) and len(rest) == 49
    assert count_records(path) == 50


def test_every_kind_of_bad_row_is_named_and_good_rows_are_unaffected(tmp_path: Path) -> None:
    good = _rows(40)
    clean = tmp_path / "clean.csv"
    _write(clean, good)
    expected = [r.account for r in read_portfolio(clean) if isinstance(r, PortfolioRow)]

    rows: list[dict[str, str]] = []
    spoiled: dict[int, tuple[str, str, str]] = {}  # record index → (column, reason word, value)
    raw: dict[int, bytes] = {}
    good_iter = iter(good)
    template = _rows(1)[0]
    for column, value, named, word in BAD_CELLS:
        rows.append(next(good_iter))
        spoiled[len(rows)] = (named, word, value)
        rows.append({**template, column: value})
    # wrong number of fields
    rows.append(next(good_iter))
    raw[len(rows)] = b"ACC9,LN9,Bank,,CNY\n"
    spoiled[len(rows)] = ("<row>", "expected 32 fields, found 5", "")
    rows.append({})
    # bytes that are not UTF-8, in the name
    rows.append(next(good_iter))
    bad_utf8 = dict(template, debtor_name="NAME_PLACEHOLDER")
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n").writerow(bad_utf8)
    raw[len(rows)] = buf.getvalue().encode().replace(b"NAME_PLACEHOLDER", b"\xff\xfe\xfa")
    spoiled[len(rows)] = ("debtor_name", "not valid UTF-8", "")
    rows.append({})
    rows.extend(good_iter)
    path = tmp_path / "bad.csv"
    _write(path, rows, raw)

    result = list(read_portfolio(path))
    bad = [r for r in result if isinstance(r, BadRow)]
    accounts = [r.account for r in result if isinstance(r, PortfolioRow)]
    assert accounts == expected  # the good rows are unaffected, in order
    assert len(bad) == len(spoiled) >= 10

    # Line numbers: record i starts on line i + 2 (header is line 1), except that the
    # email with an embedded newline occupies two lines, shifting every later record.
    text_lines = path.read_bytes().split(b"\n")
    for report, (index, (named, word, value)) in zip(bad, sorted(spoiled.items()), strict=True):
        assert report.field == named, str(report)
        assert word in report.reason, str(report)
        if value and len(value) >= 3:
            assert value not in report.reason and value not in str(report)
        line = text_lines[report.line - 1]
        if named == "<row>":
            assert line.startswith(b"ACC9,")
        elif named == "debtor_name" and "UTF-8" in word:
            assert b"\xff" in line
        else:
            assert template["loan_id"].encode() in line, (index, str(report))


def test_header_problems_raise_before_any_row(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("account_id,loan_id,phonee\nA,L,+8613800138000\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        list(read_portfolio(path))
    assert info.value.field == "portfolio.header"
    assert "missing required column(s)" in info.value.reason and "phonee" in info.value.reason
    with pytest.raises(InvalidInputError, match="no such file"):
        read_portfolio(tmp_path / "missing.csv")


def test_jsonl_full_and_flat_records(tmp_path: Path) -> None:
    from notifysdk.testing import sample_account

    full = json.loads(sample_account(3).model_dump_json())
    flat = _rows(1)[0]
    flat_typed = {
        **flat,
        "days_overdue": int(flat["days_overdue"]),
        "phone_opted_out": False,
        "profiles": ["cn"],
    }
    lines = [
        json.dumps(full, ensure_ascii=False),
        "",
        json.dumps(flat_typed, ensure_ascii=False),
        "{not json",
        "[1, 2]",
        json.dumps({**full, "currency": "ZZZ"}),
        json.dumps({**flat, "favourite_colour": "blue"}),
        json.dumps({k: v for k, v in flat.items() if k != "loan_id"}),
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = list(read_portfolio(path))
    assert [type(r).__name__ for r in result] == [
        "PortfolioRow",
        "PortfolioRow",
        "BadRow",
        "BadRow",
        "BadRow",
        "BadRow",
        "BadRow",
    ]
    assert result[0].line == 1 and result[1].line == 3
    bad = [r for r in result if isinstance(r, BadRow)]
    assert [(b.line, b.field) for b in bad] == [
        (4, "<row>"),
        (5, "<row>"),
        (6, "currency"),
        (7, "<row>"),
        (8, "loan_id"),
    ]
    assert "not valid JSON" in bad[0].reason
    assert "favourite_colour" in bad[3].reason
