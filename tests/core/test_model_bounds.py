"""The models within the bounds of ``notifysdk.limits``, and errors that carry no value.

Each bound refused names the field and the bound with the SDK's typed error; the value
is never in the message, and pydantic's own error (which keeps the input) is not
chained to it. What passes can be used: the largest amount allowed formats in every
currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
import pytest

from notifysdk import errors, limits
from notifysdk.input_errors import as_input_error, field_path, field_problems, safe_reason
from notifysdk.models import Account, Notice, Person
from notifysdk.templating import money
from notifysdk.testing import sample_account, sample_notice

SECRET_PHONE = "+8613812345678"
SECRET_NAME = "蔡晓敏"


def _account(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = sample_account(1).model_dump(mode="json")
    doc["debtor"]["name"] = SECRET_NAME
    doc["debtor"]["contacts"][0]["value"] = SECRET_PHONE
    doc.update(changes)
    return doc


def _person(**changes: Any) -> dict[str, Any]:
    return {**_account()["debtor"], **changes}


def _refused(
    build: Any, cls: type[errors.InvalidInputError], field: str, words: str, *values: Any
) -> errors.InvalidInputError:
    with pytest.raises(cls) as info:
        build()
    exc = info.value
    assert exc.field == field, str(exc)
    assert words in exc.reason, str(exc)
    for value in (SECRET_PHONE, SECRET_NAME, *values):
        if isinstance(value, str) and len(value) >= 4:
            assert value not in str(exc), value
    assert exc.__context__ is None and exc.__cause__ is None  # no pydantic error riding along
    return exc


A = errors.InvalidAmountError
L = errors.LimitExceededError
ID = errors.InvalidIdentifierError


@pytest.mark.parametrize(
    ("changes", "cls", "field", "words"),
    [
        ({"overdue_amount": "1e15"}, A, "account.overdue_amount", "MAX_AMOUNT"),
        ({"overdue_amount": 10**5000}, A, "account.overdue_amount", "MAX_AMOUNT"),
        ({"principal": Decimal("1E+1000000")}, A, "account.principal", "MAX_AMOUNT"),
        ({"principal": float("inf")}, A, "account.principal", "finite"),
        ({"principal": "sNaN"}, A, "account.principal", "finite"),
        ({"principal": "-0.01"}, A, "account.principal", "negative"),
        ({"principal": "0.0000001"}, A, "account.principal", "MAX_AMOUNT_DECIMALS"),
        ({"principal": "1" * 41}, A, "account.principal", "MAX_NUMBER_CHARS"),
        ({"days_overdue": 10**5000}, L, "account.days_overdue", "MAX_DAYS_OVERDUE"),
        ({"days_overdue": "-36501"}, L, "account.days_overdue", "MAX_DAYS_OVERDUE"),
        ({"account_id": "ACC\x1f1"}, ID, "account.account_id", "non-printable"),
        ({"account_id": "ACC\u200b1"}, ID, "account.account_id", "non-printable"),
        ({"loan_id": "LN1\n"}, ID, "account.loan_id", "non-printable"),
        ({"loan_id": " LN1"}, ID, "account.loan_id", "blank"),
        ({"loan_id": ""}, ID, "account.loan_id", "empty"),
        ({"account_id": "A" * 129}, L, "account.account_id", "MAX_ID_CHARS"),
        ({"institution": "银" * 201}, L, "account.institution", "MAX_NAME_CHARS"),
        ({"agency": "x\u202eevil"}, errors.InvalidInputError, "account.agency", "control"),
        ({"profiles": ["cn"] * 9}, L, "account.profiles", "MAX_PROFILES"),
        ({"profiles": ["c\tn"]}, ID, "account.profiles[0]", "non-printable"),
    ],
)
def test_an_account_field_past_its_bound_is_refused(
    changes: dict[str, Any], cls: type[errors.InvalidInputError], field: str, words: str
) -> None:
    _refused(lambda: Account.model_validate(_account(**changes)), cls, field, words)


def test_counts_of_contacts_and_parties_are_bounded() -> None:
    doc = _account()
    contacts = doc["debtor"]["contacts"] * limits.MAX_CONTACTS_PER_PERSON
    _refused(
        lambda: Person(**_person(contacts=contacts)),
        L,
        "person.contacts",
        "MAX_CONTACTS_PER_PERSON",
    )
    party = {"role": "guarantor", "person": doc["debtor"]}
    parties = [party] * (limits.MAX_PARTIES_PER_ACCOUNT + 1)
    _refused(
        lambda: Account.model_validate(_account(parties=parties)),
        L,
        "account.parties",
        "MAX_PARTIES_PER_ACCOUNT",
    )
    address = {**doc["debtor"]["contacts"][2], "lines": ["路"] * (limits.MAX_ADDRESS_LINES + 1)}
    _refused(
        lambda: Person(**_person(contacts=[address])),
        L,
        "person.contacts[0].lines",
        "MAX_ADDRESS_LINES",
    )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"person_id": "P\x001"}, "person.person_id", "non-printable"),
        ({"name": SECRET_NAME * 100}, "person.name", "MAX_NAME_CHARS"),
        ({"name": f"{SECRET_NAME}\r\n"}, "person.name", "control character"),
        ({"national_id": "3" * 65}, "person.national_id", "MAX_SHORT_TEXT_CHARS"),
        ({"time_zone": "Asia/" + "x" * 100}, "person.time_zone", "MAX_SHORT_TEXT_CHARS"),
        ({"locale": "zh-" + "x" * 100}, "person.locale", "MAX_SHORT_TEXT_CHARS"),
    ],
)
def test_a_person_field_past_its_bound_is_refused(
    changes: dict[str, Any], field: str, words: str
) -> None:
    exc = _refused(lambda: Person(**_person(**changes)), errors.InvalidInputError, field, words)
    assert isinstance(exc, errors.InvalidInputError)


def test_a_folder_of_the_zone_database_is_not_a_time_zone() -> None:
    # ZoneInfo("America") raises IsADirectoryError: a reader once died on it.
    _refused(
        lambda: Person(**_person(time_zone="America")),
        errors.UnknownTimeZoneError,
        "person.time_zone",
        "IANA",
    )


def test_phone_and_email_texts_are_bounded_before_parsing() -> None:
    contacts = _account()["debtor"]["contacts"]
    long_phone = {**contacts[0], "value": "+86" + "1" * 100}
    _refused(
        lambda: Person(**_person(contacts=[long_phone])), L, "person.contacts[0].value", "PHONE"
    )
    long_email = {**contacts[1], "value": "a" * 250 + "@example.cn"}
    _refused(
        lambda: Person(**_person(contacts=[long_email])), L, "person.contacts[0].value", "EMAIL"
    )


def test_an_email_reason_quotes_no_part_of_the_address() -> None:
    contacts = _account()["debtor"]["contacts"]
    for value in ("caixiaomin<@example.cn", "caixiaomin@exa_mple.cn", "cai xiaomin@example.cn"):
        bad = {**contacts[1], "value": value}
        exc = _refused(
            lambda bad=bad: Person(**_person(contacts=[bad])),
            errors.InvalidEmailError,
            "person.contacts[0].value",
            "invalid email address",
        )
        assert "'" not in exc.reason and "caixiaomin" not in exc.reason


def test_ids_that_are_printable_pass_unchanged() -> None:
    account = Account.model_validate(_account(account_id="账户 A-1/2026", loan_id="LN#1"))
    assert account.account_id == "账户 A-1/2026" and account.loan_id == "LN#1"


@pytest.mark.parametrize("currency", ["CNY", "USD", "JPY", "KWD", "CLF", "GBP"])
@pytest.mark.parametrize("locale", ["zh-CN", "en", "en-US", "ar"])
def test_the_largest_amount_allowed_formats_in_every_currency(currency: str, locale: str) -> None:
    largest = limits.MAX_AMOUNT - Decimal(1).scaleb(-limits.MAX_AMOUNT_DECIMALS)
    account = Account.model_validate(
        _account(currency=currency, principal=str(largest), overdue_amount=str(largest))
    )
    assert account.overdue_amount == largest
    money(account.total_due + account.principal, currency, locale)  # sums still format
    assert Account.model_validate(_account(principal="1.5000000")).principal == Decimal("1.5")


def _notice(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = sample_notice(1).model_dump(mode="json")
    doc["idempotency_key"] = ""
    doc.update(changes)
    return doc


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize(
    ("changes", "cls", "field", "words"),
    [
        ({"data": {"k": _deep(20_000)}}, L, "notice.data.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k", "DEPTH"),
        ({"data": {"blob": "x" * 70_000}}, L, "notice.data", "MAX_NOTICE_DATA_CHARS"),
        ({"data": {"n": 10**5000}}, L, "notice.data.n", "MAX_NUMBER_CHARS"),
        ({"data": {"o": object()}}, errors.InvalidInputError, "notice.data.o", "JSON"),
        ({"data": {"s": {1, 2}}}, errors.InvalidInputError, "notice.data.s", "JSON"),
        ({"idempotency_key": "k\x1f1"}, ID, "notice.idempotency_key", "non-printable"),
        ({"stage": "D+1\nsms"}, ID, "notice.stage", "non-printable"),
        ({"channel": "sms\x00"}, ID, "notice.channel", "non-printable"),
        ({"to": "+86" + "1" * 400}, L, "notice.to", "MAX_DESTINATION_CHARS"),
    ],
)
def test_a_notice_field_past_its_bound_is_refused(
    changes: dict[str, Any], cls: type[errors.InvalidInputError], field: str, words: str
) -> None:
    _refused(lambda: Notice.model_validate(_notice(**changes)), cls, field, words)


def test_notice_data_within_its_bounds_keys_and_stores() -> None:
    from datetime import UTC, datetime

    data = {"visit": {"slot": datetime(2026, 1, 5, tzinfo=UTC), "staff": [{"id": "S-1"}]}}
    notice = Notice.model_validate(_notice(data=data))
    assert notice.idempotency_key.startswith("nk_")
    assert "S-1" in notice.model_dump_json()


def test_a_bad_contact_kind_is_named_without_the_tag() -> None:
    contacts = _account()["debtor"]["contacts"]
    for tag in (SECRET_PHONE, 10**5000, "fax"):
        bad = {**contacts[0], "kind": tag}
        exc = _refused(
            lambda bad=bad: Person(**_person(contacts=[bad])),
            errors.InvalidInputError,
            "person.contacts[0]",
            "unknown kind",
        )
        assert "phone, email, address" in exc.reason


def test_an_unknown_key_that_is_a_value_is_shown_as_key() -> None:
    exc = _refused(
        lambda: Person(**_person(**{SECRET_PHONE: "x", "favourite": 1})),
        errors.InvalidInputError,
        "person.<key>",
        "unknown field",
    )
    assert [p.field for p in exc.problems] == ["person.<key>", "person.favourite"]


class _Model(pydantic.BaseModel):
    kind: str = pydantic.Field(pattern="^[a-z]+$")
    n: int = 0


def test_the_translator_keeps_schema_facts_and_drops_inputs() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        _Model(kind=SECRET_NAME, n="not a number", **{SECRET_PHONE: 1})  # type: ignore[arg-type]
    problems = field_problems(info.value, "settings")
    assert [p.field for p in problems] == ["settings.kind", "settings.n"]
    text = str(as_input_error(info.value, "settings"))
    assert SECRET_NAME not in text and SECRET_PHONE not in text and "not a number" not in text
    assert "pattern" in problems[0].reason and "integer" in problems[1].reason
    assert field_path(("a", 0, "function-after[f(), str]", "王芳", "b")) == "a[0].<key>.b"
    assert safe_reason({"type": "value_error", "msg": f"Value error, bad {SECRET_PHONE}"}) == (
        "invalid value"
    )
    own = safe_reason(
        {"type": "value_error", "msg": "Value error, must be >= 1"}, own_messages=True
    )
    assert own == "must be >= 1"
    assert safe_reason({"type": "some_new_type", "msg": SECRET_PHONE}) == (
        "invalid value (some_new_type)"
    )


def test_every_bound_is_stated_in_the_docs_with_its_value() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| `(MAX_[A-Z_]+)` \| ([^|]+) \|", doc, flags=re.MULTILINE))
    assert set(rows) == set(limits.__all__)
    for name in limits.__all__:
        value = getattr(limits, name)
        if name == "MAX_AMOUNT":
            assert value == Decimal(10) ** 15 and "10^15" in rows[name]
        else:
            assert int(rows[name].replace(",", "").split()[0]) == value, name
        assert f"``{name}``" in (limits.__doc__ or ""), name
