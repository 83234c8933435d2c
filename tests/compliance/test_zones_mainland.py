"""The unparsed mainland-mobile evidence is what phonenumbers says of the number."""

from __future__ import annotations

import random
from collections.abc import Iterator

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as pn_timezone
from phonenumbers.tzdata import TIMEZONE_DATA

from notifysdk.compliance import zones

_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def _reference(number: str) -> tuple[str, tuple[str, ...], str, bool] | None:
    """The phone evidence of ``number`` from phonenumbers' parser and time-zone data."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed) or ""
    found = tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
    if found and phonenumbers.is_number_geographical(parsed):
        return ("phone", found, region, False)
    found = found or (zones.country_zones(region) if region else ())
    return ("phone", found, region, len(set(found)) > 1) if found else None


def _parsed_mobile(number: str) -> bool:
    return phonenumbers.number_type(phonenumbers.parse(number, None)) in _MOBILE_TYPES


def _as_tuple(e: object) -> tuple[str, tuple[str, ...], str, bool] | None:
    if e is None:
        return None
    assert isinstance(e, zones._Evidence)
    return (e.source, e.zones, e.country, e.wide)


def _check(number: str) -> bool:
    """The fast path, when it answers, and the cached entry point agree with
    phonenumbers; returns whether the fast path answered."""
    expected = _reference(number)
    fast = zones._mainland_mobile(number)
    if fast is not None:
        assert _as_tuple(fast) == expected, number
    assert _as_tuple(zones._phone.__wrapped__(number)) == expected, number
    return fast is not None


_mainland = st.builds(
    lambda prefix, rest: f"+86{prefix}{rest:04d}",
    st.integers(1_300_000, 1_999_999),
    st.integers(0, 9_999),
)


@settings(max_examples=500, deadline=None)
@given(_mainland)
def test_mainland_numbers_get_phonenumbers_evidence(number: str) -> None:
    decided = _check(number)
    # Every mobile number but the 179 prefix (which parsing may strip) takes the fast path.
    assert decided == (_parsed_mobile(number) and not number.startswith("+86179"))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.from_regex(r"\+86[0-9]{0,13}", fullmatch=True),
        st.from_regex(r"\+[0-9]{1,16}", fullmatch=True),
        st.text(alphabet="+86 -13()８６１３", max_size=16),
    )
)
def test_other_strings_get_phonenumbers_evidence(number: str) -> None:
    _check(number)


@pytest.fixture
def fresh_table() -> Iterator[None]:
    """The fast path's table rebuilt from phonenumbers' (patched) data, and again after."""
    zones._mainland_table.cache_clear()
    yield
    zones._mainland_table.cache_clear()


@pytest.mark.usefixtures("fresh_table")
def test_the_table_follows_phonenumbers_prefixes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Finer prefixes than phonenumbers ships today, one with no known zone: the fast path
    # must take the longest one, as phonenumbers does, or fall back to the country's.
    monkeypatch.setitem(TIMEZONE_DATA, "86139", ("Asia/Urumqi",))
    monkeypatch.setitem(TIMEZONE_DATA, "8613912", ("Asia/Urumqi", "Asia/Shanghai"))
    monkeypatch.setitem(TIMEZONE_DATA, "8615", ("Etc/Unknown",))
    rng = random.Random(13)
    seen = set()
    for prefix in ("139", "13912", "13913", "150", "138", "186"):
        for _ in range(20):
            digits = prefix + "".join(rng.choice("0123456789") for _ in range(11 - len(prefix)))
            if _check("+86" + digits):
                seen.add(zones._mainland_mobile("+86" + digits).zones)  # type: ignore[union-attr]
    assert seen == {
        ("Asia/Urumqi",),
        ("Asia/Urumqi", "Asia/Shanghai"),
        ("Asia/Shanghai",),
    }


def test_mainland_mobiles_share_their_evidence() -> None:
    # One object per answer, so that the memoised combination of evidence is shared too.
    a = zones._mainland_mobile("+8613800138000")
    b = zones._mainland_mobile("+8618612345678")
    assert a is not None and a is b
    assert zones._mainland_mobile("+8617912345678") is None
    assert zones._mainland_mobile("+86 13800138000") is None
    assert zones._mainland_mobile("+8613800138000 ") is None
