"""Conflicting location data: every location source on record counts (Reg F's
commentary to 1006.6(b)(1)(i)), each with its narrowest evidence, unless the person's
location is confirmed. Boundaries are computed exactly, across DST changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.explain import explain
from notifysdk.compliance.zones import plausible_zones
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Account, EmailContact, Person, PhoneContact, PostalAddress

from .conftest import notice_for, us_account, utc

SEATTLE = "+12065550123"
DENVER = "+13035550123"
NORTH_DAKOTA = "+17015550123"  # America/Denver and America/North_Dakota/Center
TOLL_FREE = "+18005550123"


def _us(
    *,
    phone: str = SEATTLE,
    time_zone: str | None = "America/New_York",
    confirmed: bool = False,
) -> Account:
    account = us_account(phone=phone, time_zone=time_zone)
    debtor = account.debtor.model_copy(update={"location_confirmed": confirmed})
    return account.model_copy(update={"debtor": debtor})


def _person(*contacts: object, **kw: object) -> Person:
    return Person(person_id="p", name="Alex Smith", locale="en", contacts=contacts, **kw)  # type: ignore[arg-type]


def _address(region: str | None, country: str = "US") -> PostalAddress:
    return PostalAddress(lines=("1 Main St",), city="Town", region=region, country=country)


# --- which zones ------------------------------------------------------------------


def test_time_zone_on_file_no_longer_silences_the_phone() -> None:
    zones = plausible_zones(_us().debtor, SEATTLE, ("UTC",))
    assert zones.names == ("America/New_York", "America/Los_Angeles")
    assert dict(zones.sources) == {
        "time_zone": ("America/New_York",),
        "phone": ("America/Los_Angeles",),
    }
    # the address (a US city, no region) and country=US only say "the US": covered
    assert zones.covered == ("address", "country")
    assert zones.source == "time_zone+phone"


def test_confirmed_location_is_the_time_zone_alone() -> None:
    zones = plausible_zones(_us(confirmed=True).debtor, SEATTLE, ("UTC",))
    assert (zones.names, zones.confirmed) == (("America/New_York",), True)


def test_confirmed_without_a_time_zone_changes_nothing() -> None:
    person = _person(PhoneContact(value=SEATTLE), location_confirmed=True)
    assert plausible_zones(person, SEATTLE, ("UTC",)).names == ("America/Los_Angeles",)


def test_idaho_address_alone_is_boise_and_los_angeles_not_every_us_zone() -> None:
    person = _person(EmailContact(value="a@example.com"), _address("ID"), country="US")
    zones = plausible_zones(person, "a@example.com", ("UTC",))
    assert zones.names == ("America/Boise", "America/Los_Angeles")
    assert "Pacific/Honolulu" not in zones.names and "America/Adak" not in zones.names
    assert zones.covered == ("country",)


@pytest.mark.parametrize("region", ["ID", "US-ID", "Idaho", " idaho "])
def test_address_region_spellings(region: str) -> None:
    zones = plausible_zones(_person(_address(region)), None, ("UTC",))
    assert zones.names == ("America/Boise", "America/Los_Angeles")


def test_address_region_and_phone_elsewhere_are_all_respected() -> None:
    person = _person(PhoneContact(value="+12125550100"), _address("Idaho"))
    zones = plausible_zones(person, None, ("UTC",))
    assert zones.names == ("America/New_York", "America/Boise", "America/Los_Angeles")


def test_unknown_region_fails_closed_to_the_country() -> None:
    zones = plausible_zones(_person(_address("Atlantis")), None, ("UTC",))
    assert len(zones.names) == 29 and "Pacific/Honolulu" in zones.names
    assert zones.source == "address"


def test_country_alone_is_every_zone_of_it() -> None:
    zones = plausible_zones(_person(country="US"), None, ("UTC",))
    assert len(zones.names) == 29 and zones.source == "country"


def test_toll_free_number_is_covered_by_a_finer_source_in_the_same_country() -> None:
    person = _person(PhoneContact(value=TOLL_FREE), time_zone="America/Chicago")
    zones = plausible_zones(person, TOLL_FREE, ("UTC",))
    assert zones.names == ("America/Chicago",)
    assert zones.covered == ("phone",)


def test_toll_free_number_alone_fails_closed() -> None:
    zones = plausible_zones(_person(PhoneContact(value=TOLL_FREE)), TOLL_FREE, ("UTC",))
    assert {"America/New_York", "Pacific/Honolulu", "America/Adak"} <= set(zones.names)


def test_a_country_that_contradicts_the_finer_sources_widens_the_set() -> None:
    # A Shanghai time zone and a US country: the US is not where the finer evidence is.
    zones = plausible_zones(_person(time_zone="Asia/Shanghai", country="US"), None, ("UTC",))
    assert zones.names[0] == "Asia/Shanghai" and "America/New_York" in zones.names


def test_territory_number_places_a_us_person() -> None:
    person = _person(PhoneContact(value="+17875550123"), country="US")
    assert plausible_zones(person, None, ("UTC",)).names == ("America/Puerto_Rico",)


@pytest.mark.parametrize(
    "region", ["新疆维吾尔自治区", "Xinjiang", "XJ", "广东", "广东省", "Guangdong"]
)
def test_chinese_provinces_are_beijing_time(region: str) -> None:
    person = _person(_address(region, "CN"))
    assert plausible_zones(person, None, ("UTC",)).names == ("Asia/Shanghai",)


def test_british_columbia_lists_its_mountain_zones_too() -> None:
    zones = plausible_zones(_person(_address("British Columbia", "CA")), None, ("UTC",))
    assert zones.names[0] == "America/Vancouver" and "America/Edmonton" in zones.names


def test_nothing_known_is_the_profile_default() -> None:
    zones = plausible_zones(_person(), None, ("America/Chicago",))
    assert (zones.names, zones.source) == (("America/Chicago",), "default")


# --- end to end: the deferral instant, exactly --------------------------------------

NY_ON_FILE_SEATTLE_PHONE = [
    # an ordinary winter day: EST = UTC-5, PST = UTC-8
    ("2026-01-05T08:30:00-05:00", False, "deferred", "2026-01-05T11:00:00-05:00"),
    ("2026-01-05T08:30:00-05:00", True, "delivered", None),
    ("2026-01-05T11:00:00-05:00", False, "delivered", None),
    ("2026-01-05T20:59:59-05:00", False, "delivered", None),
    ("2026-01-05T21:00:00-05:00", False, "deferred", "2026-01-06T11:00:00-05:00"),
    # Saturday before spring forward: still 3 hours apart
    ("2026-03-07T15:30:00+00:00", False, "deferred", "2026-03-07T16:00:00+00:00"),
    # Sunday 2026-03-08: New York jumps at 07:00 UTC, Seattle at 10:00 UTC; 08:00 PDT is
    # 15:00 UTC, 08:30 EDT (12:30 UTC) is 05:30 in Seattle
    ("2026-03-08T12:30:00+00:00", False, "deferred", "2026-03-08T15:00:00+00:00"),
    ("2026-03-08T12:30:00+00:00", True, "delivered", None),
    ("2026-03-08T15:00:00+00:00", False, "delivered", None),
    # 21:00 EDT is 01:00 UTC: closed until 08:00 PDT on Monday
    ("2026-03-09T00:59:59+00:00", False, "delivered", None),
    ("2026-03-09T01:00:00+00:00", False, "deferred", "2026-03-09T15:00:00+00:00"),
    # fall back, Sunday 2026-11-01: 08:00 PST is 16:00 UTC again
    ("2026-11-01T13:30:00+00:00", False, "deferred", "2026-11-01T16:00:00+00:00"),
]


@pytest.mark.parametrize(("now", "confirmed", "status", "until"), NY_ON_FILE_SEATTLE_PHONE)
async def test_new_york_on_file_seattle_mobile(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    now: str,
    confirmed: bool,
    status: str,
    until: str | None,
) -> None:
    fake_clock.set(utc(now))
    out = await build().send(notice_for(_us(confirmed=confirmed), "sms"))
    assert out.status.value == status, out.reason
    assert out.until == (utc(until) if until else None)
    if until:
        assert (out.rule, out.profile) == ("contact-window", "us-regf")


PHOENIX_ON_FILE_DENVER_PHONE = [
    # Arizona keeps MST (UTC-7) all year; Denver is MDT (UTC-6) from 2026-03-08 09:00 UTC
    ("2026-03-08T03:30:00+00:00", False, "delivered", None),  # Sat 20:30 in both
    ("2026-03-08T04:00:00+00:00", False, "deferred", "2026-03-08T15:00:00+00:00"),
    ("2026-03-08T14:30:00+00:00", False, "deferred", "2026-03-08T15:00:00+00:00"),  # 07:30 MST
    ("2026-03-08T15:00:00+00:00", False, "delivered", None),  # 08:00 MST, 09:00 MDT
    ("2026-03-09T02:59:59+00:00", False, "delivered", None),  # 20:59:59 MDT
    ("2026-03-09T03:00:00+00:00", False, "deferred", "2026-03-09T15:00:00+00:00"),  # 21:00 MDT
    ("2026-03-09T03:00:00+00:00", True, "delivered", None),  # 20:00 in Phoenix
    # Denver falls back at 2026-11-01 08:00 UTC: on the Saturday it closes an hour early
    ("2026-11-01T03:30:00+00:00", False, "deferred", "2026-11-01T15:00:00+00:00"),
    ("2026-11-02T03:30:00+00:00", False, "delivered", None),  # Sun 20:30 in both
]


@pytest.mark.parametrize(("now", "confirmed", "status", "until"), PHOENIX_ON_FILE_DENVER_PHONE)
async def test_phoenix_on_file_denver_phone_across_dst(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    now: str,
    confirmed: bool,
    status: str,
    until: str | None,
) -> None:
    fake_clock.set(utc(now))
    account = _us(phone=DENVER, time_zone="America/Phoenix", confirmed=confirmed)
    out = await build().send(notice_for(account, "sms"))
    assert out.status.value == status, out.reason
    assert out.until == (utc(until) if until else None)


MULTI_ZONE_PREFIX = [
    # +1 701: America/Denver (MST, UTC-7) and America/North_Dakota/Center (CST, UTC-6)
    ("2026-01-05T14:30:00+00:00", "deferred", "2026-01-05T15:00:00+00:00"),  # 07:30 MST
    ("2026-01-06T02:30:00+00:00", "delivered", None),  # 20:30 CST
    ("2026-01-06T03:00:00+00:00", "deferred", "2026-01-06T15:00:00+00:00"),  # 21:00 CST
]


@pytest.mark.parametrize(("now", "status", "until"), MULTI_ZONE_PREFIX)
async def test_number_whose_prefix_spans_two_zones(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    now: str,
    status: str,
    until: str | None,
) -> None:
    fake_clock.set(utc(now))
    out = await build().send(notice_for(_us(phone=NORTH_DAKOTA, time_zone=None), "sms"))
    assert out.status.value == status, out.reason
    assert out.until == (utc(until) if until else None)


async def test_idaho_address_only_end_to_end(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    # 15:30 UTC: 08:30 MST in Boise, 07:30 PST in the panhandle. With every US zone the
    # deferral would run to 08:00 in Honolulu (18:00 UTC); with Idaho's two, to 16:00.
    fake_clock.set(utc("2026-01-05T15:30:00+00:00"))
    base = us_account()
    person = _person(EmailContact(value="a@example.com"), _address("ID"), country="US")
    account = base.model_copy(update={"debtor": person})
    out = await build().send(notice_for(account, "email"))
    assert out.status.value == "deferred", out.reason
    assert out.until == utc("2026-01-05T16:00:00+00:00")


async def test_explain_shows_the_location_sources_of_the_window_vote(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    explained = await explain(d, notice_for(_us(), "sms"), utc("2026-01-05T08:30:00-05:00"))
    (row,) = [r for r in explained.rows if r.rule == "contact-window" and r.stage == "policy"]
    assert row.verdict == "defer"
    assert row.reason == "outside contact hours 08:00-21:00 local in one of 2 plausible zones"
    assert row.numbers["zones"] == ["America/New_York", "America/Los_Angeles"]
    assert row.numbers["sources"] == {
        "time_zone": ["America/New_York"],
        "phone": ["America/Los_Angeles"],
    }
    assert row.numbers["covered"] == ["address", "country"]
    assert row.numbers["next_allowed"] == "2026-01-05T16:00:00+00:00"
    text = repr(row.numbers)
    assert SEATTLE not in text and "Sample Road" not in text  # zones and source names only
