"""The cheap paths of portfolio validation give the libraries' answers.

A phone number already written as E.164 is checked without ``phonenumbers.parse``, and a
plain address's domain is checked once per domain, not once per address. Each cheap path
may only answer what the library answers (or leave the value to it): these tests hold
them to the libraries over edge cases and generated values.
"""

from __future__ import annotations

import email_validator
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk import validation
from notifysdk.campaign.synthetic import synthetic_rows


def _library_phone(raw: str) -> str | None:
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _library_email(address: str) -> str | None:
    try:
        return email_validator.validate_email(address, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        return None


def _check_phone(raw: str) -> None:
    if validation._valid_as_written(raw):
        assert _library_phone(raw) == raw


def _check_email(address: str) -> None:
    fast = validation._plain_email(address)
    if fast is not None:
        assert fast == _library_email(address)


PHONES = [
    "+8613800138000",
    "+8611800138000",  # starts like a Chinese carrier-select prefix
    "+861790013800",
    "+12125550123",
    "+11212555012",  # the US national prefix in front of a number
    "+442079460000",
    "+4402079460000",  # a UK trunk 0 kept after the country code
    "+390612345678",  # Italy: a leading zero that is part of the number
    "+80012345678",  # a non-geographic code
    "+7 9123456789",
    "+79123456789",
    "+881612345678",
    "+999123456",
    "+1",
    "+12",
    "+0123456789",
    "+861380013800012345",
]


@pytest.mark.parametrize("raw", PHONES)
def test_a_number_written_as_e164_is_valid_exactly_when_phonenumbers_says(raw: str) -> None:
    _check_phone(raw)


@settings(max_examples=3000, deadline=None)
@given(
    code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    rest=st.text(alphabet="0123456789", min_size=1, max_size=15),
)
def test_generated_numbers_of_every_country_code_agree_with_phonenumbers(
    code: int, rest: str
) -> None:
    _check_phone(f"+{code}{rest}")


@settings(max_examples=1000, deadline=None)
@given(rest=st.text(alphabet="0123456789", min_size=1, max_size=16))
def test_generated_digit_strings_agree_with_phonenumbers(rest: str) -> None:
    _check_phone(f"+{rest}")


EMAILS = [
    "borrower1@example.com",
    "Someone@Example.COM",
    "Postmaster@example.com",  # a mailbox name the library lower-cases
    "first.last+tag@sub.example.cn",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a@example..com",
    "a@-example.com",
    "a@example.com.",
    "a@example",
    "a@localhost",
    "a@xn--fsqu00a.xn--0zwm56d",  # an IDNA domain
    "a@xn--zz.com",
    "a@123.123.123.123",
    "a@[127.0.0.1]",
    '"quoted"@example.com',
    "a@b@example.com",
    "Name <a@example.com>",
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    "a" * 240 + "@example.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["b" * 60] * 4) + ".com",
    "user@example.invalid",
    "user@example.test",
    "user@example.local",
    "!#$%&'*+-/=?^_`{|}~@example.com",
    "@example.com",
    "user@",
]


@pytest.mark.parametrize("address", EMAILS)
def test_a_plain_address_is_normalized_exactly_as_email_validator_does(address: str) -> None:
    _check_email(address)


_LOCAL = st.text(alphabet="abcXYZ019._+-!'\"@ ", min_size=0, max_size=12)
_DOMAIN = st.text(alphabet="abcXYZ019.-_", min_size=0, max_size=24)


@settings(max_examples=3000, deadline=None)
@given(local=_LOCAL, domain=_DOMAIN)
def test_generated_addresses_agree_with_email_validator(local: str, domain: str) -> None:
    _check_email(f"{local}@{domain}")


def test_the_cheap_paths_take_a_synthetic_portfolio() -> None:
    """The values a portfolio usually holds do take the cheap paths (else they would
    save nothing), and give what the libraries give."""
    rows = list(synthetic_rows(300))
    for row in rows:
        assert validation._valid_as_written(row["phone"]), row["phone"]
        assert _library_phone(row["phone"]) == row["phone"]
        if row["email"]:
            assert validation._plain_email(row["email"]) == _library_email(row["email"])
            assert validation._plain_email(row["email"]) is not None
