"""Contact windows: boundaries, DST days, unknown zones (table-driven, end to end)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.zones import plausible_zones
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus, Person, PhoneContact, PostalAddress

from .conftest import cn_account, notice_for, us_account, utc

CN_CASES = [
    # local Asia/Shanghai time -> expected status, expected until
    ("2026-01-05T07:59:59+08:00", "deferred", "2026-01-05T08:00:00+08:00"),
    ("2026-01-05T08:00:00+08:00", "delivered", None),
    ("2026-01-05T21:59:59+08:00", "delivered", None),
    ("2026-01-05T22:00:00+08:00", "deferred", "2026-01-06T08:00:00+08:00"),
    ("2026-01-05T00:00:00+08:00", "deferred", "2026-01-05T08:00:00+08:00"),
]


@pytest.mark.parametrize(("now", "status", "until"), CN_CASES)
async def test_cn_window_boundaries(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    now: str,
    status: str,
    until: str | None,
) -> None:
    fake_clock.set(utc(now))
    out = await build().send(notice_for(cn_account(), "sms"))
    assert out.status.value == status
    assert out.until == (utc(until) if until else None)
    if until:
        assert (out.rule, out.profile) == ("contact-window", "cn")


NY_CASES = [
    # ordinary day: 08:00-21:00 EST (UTC-5)
    ("2026-01-05T07:59:59-05:00", "deferred", "2026-01-05T08:00:00-05:00"),
    ("2026-01-05T08:00:00-05:00", "delivered", None),
    ("2026-01-05T20:59:59-05:00", "delivered", None),
    ("2026-01-05T21:00:00-05:00", "deferred", "2026-01-06T08:00:00-05:00"),
    # spring forward, Sunday 2026-03-08: 02:00 EST -> 03:00 EDT; 08:00 EDT is 12:00 UTC
    ("2026-03-07T21:30:00-05:00", "deferred", "2026-03-08T08:00:00-04:00"),
    ("2026-03-08T03:30:00-04:00", "deferred", "2026-03-08T08:00:00-04:00"),
    ("2026-03-08T07:59:59-04:00", "deferred", "2026-03-08T08:00:00-04:00"),
    ("2026-03-08T08:00:00-04:00", "delivered", None),
    ("2026-03-08T20:59:59-04:00", "delivered", None),
    ("2026-03-08T21:00:00-04:00", "deferred", "2026-03-09T08:00:00-04:00"),
    # fall back, Sunday 2026-11-01: 02:00 EDT -> 01:00 EST; 08:00 EST is 13:00 UTC
    ("2026-10-31T21:00:00-04:00", "deferred", "2026-11-01T08:00:00-05:00"),
    ("2026-11-01T01:30:00-04:00", "deferred", "2026-11-01T08:00:00-05:00"),
    ("2026-11-01T01:30:00-05:00", "deferred", "2026-11-01T08:00:00-05:00"),
    ("2026-11-01T07:59:59-05:00", "deferred", "2026-11-01T08:00:00-05:00"),
    ("2026-11-01T08:00:00-05:00", "delivered", None),
    ("2026-11-01T20:59:59-05:00", "delivered", None),
    ("2026-11-01T21:00:00-05:00", "deferred", "2026-11-02T08:00:00-05:00"),
]


@pytest.mark.parametrize(("now", "status", "until"), NY_CASES)
async def test_new_york_window_and_dst(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    now: str,
    status: str,
    until: str | None,
) -> None:
    fake_clock.set(utc(now))
    out = await build().send(notice_for(us_account(), "sms"))
    assert out.status.value == status, out.reason
    assert out.until == (utc(until) if until else None)


def test_plus86_number_with_no_zone_is_shanghai() -> None:
    person = Person(person_id="p", name="张伟", contacts=(PhoneContact(value="+8613800138000"),))
    zones = plausible_zones(person, "+8613800138000", ("UTC",))
    assert zones.names == ("Asia/Shanghai",)
    assert zones.source == "phone"


async def test_plus86_no_zone_end_to_end(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(utc("2026-01-05T07:30:00+08:00"))
    out = await build().send(notice_for(cn_account(time_zone=None), "sms"))
    assert out.status is OutcomeStatus.DEFERRED
    assert out.until == utc("2026-01-05T08:00:00+08:00")


US_TWO_ZONES = [
    # +1 208 (Idaho): America/Boise (Mountain) and America/Los_Angeles (Pacific)
    ("2026-01-05T15:30:00+00:00", "deferred", "2026-01-05T16:00:00+00:00"),  # 08:30 MST, 07:30 PST
    ("2026-01-05T16:00:00+00:00", "delivered", None),  # 09:00 MST, 08:00 PST
    ("2026-01-06T03:59:59+00:00", "delivered", None),  # 20:59:59 MST
    ("2026-01-06T04:00:00+00:00", "deferred", "2026-01-06T16:00:00+00:00"),  # 21:00 MST
]


@pytest.mark.parametrize(("now", "status", "until"), US_TWO_ZONES)
async def test_us_number_spanning_two_zones(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    now: str,
    status: str,
    until: str | None,
) -> None:
    fake_clock.set(utc(now))
    account = us_account(phone="+12085550123", time_zone=None)
    out = await build().send(notice_for(account, "sms"))
    assert out.status.value == status, out.reason
    assert out.until == (utc(until) if until else None)


def test_address_in_another_country_widens_the_zones() -> None:
    person = Person(
        person_id="p",
        name="n",
        contacts=(
            PhoneContact(value="+12125550100"),
            PostalAddress(lines=("1 Road",), city="Shanghai", country="CN"),
        ),
    )
    zones = plausible_zones(person, None, ("UTC",))
    assert zones.names == ("America/New_York", "Asia/Shanghai")
    assert zones.source == "phone+address"
    assert zones.sources == {"phone": ("America/New_York",), "address": ("Asia/Shanghai",)}


def test_nothing_known_uses_profile_defaults() -> None:
    zones = plausible_zones(Person(person_id="p", name="n"), None, ("Europe/London",))
    assert (zones.names, zones.source) == (("Europe/London",), "default")


async def test_strictest_window_wins_wa_on_top_of_regf(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(utc("2026-01-05T07:45:00-05:00"))  # inside WA's 07:30, not Reg F's 08:00
    out = await build().send(notice_for(us_account(profiles=("us-regf", "us-wa")), "sms"))
    assert (out.status, out.profile) == (OutcomeStatus.DEFERRED, "us-regf")
    assert out.until == utc("2026-01-05T08:00:00-05:00")


async def test_windows_that_never_overlap_block(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    # Tightened (free) windows: 08-09 in Shanghai (00-01 UTC), 20:30-21:00 in New York
    # (01:30-02:00 UTC); a person with a number in each never has a common instant.
    from notifysdk.config import Settings

    settings = Settings(
        profiles={"cn": {"window.end": "09:00"}, "us-regf": {"window.start": "20:30"}}
    )
    fake_clock.set(utc("2026-01-05T03:00:00+00:00"))
    account = cn_account(profiles=("cn", "us-regf"), time_zone=None)
    person = account.debtor.model_copy(
        update={
            "country": None,
            "contacts": (
                PhoneContact(value="+8613800138000"),
                PhoneContact(value="+12125550100"),
            ),
        }
    )
    account = account.model_copy(update={"debtor": person})
    out = await build(settings=settings).send(notice_for(account, "sms"))
    assert out.status is OutcomeStatus.BLOCKED
    assert out.rule == "contact-window"
