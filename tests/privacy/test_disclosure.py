"""The disclosure table, the levels, the mask styles and keyed pseudonyms."""

from __future__ import annotations

import pytest

from notifysdk.channels import Disclosure
from notifysdk.errors import InvalidInputError
from notifysdk.models import Medium, Role
from notifysdk.privacy import (
    KnownValues,
    Level,
    Redactor,
    default_detectors,
    effective_disclosure,
    mask_value,
    pseudonymize,
    rule_for,
)
from notifysdk.testing import sample_account

REDACTOR = Redactor(default_detectors())
ACCOUNT = sample_account(1)
KNOWN = KnownValues.from_account(ACCOUNT)
TEXT = f"张伟您好，借款{ACCOUNT.loan_id}应还¥1,246.80，卡号6222 0213 8001 3800，地址1 Sample Road"


@pytest.mark.parametrize(
    "role, medium, expected",
    [
        (Role.DEBTOR, Medium.SMS, Disclosure.LIMITED),
        (Role.DEBTOR, Medium.EMAIL, Disclosure.FULL),
        (Role.GUARANTOR, Medium.LETTER, Disclosure.FULL),
        (Role.ATTORNEY, Medium.SMS, Disclosure.FULL),
        (Role.EMERGENCY_CONTACT, Medium.LETTER, Disclosure.NONE),
        (Role.THIRD_PARTY, Medium.CALL_SCRIPT, Disclosure.NONE),
    ],
)
def test_role_by_medium(role: Role, medium: Medium, expected: Disclosure) -> None:
    assert effective_disclosure(Disclosure.FULL, role, medium) is expected


def test_the_channel_can_only_lower_the_level() -> None:
    assert effective_disclosure(Disclosure.LIMITED, Role.DEBTOR, Medium.EMAIL) is Disclosure.LIMITED
    assert effective_disclosure(Disclosure.FULL, Role.DEBTOR) is Disclosure.FULL


def test_sms_to_the_debtor_carries_amount_surname_and_last_four() -> None:
    red = REDACTOR.mask(TEXT, Disclosure.LIMITED, KNOWN)
    assert red.clean
    assert red.text.startswith("张**您好")
    assert "¥1,246.80" in red.text
    assert "**** **** **** 3800" in red.text
    assert ACCOUNT.loan_id not in red.text and "Sample Road" not in red.text


def test_a_third_party_learns_no_amount_loan_or_card_even_masked() -> None:
    red = REDACTOR.mask(TEXT, Disclosure.NONE, KNOWN)
    assert {f.kind for f in red.leaks} == {"amount", "loan_id", "card"}
    assert "1,246.80" not in red.text


def test_an_envelope_carries_only_name_and_address() -> None:
    assert REDACTOR.mask("张伟 1 Sample Road", Level.ENVELOPE, KNOWN).clean
    red = REDACTOR.mask("张伟 1 Sample Road 13800138000", Level.ENVELOPE, KNOWN)
    assert {f.kind for f in red.leaks} == {"phone"}


def test_logs_carry_masks_or_keyed_hashes_never_values() -> None:
    masked = REDACTOR.mask_for_log(TEXT, KNOWN)
    hashed = REDACTOR.mask_for_log(TEXT, KNOWN, style="hash")
    for value in ("张伟", ACCOUNT.loan_id, "1,246.80", "6222 0213 8001 3800", "Sample Road"):
        assert value not in masked and value not in hashed
    assert pseudonymize("card", "6222 0213 8001 3800") in hashed


def test_pseudonyms_join_spellings_and_depend_on_the_key() -> None:
    a = pseudonymize("phone", "+86 138 0013 8000", key=b"k1")
    assert a == pseudonymize("phone", "13800138000", key=b"k1")
    assert a != pseudonymize("phone", "13800138000", key=b"k2")
    assert a != pseudonymize("phone", "13900139000", key=b"k1")
    assert not any(c in "0189" for c in a.split("#")[1])


@pytest.mark.parametrize(
    "kind, value, masked",
    [
        ("name", "张伟", "张**"),
        ("name", "欧阳娜娜", "欧**"),
        ("name", "Alex Smith", "A*** S***"),
        ("phone", "+8613800138000", "138****8000"),
        ("phone", "138-0013-8000", "138****8000"),
        ("phone", "+1 415-555-2671", "****2671"),
        ("card", "6222021380013800", "**** **** **** 3800"),
        ("email", "zhang.wei@example.com", "z***@example.com"),
        ("loan_id", "LN202600000001", "****0001"),
        ("amount", "¥1,246.80", "****"),
    ],
)
def test_mask_styles(kind: str, value: str, masked: str) -> None:
    assert mask_value(kind, value) == masked


def test_unknown_level_is_a_typed_error_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        rule_for("public")
    assert info.value.field == "level"
