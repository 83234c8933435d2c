"""The channel alone: one pooled connection, no hidden retries, reconciling, quiet logs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from notifysdk.channels import Attempt, ReconcileStatus
from notifysdk.clock import FakeClock
from notifysdk.errors import (
    InvalidPhoneNumberError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifysdk.models import Medium, Message
from notifysdk_twilio import MessageTooLongError, TwilioSettings, TwilioSmsChannel
from notifysdk_twilio.errors import parse_retry_after
from notifysdk_twilio.testing import FakeTwilioServer, Fault

from .conftest import AUTH_TOKEN

TO = "+14155550100"


def sms(key: str, to: str = TO, body: str = "Example Bank: please call us back.") -> Message:
    return Message(
        idempotency_key=key, channel="twilio-sms", medium=Medium.SMS, to=to, locale="en", body=body
    )


@pytest.fixture
async def channel(
    twilio_section: dict[str, Any], fake_clock: FakeClock
) -> AsyncIterator[TwilioSmsChannel]:
    ch = TwilioSmsChannel("twilio-sms", TwilioSettings.load(twilio_section, environ={}), fake_clock)
    yield ch
    await ch.aclose()


async def test_one_connection_is_reused(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer
) -> None:
    for i in range(30):
        await channel.send(sms(f"k{i}"))
    assert len(twilio_server.messages) == 30
    assert len(twilio_server.peers) == 1
    assert all(r.nodelay for r in twilio_server.requests)  # the fake server sets TCP_NODELAY


async def test_the_client_never_retries_by_itself(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer
) -> None:
    twilio_server.fail_next(Fault(500), Fault(500))
    with pytest.raises(TransientDeliveryError) as info:
        await channel.send(sms("k"))
    assert info.value.status == 500 and info.value.retry_after is None
    assert len(twilio_server.requests) == 1
    assert type(channel.http.session) is aiohttp.ClientSession  # not aiohttp_retry's RetryClient


async def test_connection_refused_is_transient_and_nothing_sent(
    twilio_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    section = {**twilio_section, "base_url": "http://127.0.0.1:9"}  # discard port: refused
    ch = TwilioSmsChannel("twilio-sms", TwilioSettings.load(section, environ={}), fake_clock)
    with pytest.raises(TransientDeliveryError) as info:
        await ch.send(sms("k"))
    assert info.value.provider_code == "connect"
    await ch.aclose()
    await ch.aclose()  # idempotent


async def test_a_late_answer_times_out_and_is_not_sent_twice(
    twilio_section: dict[str, Any], twilio_server: FakeTwilioServer, fake_clock: FakeClock
) -> None:
    section = {**twilio_section, "timeout_seconds": 0.2}
    ch = TwilioSmsChannel("twilio-sms", TwilioSettings.load(section, environ={}), fake_clock)
    twilio_server.fail_next(Fault(delay_seconds=1.0))
    with pytest.raises(TransientDeliveryError) as info:
        await ch.send(sms("k"))
    assert info.value.provider_code == "ambiguous"
    receipt = await ch.send(sms("k"))  # the retry finds the accepted message
    assert receipt.detail["recovered"] is True
    assert len(twilio_server.messages) == 1
    await ch.aclose()


async def test_bad_number_and_too_long_fail_before_any_request(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer
) -> None:
    with pytest.raises(InvalidPhoneNumberError) as info:
        await channel.send(sms("k", to="4155550100"))
    assert info.value.field == "message.to" and "4155550100" not in str(info.value)
    with pytest.raises(MessageTooLongError) as too_long:
        await channel.send(sms("k", body="中" * 67 * 10 + "中"))
    assert too_long.value.field == "message.body" and "11 SMS segments" in str(too_long.value)
    assert twilio_server.requests == []


async def test_auth_failure_is_permanent(
    twilio_section: dict[str, Any], twilio_server: FakeTwilioServer, fake_clock: FakeClock
) -> None:
    section = {**twilio_section, "auth_token": "wrong-token"}
    ch = TwilioSmsChannel("twilio-sms", TwilioSettings.load(section, environ={}), fake_clock)
    with pytest.raises(PermanentDeliveryError) as info:
        await ch.send(sms("k"))
    assert info.value.provider_code == "20003" and "wrong-token" not in str(info.value)
    await ch.aclose()


async def test_no_secret_or_number_in_logs(
    channel: TwilioSmsChannel,
    twilio_server: FakeTwilioServer,
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    twilio_server.fail_next(Fault(400, 21211, f"The 'To' number {TO} is not a valid phone number."))
    with pytest.raises(PermanentDeliveryError) as info:
        await channel.send(sms("k1"))
    await channel.send(sms("k2"))
    await channel.reconcile(Attempt("k2", "twilio-sms", 1, TO, fake_clock.now()))
    assert TO not in str(info.value) and "4155550100" not in str(info.value)
    for text in (caplog.text, repr(channel.settings)):
        assert AUTH_TOKEN not in text and "4155550100" not in text


async def test_reconcile_by_sid_and_by_number(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer, fake_clock: FakeClock
) -> None:
    started = fake_clock.now()
    receipt = await channel.send(sms("k1"))
    by_sid = await channel.reconcile(
        Attempt("k1", "twilio-sms", 1, TO, started, provider_id=receipt.provider_id)
    )
    assert by_sid.status is ReconcileStatus.SENT and by_sid.provider_id == receipt.provider_id
    # A crash before the SID came back: listed by number and time.
    by_number = await channel.reconcile(Attempt("k1", "twilio-sms", 1, TO, started))
    assert by_number.status is ReconcileStatus.SENT
    assert by_number.provider_id == receipt.provider_id
    nothing = await channel.reconcile(Attempt("k9", "twilio-sms", 1, "+14155550199", started))
    assert nothing.status is ReconcileStatus.NOT_SENT
    later = await channel.reconcile(
        Attempt("k1", "twilio-sms", 1, TO, started + timedelta(hours=1))
    )
    assert later.status is ReconcileStatus.NOT_SENT  # the one message predates that attempt
    await channel.send(sms("k2"))
    two = await channel.reconcile(Attempt("k2", "twilio-sms", 1, TO, started))
    assert two.status is ReconcileStatus.UNKNOWN and two.detail["candidates"] == 2
    missing = await channel.reconcile(
        Attempt("k3", "twilio-sms", 1, TO, started, provider_id="SM" + "0" * 32)
    )
    assert missing.status is ReconcileStatus.UNKNOWN


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Mon, 05 Jan 2026 02:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 05 Jan 2026 01:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None
