"""The fast path of a flat portfolio row builds the very account the models build.

:func:`notifysdk.campaign.fast_rows.fast_account` may answer only what
``Account.model_validate(account_from_flat(cells))`` answers (the same field values, of
the same types, the same ``model_fields_set``), or ``None`` (the models then answer, and
refuse with the field and reason). These tests hold it to that over synthetic rows and
over rows with one cell changed to a hostile or unusual value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from notifysdk.campaign.fast_rows import fast_account
from notifysdk.campaign.portfolio import (
    CSV_COLUMNS,
    CsvRecord,
    PortfolioRow,
    account_from_flat,
    validate_record,
)
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.errors import InvalidInputError
from notifysdk.models import Account
from notifysdk.validation import check_amount


def _shape(value: Any) -> Any:
    """Everything that tells two models apart: class, fields set, each value's type and
    repr (``Decimal('1.50')`` is not ``Decimal('1.5')``), recursively."""
    if isinstance(value, BaseModel):
        return (
            type(value).__name__,
            sorted(value.model_fields_set),
            [(k, _shape(v)) for k, v in value.__dict__.items()],
        )
    if isinstance(value, tuple | list):
        return [_shape(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(repr(v) for v in value)
    return (type(value).__name__, repr(value))


def _slow(cells: dict[str, str]) -> Account | None:
    try:
        data, _ = account_from_flat(cells)
        return Account.model_validate(data)
    except InvalidInputError:
        return None


def _agree(cells: dict[str, str]) -> Account | None:
    fast, slow = fast_account(cells), _slow(cells)
    if slow is None:
        assert fast is None  # a refusal is always the models' own, with its reason
    elif fast is not None:
        assert _shape(fast) == _shape(slow)
        assert fast == slow and hash(fast) == hash(slow)
        assert fast.model_dump_json() == slow.model_dump_json()
        assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)
    return fast


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_rows_take_the_fast_path_and_build_the_same_account(seed: int) -> None:
    rows = list(synthetic_rows(400, seed=seed))
    fast = [_agree(row) for row in rows]
    assert all(a is not None for a in fast)


def _row(**cells: str) -> dict[str, str]:
    row = next(synthetic_rows(1, seed=7))
    row.update(cells)
    return row


@pytest.mark.parametrize(
    "cells",
    [
        {"principal": "0012.50"},
        {"principal": "1e3"},  # the models read it; the fast path leaves it to them
        {"principal": "1.1234567"},
        {"principal": "1000000000000000"},
        {"principal": "-1"},
        {"principal": " 12.00 "},
        {"days_overdue": "007"},
        {"days_overdue": "+5"},
        {"days_overdue": "99999999"},
        {"due_date": "2026-02-30"},
        {"due_date": "20260105"},
        {"currency": "usd"},
        {"currency": "XXY"},
        {"profiles": "cn; us-regf ;"},
        {"profiles": ";".join(f"p{i}" for i in range(9))},
        {"states": "dispute;cease"},
        {"states": "Dispute"},
        {"phone": "+8613800138000", "phone_consent": "express", "phone_line_type": "work"},
        {"phone": "+86 138 0013 8000"},
        {"phone": "+12125550123", "phone_line_type": "pager"},
        {"phone_consent": "EXPRESS"},
        {"phone_opted_out": "maybe"},
        {"email": "Postmaster@Example.COM"},
        {"email": "a b@example.com"},
        {"email_is_work": "yes"},
        {"locale": "zh_Hans_CN"},
        {"locale": "xx-YY"},
        {"time_zone": "Mars/Base"},
        {"country": "USA"},
        {"address_line1": "", "address_line2": "Flat 2"},
        {"address_line1": "", "city": ""},
        {"address_line1": "1 Road", "city": ""},
        {"address_country": ""},
        {"debtor_name": "A\u202eB"},
        {"account_id": "A\x1fB"},
        {"national_id": "x" * 500},
        {"agency": "Collections Ltd"},
        {"penalty_interest": ""},
    ],
)
def test_an_unusual_cell_gets_the_models_answer(cells: dict[str, str]) -> None:
    _agree(_row(**cells))


_VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "0", "-0", "1.50", "1e2", "true", "no", "zh-CN", "cn", ";"]),
    st.from_regex(r"[+]?[0-9]{1,16}", fullmatch=True),
    st.from_regex(r"[a-z0-9.+]{1,8}@[a-z0-9.-]{1,12}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(CSV_COLUMNS), value=_VALUES, seed=st.integers(0, 50))
def test_a_mutated_cell_gets_the_models_answer(column: str, value: str, seed: int) -> None:
    row = next(synthetic_rows(1, seed=seed))
    row[column] = value
    _agree(row)


def test_the_same_phone_in_two_rows_keeps_each_rows_consent_and_opt_out() -> None:
    # The phone's normalization is cached by value; nothing else of the row is.
    one = fast_account(_row(phone="+8613800138000", phone_consent="contract"))
    two = fast_account(
        _row(phone="+8613800138000", phone_consent="express", phone_opted_out="true")
    )
    assert one is not None and two is not None
    (p1, p2) = (one.debtor.contacts_of("phone")[0], two.debtor.contacts_of("phone")[0])
    assert p1.value == p2.value == "+8613800138000"
    assert (p1.consent.value, p1.opted_out) == ("contract", False)
    assert (p2.consent.value, p2.opted_out) == ("express", True)


def test_a_refused_row_names_the_column_and_never_the_value() -> None:
    row = _row(principal="-12.50", phone="+86 1380 0138 000x")
    header = tuple(row)
    result = validate_record(CsvRecord(3, header, list(row.values())))
    assert not isinstance(result, PortfolioRow)
    assert result.field in {"principal", "phone"} and "12.50" not in result.reason


def test_an_amount_the_fast_path_takes_unchecked_is_one_check_amount_passes() -> None:
    from notifysdk import limits
    from notifysdk.campaign.fast_rows import _BOUNDED_AMOUNT

    assert Decimal(10) ** 15 == limits.MAX_AMOUNT and limits.MAX_AMOUNT_DECIMALS == 6
    for text in ("999999999999999.999999", "0", "0.000001", "000000000000001.5"):
        assert _BOUNDED_AMOUNT.fullmatch(text)
        assert check_amount(Decimal(text)) == Decimal(text)
    for text in ("1000000000000000", "1.1234567", "1e3", "-1"):
        assert not _BOUNDED_AMOUNT.fullmatch(text)
        _agree(_row(principal=text))
