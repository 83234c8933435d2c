"""The unparsed North American check says what phonenumbers says, for every area code
and for random numbers, and the phone detector and the phone mask read ``+1`` numbers
as parsing does."""

from __future__ import annotations

import random

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from notifysdk.privacy import phones
from notifysdk.privacy.masking import canonical
from notifysdk.privacy.nanp import WRITTEN, is_nanp_number


def _by_parser(nsn: str) -> bool:
    return phonenumbers.is_valid_number(
        phonenumbers.PhoneNumber(country_code=1, national_number=int(nsn))
    )


def test_every_area_code_as_phonenumbers_says() -> None:
    rng = random.Random(2026)
    checked = valid = 0
    for area in range(200, 1000):
        for exchange in (200, 555, 911, rng.randrange(200, 1000), rng.randrange(100, 200)):
            for line in ("0100", "0199", "1234", f"{rng.randrange(10000):04d}"):
                nsn = f"{area}{exchange:03d}{line}"
                assert is_nanp_number(nsn) == _by_parser(nsn), nsn
                checked += 1
                valid += _by_parser(nsn)
    assert checked == 800 * 20
    assert 0 < valid < checked  # both answers occur


@given(st.integers(2_000_000_000, 9_999_999_999))
def test_random_numbers_as_phonenumbers_says(n: int) -> None:
    assert is_nanp_number(str(n)) == _by_parser(str(n))


def _whole_by_parser(stretch: str) -> tuple[int, int] | None:
    start = stretch.find("+")
    try:
        number = phonenumbers.parse(stretch[start:], None)
    except phonenumbers.NumberParseException:
        return None
    return (start, len(stretch)) if phonenumbers.is_valid_number(number) else None


@given(
    st.integers(0, 9_999_999_999),
    st.sampled_from(["", " ", "-"]),
    st.sampled_from(["", " ", "-"]),
    st.sampled_from(["", "("]),
)
def test_written_numbers_read_as_parsed(n: int, first: str, sep: str, bracket: str) -> None:
    d = f"{n:010d}"
    stretch = f"{bracket}+1{first}{d[:3]}{sep}{d[3:6]}{sep}{d[6:]}"
    assert phones._whole_number.__wrapped__(stretch) == _whole_by_parser(stretch)
    value = stretch.lstrip("(")
    assert canonical("phone", value) == phonenumbers.format_number(
        phonenumbers.parse(value, "CN"), phonenumbers.PhoneNumberFormat.E164
    )
    assert (WRITTEN.fullmatch(value) is not None) == (d[0] not in "01")


def test_known_numbers() -> None:
    assert phones._whole_number.__wrapped__("+1 202-456-1111") == (0, 15)
    assert phones._whole_number.__wrapped__("(+12024561111") == (1, 13)
    assert phones._whole_number.__wrapped__("+1 011-456-1111") is None
    assert canonical("phone", "+1 202-456-1111") == "+12024561111"
