"""The unparsed mainland-mobile checks give phonenumbers' own answers."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from notifysdk.privacy.mainland import is_mainland_mobile, written_mobile


def _parsed_is_mobile(digits: str) -> bool:
    """What ``is_cn_mobile`` answered with the parser alone."""
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and phonenumbers.is_valid_number(number)


def _samples() -> list[str]:
    rng = random.Random(86)
    out = []
    for prefix in range(100, 200):  # every three-digit prefix, five numbers each
        out.extend(f"{prefix}{rng.randrange(10**8):08d}" for _ in range(5))
    for prefix in range(1300, 2000):  # every four-digit prefix of 13x-19x
        out.append(f"{prefix}{rng.randrange(10**7):07d}")
    out.extend(f"1{rng.randrange(3 * 10**9, 10**10)}" for _ in range(3000))
    return out


def test_every_prefix_gets_the_parsers_answer() -> None:
    decided = 0
    for digits in _samples():
        fast = is_mainland_mobile(digits)
        if fast is not None:
            decided += 1
            assert fast == _parsed_is_mobile(digits), digits
    assert decided > 3500  # the fast path decides the 13x-19x numbers
    assert any(is_mainland_mobile(d) for d in _samples())
    assert not all(is_mainland_mobile(d) for d in _samples() if d.startswith("14"))


@pytest.mark.parametrize(
    "digits", ["17912345678", "11012345678", "1380013800X", "1380013800", "023456789012", ""]
)
def test_what_parsing_may_change_goes_to_the_parser(digits: str) -> None:
    assert is_mainland_mobile(digits) is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("13800138000", (False, "13800138000")),
        ("+86 138 0013 8000", (True, "13800138000")),
        ("+86-138-0013-8000", (True, "13800138000")),
        ("138-0013-8000", (False, "13800138000")),
        ("+8613800138000", (True, "13800138000")),
    ],
)
def test_plainly_written_mobiles(written: str, expected: tuple[bool, str]) -> None:
    assert written_mobile(written) == expected
    national = phonenumbers.parse(written, "CN")
    assert str(national.national_number) == expected[1] and national.country_code == 86


@pytest.mark.parametrize(
    "written", ["0086 138 0013 8000", "(+86)13800138000", "17951 1380013800", "138  0013 8000"]
)
def test_other_spellings_go_to_the_parser(written: str) -> None:
    assert written_mobile(written) is None
