"""The CSV path of a printable row builds what the checked path builds.

:func:`notifysdk.campaign.fast_rows.fast_csv_account` may answer only what
:func:`~notifysdk.campaign.fast_rows.fast_account` answers for ``dict(zip(header,
cells))`` (the same field values, of the same types, the same ``model_fields_set``), or
``None``; and :func:`~notifysdk.campaign.portfolio.validate_record` answers, row for
row, what the dict path (``_validate_flat``) answers, refusals included.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from notifysdk import limits
from notifysdk.campaign import fast_rows
from notifysdk.campaign.fast_rows import fast_account, fast_csv_account
from notifysdk.campaign.portfolio import (
    CSV_COLUMNS,
    BadRow,
    CsvRecord,
    PortfolioRow,
    _validate_flat,
    validate_record,
)
from notifysdk.campaign.synthetic import synthetic_rows

HEADER = tuple(CSV_COLUMNS)


def _shape(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return (
            type(value).__name__,
            sorted(value.model_fields_set),
            [(k, _shape(v)) for k, v in value.__dict__.items()],
        )
    if isinstance(value, tuple | list):
        return [type(value).__name__, *(_shape(v) for v in value)]
    if isinstance(value, frozenset):
        return sorted(repr(v) for v in value)
    return (type(value).__name__, repr(value))


def _row_shape(row: PortfolioRow | BadRow) -> Any:
    if isinstance(row, BadRow):
        return ("bad", row.line, row.field, row.reason)
    return ("ok", row.line, _shape(row.account), row.account.model_dump_json())


def _agree(header: tuple[str, ...], cells: list[str]) -> bool:
    """Hold both functions to the dict path; True when the CSV path answered."""
    fast = fast_csv_account(header, list(cells))
    if fast is not None:
        slow = fast_account(dict(zip(header, cells, strict=True)))
        assert slow is not None
        assert _shape(fast) == _shape(slow)
        assert fast == slow and hash(fast) == hash(slow)
        assert fast.model_dump_json() == slow.model_dump_json()
    record = CsvRecord(7, header, list(cells))
    flat = _validate_flat(7, dict(zip(header, cells, strict=True)))
    assert _row_shape(validate_record(record)) == _row_shape(flat)
    return fast is not None


def _cells(seed: int = 7, changes: dict[str, str] | None = None, **more: str) -> list[str]:
    row = next(synthetic_rows(1, seed=seed))
    row.update(changes or {}, **more)
    return [row[c] for c in HEADER]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_rows_take_the_csv_path_and_build_the_same_account(seed: int) -> None:
    rows = list(synthetic_rows(300, seed=seed, us_share=0.5))
    assert all(_agree(HEADER, [row[c] for c in HEADER]) for row in rows)


@pytest.mark.parametrize(
    "changes",
    [
        {"debtor_name": "A\u202eB"},  # a bidi override: refused by the name check
        {"debtor_name": "王\u200b伟"},  # zero width: a format character
        {"account_id": "A\x1fB"},
        {"institution": "Bank\u2028"},
        {"city": "上海\u3000"},  # an ideographic space ends the cell: stripped by both
        {"debtor_name": "\xa0Zhang Wei"},
        {"phone_opted_out": "\ttrue"},
        {"debtor_name": "x" * limits.MAX_NAME_CHARS},
        {"debtor_name": "x" * (limits.MAX_NAME_CHARS + 1)},
        {"account_id": "A" * limits.MAX_ID_CHARS},
        {"account_id": "A" * (limits.MAX_ID_CHARS + 1)},
        {"loan_id": "L" * (limits.MAX_ID_CHARS + 1)},
        {"debtor_id": "P" * (limits.MAX_ID_CHARS + 1)},
        {"institution": "I" * (limits.MAX_NAME_CHARS + 1)},
        {"agency": "G" * (limits.MAX_NAME_CHARS + 1)},
        {"national_id": "1" * limits.MAX_SHORT_TEXT_CHARS},
        {"national_id": "1" * (limits.MAX_SHORT_TEXT_CHARS + 1)},
        {"postal_code": "1" * (limits.MAX_SHORT_TEXT_CHARS + 1)},
        {"address_line1": "r" * limits.MAX_ADDRESS_LINE_CHARS},
        {"address_line1": "r" * (limits.MAX_ADDRESS_LINE_CHARS + 1)},
        {"address_line2": "f" * (limits.MAX_ADDRESS_LINE_CHARS + 1)},
        {"city": "c" * (limits.MAX_ADDRESS_LINE_CHARS + 1)},
        {"region": "g" * (limits.MAX_ADDRESS_LINE_CHARS + 1)},
        {"address_country": "CHN"},
        {"address_country": ""},
        {"country": "C"},
        {"address_line1": "", "address_line2": "Flat 2"},
        {"address_line1": "", "city": ""},
        {"profiles": "cn; us-regf ;"},
        {"profiles": ";".join(f"p{i}" for i in range(limits.MAX_PROFILES + 1))},
        {"profiles": "; ;"},
        {"states": "dispute;cease"},
        {"states": ";"},
        {"states": "Dispute"},
        {"currency": " usd"},
        {"currency": "XXY"},
        {"days_overdue": "0"},
        {"days_overdue": "007"},
        {"days_overdue": "99999999"},
        {"due_date": "2026-02-30"},
        {"principal": "1e3"},
        {"principal": "1.1234567"},
        {"penalty_interest": "0.000000"},
        {"locale": "EN-us"},
        {"locale": "xx-YY"},
        {"time_zone": "Mars/Base"},
        {"phone_consent": "EXPRESS"},
        {"phone_line_type": "pager"},
        {"email_is_work": "Yes"},
        {"email_opted_out": "maybe"},
        {"email": "Postmaster@Example.COM"},
        {"email": "a b@example.com"},
        {"phone": "+86 138 0013 8000"},
    ],
)
def test_an_unusual_cell_gets_the_dict_paths_answer(changes: dict[str, str]) -> None:
    _agree(HEADER, _cells(changes=changes))


def test_a_cell_that_is_not_printable_leaves_the_row_to_the_checked_path() -> None:
    assert fast_csv_account(HEADER, _cells(debtor_name="A\u202eB")) is None
    assert fast_csv_account(HEADER, _cells(city="上海\u3000")) is None
    assert fast_csv_account(HEADER, _cells(national_id="\udc80")) is None
    assert fast_csv_account(HEADER, _cells()) is not None


def test_a_bound_is_the_checks_own_bound() -> None:
    assert fast_csv_account(HEADER, _cells(debtor_name="x" * limits.MAX_NAME_CHARS))
    assert fast_csv_account(HEADER, _cells(debtor_name="x" * 201)) is None
    assert fast_csv_account(HEADER, _cells(national_id="1" * 65)) is None
    assert fast_csv_account(HEADER, _cells(account_id="A" * 129)) is None


def test_a_header_naming_a_column_twice_or_a_short_record_is_left_alone() -> None:
    cells = _cells()
    assert fast_csv_account((*HEADER, "account_id"), [*cells, ""]) is None
    assert fast_csv_account(HEADER, cells[:-1]) is None
    record = CsvRecord(3, (*HEADER, "account_id"), [*cells, "X9"])
    assert validate_record(record) == _validate_flat(
        3, dict(zip(record.header, record.cells, strict=True))
    )


def test_another_column_order_and_a_subset_of_columns() -> None:
    order = tuple(reversed(HEADER))
    row = next(synthetic_rows(1, seed=3))
    assert _agree(order, [row[c] for c in order])
    some = tuple(c for c in HEADER if c not in ("email", "address_line1", "city", "region"))
    assert _agree(some, [row[c] for c in some])


def test_a_remembered_check_still_refuses_afresh() -> None:
    fast_rows._LOCALE_MEMO.clear()
    assert fast_csv_account(HEADER, _cells(locale="xx-YY")) is None
    assert "xx-YY" not in fast_rows._LOCALE_MEMO
    assert fast_csv_account(HEADER, _cells(locale="en")) is not None
    assert fast_rows._LOCALE_MEMO["en"] == "en"


_VALUES = st.one_of(
    st.text(max_size=12),
    st.text(st.characters(codec="utf-8"), max_size=6).map(lambda s: f" {s} "),
    st.sampled_from(
        ["", " ", "0", "-0", "1.50", "1e2", "true", "no", "zh-CN", "cn", ";", "\u3000", "\xa0"]
    ),
    st.from_regex(r"[+]?[0-9]{1,16}", fullmatch=True),
    st.from_regex(r"[a-z0-9.+]{1,8}@[a-z0-9.-]{1,12}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(
    changes=st.dictionaries(st.sampled_from(CSV_COLUMNS), _VALUES, max_size=3),
    seed=st.integers(0, 50),
)
def test_mutated_cells_get_the_dict_paths_answer(changes: dict[str, str], seed: int) -> None:
    _agree(HEADER, _cells(seed, changes))
