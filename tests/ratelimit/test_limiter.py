"""The per-sender limiter: one process on memory://, Redis shared, per-day deferral on a
fake clock, other senders unaffected, and what a bad setting or a lost storage does."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from notifysdk.clock import FakeClock, SystemClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import ConfigurationError, TransientDeliveryError
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.ratelimit import (
    RateLimitedChannel,
    RateLimitedError,
    RateLimitSettings,
    SenderRateLimiter,
)
from notifysdk_twilio import TwilioSmsChannel
from notifysdk_twilio.testing import FakeTwilioServer

from .test_shared_limit import max_in_window

SHANGHAI_10AM = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def limiter(storage: str = "memory://", **limits: Any) -> SenderRateLimiter:
    settings = RateLimitSettings.model_validate({"storage": storage, **limits})
    return SenderRateLimiter(settings, clock=SystemClock(), scope="sms")


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> str:
    """Each store: this process's, and a real Redis."""
    if request.param == "memory":
        return "memory://"
    url: str = request.getfixturevalue("redis_url")
    return url


async def take(lim: SenderRateLimiter, sender: str) -> float:
    """Seconds waited for a slot of ``sender``, whose request ends at once."""
    t0 = time.monotonic()
    async with lim.slot(sender):
        pass
    return time.monotonic() - t0


async def test_a_full_second_waits_for_the_slot_and_other_senders_do_not(storage: str) -> None:
    lim = limiter(storage, per_second=2)
    try:
        assert await take(lim, "+14155550001") < 0.2
        assert await take(lim, "+14155550001") < 0.2
        # Another sender of the same channel has its own window: no wait.
        assert await take(lim, "+14155550002") < 0.2
        assert await take(lim, "+14155550002") < 0.2
        waited = await take(lim, "+14155550001")  # the third in a second waits for one
        assert 0.8 < waited < 1.6
    finally:
        await lim.aclose()


async def test_a_slot_is_held_until_a_second_after_its_request_ended(storage: str) -> None:
    lim = limiter(storage, per_second=1)
    try:
        async with lim.slot("+14155550001"):
            await asyncio.sleep(0.4)  # a slow request: the provider may see it late
        waited = await take(lim, "+14155550001")
        assert waited > 0.9  # counted from the end (0.4 s in), not from the take
    finally:
        await lim.aclose()


async def test_past_max_wait_it_raises_with_the_reset(storage: str) -> None:
    lim = limiter(storage, per_second=1, max_wait_seconds=0)
    try:
        await take(lim, "S")
        with pytest.raises(RateLimitedError) as info:
            await take(lim, "S")
        assert isinstance(info.value, TransientDeliveryError)
        assert info.value.retry_after is not None and 0 < info.value.retry_after <= 1.0
        assert info.value.provider_code == "rate_limit"
    finally:
        await lim.aclose()


async def test_a_sender_override_replaces_the_channel_default() -> None:
    lim = limiter(per_second=1, max_wait_seconds=0, senders={"SHORTCODE": {"per_second": 3}})
    for _ in range(3):
        await take(lim, "SHORTCODE")
    with pytest.raises(RateLimitedError):
        await take(lim, "SHORTCODE")
    await take(lim, "LONGCODE")
    with pytest.raises(RateLimitedError):
        await take(lim, "LONGCODE")


async def test_an_unreachable_storage_sends_nothing_and_is_transient() -> None:
    lim = limiter("redis://127.0.0.1:9/0", per_second=5)
    sent = False
    try:
        with pytest.raises(TransientDeliveryError) as info:
            async with lim.slot("S"):
                sent = True
        assert info.value.provider_code == "rate_limit_storage"
        assert not sent
    finally:
        await lim.aclose()


def test_bad_settings_name_the_setting_never_the_value() -> None:
    section = {"rate_limit": {"per_second": 0, "storage": "ftp://user:hunter2@host/"}}
    with pytest.raises(ConfigurationError) as info:
        RateLimitSettings.from_section("twilio-sms", section)
    text = str(info.value)
    assert "notifysdk.channels.twilio-sms.rate_limit.per_second" in text
    assert "rate_limit.storage" in text
    assert "hunter2" not in text
    assert RateLimitSettings.from_section("twilio-sms", {}) is None
    assert RateLimitSettings.from_section("twilio-sms", {"rate_limit": {}}) is None


