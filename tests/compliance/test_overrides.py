"""Profile overrides: tightening is free, loosening a cited limit is explicit and audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.overrides import resolve
from notifysdk.compliance.profiles import US_REGF
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import ConfigurationError
from notifysdk.models import OutcomeStatus

from .conftest import notice_for, us_account, utc

NY = utc("2026-01-05T12:00:00-05:00")


def test_tightening_is_free() -> None:
    res = resolve(US_REGF, {"window": {"start": "09:00"}, "caps.regf-calls-7-in-7.limit": 5})
    assert res.profile.params["window"].start == time(9, 0)
    assert [c.limit for c in res.profile.params["caps"] if c.id == "regf-calls-7-in-7"] == [5]
    assert res.loosened == ()


@pytest.mark.parametrize(
    "overrides",
    [
        {"window.end": "22:00"},
        {"caps.regf-calls-7-in-7.limit": 9},
        {"quiet.regf-after-conversation.days": 3},
        {"required.mini-miranda-first": False},
        {"window": False},
    ],
)
def test_loosening_a_cited_limit_needs_a_justification(overrides: dict) -> None:
    with pytest.raises(ConfigurationError) as err:
        resolve(US_REGF, overrides)
    path = next(iter(overrides))
    assert path in str(err.value) and "loosen" in str(err.value)


def test_soft_cap_without_citation_loosens_freely() -> None:
    res = resolve(US_REGF, {"caps.regf-sms-daily-soft-cap.limit": 10})
    assert res.loosened == () and res.applied[0].new == 10


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"window.begin": "09:00"}, "cannot be overridden"),
        ({"caps.nope.limit": 1}, "no item"),
        ({"caps.regf-calls-7-in-7.limit": "seven"}, "whole number"),
        ({"loosen": {"window.end": "x"}}, "not overridden"),
    ],
)
def test_bad_overrides_name_the_path(overrides: dict, why: str) -> None:
    with pytest.raises(ConfigurationError, match=why):
        resolve(US_REGF, overrides)


async def test_approved_loosening_applies_and_is_audited_once(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
) -> None:
    settings = Settings(
        profiles={
            "us-regf": {
                "window.end": "21:30",
                "loosen": {"window.end": "state law review LS-7; consumer asked for evening calls"},
            }
        }
    )
    d = build(settings=settings)
    fake_clock.set(utc("2026-01-05T21:15:00-05:00"))
    first = await d.send(notice_for(us_account(), "sms"))
    fake_clock.advance(minutes=1)
    second = await d.send(notice_for(us_account(2), "sms"))
    assert first.status is OutcomeStatus.DELIVERED, first.reason
    assert second.status is OutcomeStatus.DELIVERED
    entries = [e for e in await d.ledger.audit_entries() if e.event == "profile_override"]
    assert len(entries) == 1
    assert entries[0].detail["path"] == "window.end"
    assert entries[0].detail["loosened"] is True
    assert "LS-7" in entries[0].detail["justification"]


async def test_tightened_cap_defers_earlier(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build(settings=Settings(profiles={"us-regf": {"caps.regf-sms-daily-soft-cap.limit": 1}}))
    fake_clock.set(NY)
    a = await d.send(notice_for(us_account(), "sms", data={"i": 1}))
    fake_clock.advance(timedelta(minutes=5).total_seconds())
    b = await d.send(notice_for(us_account(), "sms", data={"i": 2}))
    assert (a.status, b.status) == (OutcomeStatus.DELIVERED, OutcomeStatus.DEFERRED)
    assert b.until == utc("2026-01-06T08:00:00-05:00")


def test_reachability_numbers_are_overridden_like_the_window() -> None:
    from notifysdk.compliance.profiles import CN

    res = resolve(CN, {"reachability.failed_attempts": 5, "reachability.window_days": 14})
    spec = res.profile.params["reachability"]
    assert (spec.failed_attempts, spec.window_days) == (5, 14)
    assert res.loosened == ()
    with pytest.raises(ConfigurationError, match=r"reachability\.failed_attempts.*loosen"):
        resolve(CN, {"reachability.failed_attempts": 2})  # fewer failures: looser
    res = resolve(
        CN,
        {
            "reachability.failed_attempts": 2,
            "loosen": {"reachability.failed_attempts": "court order LS-7"},
        },
    )
    assert res.profile.params["reachability"].failed_attempts == 2
    assert [c.path for c in res.loosened] == ["reachability.failed_attempts"]
    with pytest.raises(ConfigurationError, match="no such section"):
        resolve(US_REGF, {"reachability.failed_attempts": 5})


def test_carrier_name_lists_are_set_by_the_lender() -> None:
    from notifysdk.compliance.profiles import CN

    res = resolve(
        CN,
        {
            "carrier_links.registered_domains": ["pay.lender.cn", "lender.cn"],
            "carrier_sign.channels": ["gateway-sms"],
            "carrier_optout.kinds": ["pre_due_reminder"],
        },
    )
    params = res.profile.params
    assert params["carrier_links"].registered_domains == ("pay.lender.cn", "lender.cn")
    assert params["carrier_sign"].channels == frozenset({"gateway-sms"})
    assert params["carrier_optout"].kinds == frozenset({"pre_due_reminder"})
    assert res.loosened == ()
    with pytest.raises(ConfigurationError, match="expects a list of names"):
        resolve(CN, {"carrier_links.registered_domains": "lender.cn"})
    tightened = resolve(CN, {"carrier_optout.kinds": ["pre_due_reminder"]}).profile
    with pytest.raises(ConfigurationError, match=r"dropping 'pre_due_reminder'.*loosen"):
        resolve(tightened, {"carrier_optout.kinds": []})
