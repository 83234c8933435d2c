"""Number checks of issue 13 held to their slow definitions: the Luhn sum over the
digits' ASCII codes to python-stdnum's, the issuer-prefix rules read by first digit to
the table as first written (every four-digit prefix and card length), and a labelled
phone number's verdict, which parses only what its first digit leaves open."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from notifysdk.privacy.numbers import _iin_length_ok, _luhn


def _iin_as_first_written(d: str) -> bool:
    n = len(d)
    p2, p3, p4 = int(d[:2]), int(d[:3]), int(d[:4])
    if d[0] == "4":
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if 3528 <= p4 <= 3589:
        return 16 <= n <= 19
    if p2 == 36 or 300 <= p3 <= 305:
        return n in (14, 16)
    if d[0] == "6" or p2 == 50 or 56 <= p2 <= 58:
        return 13 <= n <= 19
    if p2 == 95:
        return n == 19
    return False


def test_the_issuer_rules_read_by_first_digit_are_the_table() -> None:
    for prefix in range(10_000):
        for n in range(13, 20):
            d = f"{prefix:04d}" + "7" * (n - 4)
            assert _iin_length_ok(d) == _iin_as_first_written(d), d


@settings(max_examples=2000)
@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_the_luhn_sum_is_stdnums(digits: str) -> None:
    assert _luhn(digits) == bool(luhn.is_valid(digits))


def test_the_luhn_sum_on_known_numbers() -> None:
    for valid in ("4111111111111111", "6222021234567890128", "79927398713", "0", "00"):
        assert _luhn(valid) == bool(luhn.is_valid(valid)) is True
    for invalid in ("4111111111111112", "79927398710", "1"):
        assert _luhn(invalid) == bool(luhn.is_valid(invalid)) is False
    # Not ASCII digits: stdnum decides, as before.
    assert _luhn("４１１１１１１１１１１１１１１１") == bool(
        luhn.is_valid("４１１１１１１１１１１１１１１１")
    )


def _labelled_phone_as_first_written(digits: str, grouped: bool) -> bool:
    from notifysdk.privacy.phones import _is_date, _us_number, _valid

    n = len(digits)
    if n == 10:
        return _us_number(digits) or (digits[:3] in ("400", "800") and _valid(digits, "CN"))
    if n == 11:
        return digits[0] == "1" and _us_number(digits[1:])
    if n == 8 and not grouped and _is_date(digits):
        return False
    if n == 8 and _valid(digits, "HK"):
        return True
    return digits[0] in "2345678"


@settings(max_examples=1500)
@given(st.text(alphabet="0123456789", min_size=7, max_size=11), st.booleans())
def test_a_labelled_number_is_judged_as_first_written(digits: str, grouped: bool) -> None:
    from notifysdk.privacy.phones import _labelled_phone

    expected = _labelled_phone_as_first_written(digits, grouped)
    assert _labelled_phone.__wrapped__(digits, grouped) == expected, (digits, grouped)


def test_labelled_eight_digit_numbers_as_first_written() -> None:
    from notifysdk.privacy.phones import _labelled_phone

    for digits in ("88881234", "91234567", "23456789", "51234567", "61234567", "20260307"):
        for grouped in (False, True):
            expected = _labelled_phone_as_first_written(digits, grouped)
            assert _labelled_phone.__wrapped__(digits, grouped) == expected, digits
