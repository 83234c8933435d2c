"""Bad input gets a typed error naming the field and the reason, never the value."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from notifysdk import errors
from notifysdk.models import Account, EmailContact, Notice, NoticeKind, PhoneContact, Receipt
from notifysdk.testing import sample_account, sample_notice, sample_person


def account_data(**overrides: Any) -> dict[str, Any]:
    data = sample_account().model_dump()
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("13800138000", "must start with +"),
        ("+86 138 0013", "no such number"),
        ("+1 555 0100 not a number", "E.164"),
        ("+999123456789", "E.164"),
    ],
)
def test_invalid_phone_number(value: str, why: str) -> None:
    with pytest.raises(errors.InvalidPhoneNumberError) as info:
        PhoneContact(value=value)
    assert info.value.field == "phone_contact.value"
    assert why in info.value.reason
    assert value not in str(info.value)


def test_valid_phone_numbers_are_normalized_to_e164() -> None:
    assert PhoneContact(value="+86 138-0013-8000").value == "+8613800138000"
    assert PhoneContact(value="+1 (212) 555-0142").value == "+12125550142"


@pytest.mark.parametrize(
    "value",
    [
        "victim@example.com\r\nBcc: everyone@example.com",
        "victim@example.com\nX-Injected: 1",
        "nul@example.com\x00",
    ],
)
def test_email_with_crlf_is_refused(value: str) -> None:
    with pytest.raises(errors.InvalidEmailError) as info:
        EmailContact(value=value)
    assert info.value.field == "email_contact.value"
    assert "CR, LF" in info.value.reason
    assert "victim" not in str(info.value)


@pytest.mark.parametrize(
    "value", ["no-at-sign", "two@@example.com", "trailing@dot.", "a b@example.com"]
)
def test_email_with_bad_syntax_is_refused(value: str) -> None:
    with pytest.raises(errors.InvalidEmailError) as info:
        EmailContact(value=value)
    assert info.value.reason.startswith("invalid email address")


def test_email_is_not_looked_up_in_dns() -> None:
    # A domain that does not resolve: accepted because only syntax is checked.
    addr = "someone@no-such-domain-zz9q.com"
    assert EmailContact(value=addr).value == addr


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("overdue_amount", Decimal("-1"), "must not be negative"),
        ("principal", Decimal("NaN"), "finite"),
        ("penalty_interest", Decimal("Infinity"), "finite"),
        ("principal", float("inf"), "finite"),
        ("overdue_amount", "twelve", "decimal"),
    ],
)
def test_bad_amounts(field: str, value: Any, reason: str) -> None:
    with pytest.raises(errors.InvalidAmountError) as info:
        Account(**account_data(**{field: value}))
    assert info.value.field == f"account.{field}"
    assert reason in info.value.reason


def test_unknown_currency() -> None:
    with pytest.raises(errors.InvalidAmountError) as info:
        Account(**account_data(currency="XYZ"))
    assert info.value.field == "account.currency"


@pytest.mark.parametrize("tag", ["xx-YY", "klingon", ""])
def test_unknown_locale(tag: str) -> None:
    with pytest.raises(errors.UnknownLocaleError) as info:
        sample_person(locale=tag)
    assert info.value.field == "person.locale"


def test_locales_are_normalized() -> None:
    assert sample_person(locale="zh_CN").locale == "zh-CN"
    assert sample_person(locale="zh").locale == "zh-CN"
    assert sample_person(locale="en-us").locale == "en-US"


def test_unknown_time_zone() -> None:
    with pytest.raises(errors.UnknownTimeZoneError) as info:
        sample_person(time_zone="Mars/Olympus_Mons")
    assert info.value.field == "person.time_zone"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(errors.NaiveDatetimeError) as info:
        Receipt(channel="x", accepted_at=datetime(2026, 1, 5, 10, 0))
    assert info.value.field == "receipt.accepted_at"
    assert "time zone" in info.value.reason


def test_nested_errors_name_the_full_path() -> None:
    data = account_data()
    data["debtor"]["contacts"][0]["value"] = "12345"
    with pytest.raises(errors.InvalidPhoneNumberError) as info:
        Account.model_validate(data)
    assert info.value.field == "account.debtor.contacts[0].value"


def test_all_problems_are_listed() -> None:
    with pytest.raises(errors.InvalidInputError) as info:
        Account(**account_data(principal=Decimal("-1"), currency="??"))
    fields = {p.field for p in info.value.problems}
    assert fields == {"account.principal", "account.currency"}


def test_missing_field() -> None:
    data = account_data()
    del data["loan_id"]
    with pytest.raises(errors.InvalidInputError) as info:
        Account(**data)
    assert info.value.field == "account.loan_id"
    assert info.value.reason == "field is required"


def test_idempotency_key_is_deterministic() -> None:
    a = sample_notice(3, channel="capture-sms")
    b = sample_notice(3, channel="capture-sms")
    c = sample_notice(3, channel="capture-email")
    assert a.idempotency_key == b.idempotency_key
    assert a.idempotency_key != c.idempotency_key
    assert a.idempotency_key.startswith("nk_")


def test_explicit_idempotency_key_is_kept() -> None:
    n = sample_notice(1, idempotency_key="campaign-2026-01-05-A1")
    assert n.idempotency_key == "campaign-2026-01-05-A1"


def test_notice_defaults_locale_and_profiles_from_account() -> None:
    account = sample_account(locale="en", profiles=("us-regf",))
    n = sample_notice(account=account, kind=NoticeKind.PRE_DUE_REMINDER)
    assert n.effective_locale == "en"
    assert n.effective_profiles == ("us-regf",)


def test_models_are_immutable() -> None:
    n = sample_notice()
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        n.channel = "other"  # type: ignore[misc]


def test_json_round_trip() -> None:
    n = sample_notice(2)
    assert Notice.model_validate_json(n.model_dump_json()) == n


def test_idempotency_key_depends_on_the_effective_locale() -> None:
    zh = sample_notice(1, account=sample_account(1, locale="zh-CN"))
    en = sample_notice(1, account=sample_account(1, locale="en"))
    assert zh.idempotency_key != en.idempotency_key
