"""The portfolio readers within the bounds of ``notifysdk.limits``.

A record past a bound is refused by line (field and bound named, never the value),
quickly and without being held whole; the records around it load. A header that is not
a header names no cell; a JSONL key that is not a field name is not printed either.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from notifysdk.campaign import BadRow, PortfolioRow, read_portfolio
from notifysdk.campaign.portfolio import CSV_COLUMNS
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.errors import InvalidInputError
from notifysdk.limits import (
    MAX_CONTACTS_PER_PERSON,
    MAX_JSON_DEPTH,
    MAX_PARTIES_PER_ACCOUNT,
    MAX_ROW_CHARS,
)
from notifysdk.testing import sample_account

PHONE = "+8613812345678"
NAME = "蔡晓敏"


def _flat(**cells: str) -> dict[str, str]:
    row = next(iter(synthetic_rows(1, seed=3)))
    row.update(phone=PHONE, debtor_name=NAME)
    row.update(cells)
    return row


def _csv(path: Path, rows: list[dict[str, str]], header: bool = True) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _report(path: Path) -> tuple[list[BadRow], int]:
    rows = list(read_portfolio(path))
    return [r for r in rows if isinstance(r, BadRow)], sum(
        isinstance(r, PortfolioRow) for r in rows
    )


def _no_value(bad: list[BadRow], *values: str) -> None:
    for b in bad:
        for v in values:
            assert v not in str(b), (v, str(b))


@pytest.mark.parametrize(
    ("cells", "field", "words"),
    [
        ({"overdue_amount": "1e28"}, "overdue_amount", "less than 10^15 (MAX_AMOUNT)"),
        ({"overdue_amount": "1E+1000000"}, "overdue_amount", "MAX_AMOUNT"),
        ({"principal": "-1E+1000000"}, "principal", "negative"),
        ({"principal": "NaN"}, "principal", "finite"),
        ({"principal": "-Infinity"}, "principal", "finite"),
        ({"penalty_interest": "1E-1000000"}, "penalty_interest", "MAX_AMOUNT_DECIMALS"),
        ({"principal": "9" * 5000}, "principal", "MAX_NUMBER_CHARS"),
        ({"days_overdue": "9" * 5000}, "days_overdue", "MAX_NUMBER_CHARS"),
        ({"days_overdue": "40000"}, "days_overdue", "MAX_DAYS_OVERDUE"),
        ({"debtor_name": NAME * 100}, "debtor_name", "MAX_NAME_CHARS"),
        ({"account_id": "A" * 200}, "account_id", "MAX_ID_CHARS"),
        ({"account_id": "ACC1\x1fD+1-sms"}, "account_id", "non-printable"),
        ({"debtor_id": "P1\u202e"}, "debtor_id", "non-printable"),
        ({"debtor_name": f"{NAME}\r\nBcc: x"}, "debtor_name", "control character"),
        ({"national_id": "3" * 100}, "national_id", "MAX_SHORT_TEXT_CHARS"),
        ({"time_zone": "America"}, "time_zone", "IANA"),
        ({"address_line1": "路" * 300}, "address_line1", "MAX_ADDRESS_LINE_CHARS"),
    ],
)
def test_a_csv_cell_past_a_bound_is_refused_naming_field_and_bound(
    tmp_path: Path, cells: dict[str, str], field: str, words: str
) -> None:
    path = _csv(tmp_path / "p.csv", [_flat(), _flat(**cells), _flat()])
    bad, good = _report(path)
    assert good == 2
    assert [(b.line, b.field) for b in bad] == [(3, field)], [str(b) for b in bad]
    assert words in bad[0].reason
    _no_value(bad, PHONE, NAME, *(v for v in cells.values() if len(v) >= 4))


def test_a_10_mb_cell_or_line_is_refused_fast_and_never_held_whole(tmp_path: Path) -> None:
    huge = "x" * 10_000_000
    csv_path = _csv(tmp_path / "p.csv", [_flat(), _flat(debtor_name=huge), _flat()])
    rows = [json.dumps(_flat()), json.dumps(_flat(debtor_name=huge)), json.dumps(_flat())]
    jsonl_path = _jsonl(tmp_path / "p.jsonl", rows)
    for path in (csv_path, jsonl_path):
        started = time.perf_counter()
        bad, good = _report(path)
        elapsed = time.perf_counter() - started
        assert good == 2 and len(bad) == 1, [str(b) for b in bad]
        assert bad[0].field == "<row>" and "MAX_ROW_CHARS" in bad[0].reason
        assert elapsed < 2.0, elapsed  # the base code took 18 s per such notice


def test_a_quoted_cell_that_never_closes_is_refused_in_bounded_time(tmp_path: Path) -> None:
    path = _csv(tmp_path / "p.csv", [_flat()])
    with path.open("a", encoding="utf-8") as f:
        f.write('ACC2,"never closed\n' + "line\n" * 200_000)
    started = time.perf_counter()
    bad, good = _report(path)
    assert time.perf_counter() - started < 10
    # Past the bound nothing tells where records resume: every later line is refused.
    assert good == 1 and bad[0].line == 3 and all(b.field == "<row>" for b in bad)


def test_a_header_row_longer_than_the_bound_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("account_id," + "x" * (MAX_ROW_CHARS + 1) + "\n", "utf-8")
    with pytest.raises(InvalidInputError, match="MAX_ROW_CHARS") as info:
        list(read_portfolio(tmp_path / "p.csv"))
    assert info.value.field == "portfolio.header"


def test_a_csv_without_its_header_names_columns_never_cells(tmp_path: Path) -> None:
    row = _flat(national_id="310101199001011234", email="hostile.row@example.cn")
    path = _csv(tmp_path / "p.csv", [row, _flat()], header=False)
    with pytest.raises(InvalidInputError) as info:
        list(read_portfolio(path))
    text = str(info.value)
    assert "header row missing" in text and "account_id" in text
    for value in (PHONE, NAME, "310101199001011234", "hostile.row@example.cn", row["account_id"]):
        assert value not in text, value


def test_a_header_typo_is_named_and_a_cell_that_is_no_column_name_only_counted(
    tmp_path: Path,
) -> None:
    header = [*CSV_COLUMNS[:-1], "address_contry", PHONE]
    (tmp_path / "p.csv").write_text(",".join(header) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        list(read_portfolio(tmp_path / "p.csv"))
    assert "address_contry" in info.value.reason and "1 other(s)" in info.value.reason
    assert PHONE not in str(info.value)


def test_a_header_that_swallowed_a_data_row_names_none_of_its_values(tmp_path: Path) -> None:
    # A stray quote before the header's line break joins the first data row to the
    # header (found by tests/fuzz): its debtor ID, account number and Latin name are
    # header cells then, and look like column names to a loose pattern.
    values = {"account_id": "ACCZ00000000", "debtor_id": "PZQ00000000"}
    row = _flat(**values, debtor_name="Zhang Wei")
    text = ",".join(CSV_COLUMNS[:-1]) + ',"' + CSV_COLUMNS[-1] + "\n"
    text += '"' + ",".join(row.get(c, "") for c in CSV_COLUMNS) + "\n"
    (tmp_path / "p.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        list(read_portfolio(tmp_path / "p.csv"))
    assert info.value.field == "portfolio.header" and "other(s)" in info.value.reason
    for value in (*values.values(), "Zhang Wei", PHONE, NAME):
        assert value not in str(info.value), value


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (_nested(30_000), f"deeper than {MAX_JSON_DEPTH}"),
        (_nested(MAX_JSON_DEPTH + 1), "MAX_JSON_DEPTH"),
        ("9" * 5000, "MAX_NUMBER_CHARS"),
        ("1" + "0" * 4400 + ".5", "MAX_NUMBER_CHARS"),
        ("NaN", "NaN is not JSON"),
        ("-Infinity", "-Infinity is not JSON"),
    ],
)
def test_a_jsonl_line_past_a_bound_is_refused_before_json_loads_chokes(
    tmp_path: Path, raw: str, words: str
) -> None:
    base = json.dumps(_flat(), ensure_ascii=False)
    hostile = base.replace('"overdue_amount": "', '"overdue_amount": ' + raw + ', "x": "', 1)
    path = _jsonl(tmp_path / "p.jsonl", [base, hostile, base])
    bad, good = _report(path)
    assert good == 2 and [(b.line, b.field) for b in bad] == [(2, "<row>")]
    assert words in bad[0].reason, bad[0].reason
    _no_value(bad, PHONE, NAME)


def test_a_full_jsonl_account_with_too_many_contacts_or_parties_is_refused(
    tmp_path: Path,
) -> None:
    full: dict[str, Any] = json.loads(sample_account(3).model_dump_json())
    person = full["debtor"]
    many_contacts = {
        **full,
        "debtor": {**person, "contacts": person["contacts"] * MAX_CONTACTS_PER_PERSON},
    }
    party = {"role": "guarantor", "person": person}
    many_parties = {**full, "parties": [party] * (MAX_PARTIES_PER_ACCOUNT + 1)}
    lines = [json.dumps(full), json.dumps(many_contacts), json.dumps(many_parties)]
    bad, good = _report(_jsonl(tmp_path / "p.jsonl", lines))
    assert good == 1
    assert [(b.line, b.field) for b in bad] == [(2, "debtor.contacts"), (3, "parties")]
    assert "MAX_CONTACTS_PER_PERSON" in bad[0].reason
    assert "MAX_PARTIES_PER_ACCOUNT" in bad[1].reason


def test_a_jsonl_key_that_is_a_personal_value_is_never_printed(tmp_path: Path) -> None:
    flat = {**_flat(), PHONE: NAME}
    full: dict[str, Any] = json.loads(sample_account(3).model_dump_json())
    full["debtor"][PHONE] = NAME
    full["debtor"]["contacts"][0]["kind"] = PHONE  # a value where the tag belongs
    bad, good = _report(_jsonl(tmp_path / "p.jsonl", [json.dumps(flat), json.dumps(full)]))
    assert good == 0 and len(bad) == 2
    assert "unknown key(s): 1 other(s)" in bad[0].reason
    _no_value(bad, PHONE, NAME)


def test_bytes_that_break_a_naive_reader_are_refused_by_row(tmp_path: Path) -> None:
    good = json.dumps(_flat(), ensure_ascii=False).encode()
    data = b"\xef\xbb\xbf" + good + b"\n\x00\x00\n" + good[:40] + b"\xff\n" + good + b"\r\n"
    (tmp_path / "p.jsonl").write_bytes(data)
    bad, ok = _report(tmp_path / "p.jsonl")
    assert ok == 2 and len(bad) == 2