def make_dispatcher(
    worker: ModuleType, base_url: str, clock: Any, ledger_url: str = "memory://", **limits: Any
) -> Dispatcher:
    section = worker.section(base_url, limits.pop("storage", "memory://"), **limits)
    settings = Settings(
        channels={"twilio-sms": section}, ledger_url=ledger_url, recover_on_start=False
    )
    ledger = MemoryLedger() if ledger_url == "memory://" else None
    return Dispatcher(settings, plugins=PluginManager(), clock=clock, ledger=ledger)


@pytest.mark.timeout(60)
async def test_one_process_on_memory_storage_keeps_the_limit(worker: ModuleType) -> None:
    from notifysdk.clock import OffsetClock

    server = FakeTwilioServer(account_sid=worker.ACCOUNT_SID, auth_token=worker.AUTH_TOKEN)
    async with server:
        d = make_dispatcher(worker, server.base_url, OffsetClock(SHANGHAI_10AM), per_second=10)
        try:
            channel = d.channel("twilio-sms")
            assert isinstance(channel, RateLimitedChannel)
            assert isinstance(channel.inner, TwilioSmsChannel)
            outcomes = await d.send_many([worker.notice(i) for i in range(35)], concurrency=10)
        finally:
            await d.aclose()
        arrivals = [r.arrived for r in server.requests if r.method == "POST"]
    assert [o.status for o in outcomes] == [OutcomeStatus.DELIVERED] * 35
    assert len(server.messages) == 35
    assert max_in_window(arrivals) <= 10
    assert max(arrivals) - min(arrivals) >= 2.4  # 35 at 10/s: the limit did bind


async def test_the_daily_limit_defers_to_the_providers_midnight_then_sends(
    worker: ModuleType, tmp_path: Path
) -> None:
    clock = FakeClock(SHANGHAI_10AM)
    server = FakeTwilioServer(account_sid=worker.ACCOUNT_SID, auth_token=worker.AUTH_TOKEN)
    async with server:
        d = make_dispatcher(
            worker,
            server.base_url,
            clock,
            ledger_url=f"sqlite:///{tmp_path / 'ledger.db'}",
            per_day=3,
            day_zone="Asia/Shanghai",
        )
        try:
            outcomes = [await d.send(worker.notice(i)) for i in range(5)]
            assert [o.status for o in outcomes] == [OutcomeStatus.DELIVERED] * 3 + [
                OutcomeStatus.DEFERRED
            ] * 2
            midnight = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai
            for o in outcomes[3:]:
                assert o.rule == "retry-after" and o.until == midnight, o.reason
                assert o.provider_code == "rate_limit"
            assert len(server.messages) == 3  # nothing went out for the two
            # The next day (10:00 in Shanghai, inside the contact window) the due list
            # sends them, once each.
            clock.set(SHANGHAI_10AM + timedelta(days=1))
            due = await d.run_due()
        finally:
            await d.aclose()
    assert sorted(o.status for o in due) == [OutcomeStatus.DELIVERED] * 2
    assert len(server.messages) == 5


async def test_the_day_is_the_providers_and_resets_at_its_midnight(storage: str) -> None:
    clock = FakeClock(datetime(2026, 1, 5, 15, 30, tzinfo=UTC))  # 23:30 in Shanghai
    settings = RateLimitSettings.model_validate(
        {"storage": storage, "per_day": 2, "day_zone": "Asia/Shanghai"}
    )
    lim = SenderRateLimiter(settings, clock=clock, scope="sms")
    try:
        await take(lim, "SIGN")
        await take(lim, "SIGN")
        with pytest.raises(RateLimitedError) as info:
            await take(lim, "SIGN")
        assert info.value.until == datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
        assert info.value.retry_after == 30 * 60
        await take(lim, "OTHER-SIGN")  # another sender's day is its own
        clock.advance(minutes=31)  # 00:01 in Shanghai: a new day
        await take(lim, "SIGN")
    finally:
        await lim.aclose()


def test_the_sender_is_the_channels_own_or_its_name(worker: ModuleType) -> None:
    from notifysdk.channels import sender_of, unwrap
    from notifysdk.testing import MockChannel
    from notifysdk_twilio import TwilioSettings

    message = worker.notice(0)  # only its type matters to sender_of's default
    mock = MockChannel(name="letters")
    assert sender_of(mock, message) == "letters"
    section = worker.section("http://127.0.0.1:9", "memory://")
    twilio = TwilioSmsChannel("twilio-sms", TwilioSettings.load(section, environ={}), FakeClock())
    assert sender_of(twilio, message) == worker.SENDER
    wrapped = RateLimitedChannel(twilio, limiter(per_second=1))
    assert unwrap(wrapped) is twilio and unwrap(mock) is mock
    assert wrapped.settings is twilio.settings  # other attributes are the channel's
