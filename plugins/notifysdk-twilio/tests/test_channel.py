"""The channel alone: one pooled connection, no hidden retries, reconciling, quiet logs."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from notifysdk.channels import Attempt, ReconcileStatus
from notifysdk.clock import FakeClock
from notifysdk.errors import (
    AmbiguousDeliveryError,
    InvalidPhoneNumberError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifysdk.models import Medium, Message
from notifysdk_twilio import MessageTooLongError, TwilioSettings, TwilioSmsChannel
from notifysdk_twilio.channels import BODY_DIGEST, body_digest
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
    # A port this test holds bound but not listening: connecting to it is refused.
    with socket.socket() as held:
        held.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        section = {**twilio_section, "base_url": f"http://127.0.0.1:{port}"}
        ch = TwilioSmsChannel("twilio-sms", TwilioSettings.load(section, environ={}), fake_clock)
        with pytest.raises(TransientDeliveryError) as info:
            await ch.send(sms("k"))
    assert info.value.provider_code == "connect"
    await ch.aclose()
    await ch.aclose()  # idempotent


def _short_timeout(section: dict[str, Any], fake_clock: FakeClock) -> TwilioSmsChannel:
    settings = TwilioSettings.load({**section, "timeout_seconds": 0.3}, environ={})
    return TwilioSmsChannel("twilio-sms", settings, fake_clock)


async def test_no_answer_is_ambiguous_and_reconcile_finds_the_message(
    twilio_section: dict[str, Any], twilio_server: FakeTwilioServer, fake_clock: FakeClock
) -> None:
    ch = _short_timeout(twilio_section, fake_clock)
    twilio_server.hang_next()  # stores the message, never answers
    started = fake_clock.now()
    with pytest.raises(AmbiguousDeliveryError) as info:
        await ch.send(sms("k"))
    assert not isinstance(info.value, TransientDeliveryError)  # never retried blindly
    assert info.value.provider_code == "timeout"
    assert len(twilio_server.requests) == 1  # neither twilio nor aiohttp re-sent the POST
    [stored] = twilio_server.messages
    assert twilio_server.unanswered == [stored["sid"]]
    # The dispatcher then asks reconcile (no SID: Twilio never answered).
    result = await ch.reconcile(Attempt("k", "twilio-sms", 1, TO, started))
    assert result.status is ReconcileStatus.SENT and result.provider_id == stored["sid"]
    assert result.detail["matched_by"] == "to+time+body"  # the channel noted the body
    assert fake_clock.sleeps == []  # a match needs no settling
    assert len(twilio_server.messages) == 1
    await ch.aclose()


async def test_a_dropped_connection_is_ambiguous(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer
) -> None:
    twilio_server.fail_next(Fault(drop_after_accept=True))
    with pytest.raises(AmbiguousDeliveryError) as info:
        await channel.send(sms("k"))
    assert info.value.provider_code == "disconnected"
    assert TO not in str(info.value)
    assert len(twilio_server.messages) == 1 and len(twilio_server.requests) == 1


async def test_the_channel_never_looks_before_sending(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer
) -> None:
    """Reconciling is the dispatcher's job, once: a send is always one create."""
    twilio_server.fail_next(Fault(drop_after_accept=True))
    with pytest.raises(AmbiguousDeliveryError):
        await channel.send(sms("k"))
    await channel.send(sms("k"))  # what a 'resend' decision does: a second create
    assert [r.method for r in twilio_server.requests] == ["POST", "POST"]
    assert len(twilio_server.messages) == 2


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
    assert by_sid.detail["matched_by"] == "sid"
    # A crash before the SID came back: listed by number and time.
    by_number = await channel.reconcile(Attempt("k1", "twilio-sms", 1, TO, started))
    assert by_number.status is ReconcileStatus.SENT
    assert by_number.provider_id == receipt.provider_id
    assert by_number.detail["matched_by"] == "to+time"
    await channel.send(sms("k2"))
    two = await channel.reconcile(Attempt("k2", "twilio-sms", 1, TO, started))
    assert two.status is ReconcileStatus.UNKNOWN and two.detail["candidates"] == 2
    missing = await channel.reconcile(
        Attempt("k3", "twilio-sms", 1, TO, started, provider_id="SM" + "0" * 32)
    )
    assert missing.status is ReconcileStatus.UNKNOWN


async def test_reconcile_narrows_by_the_body_digest_the_ledger_stored(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer, fake_clock: FakeClock
) -> None:
    started = fake_clock.now()
    ours = await channel.send(sms("k1", body="Example Bank: your loan is 10 days overdue."))
    await channel.send(sms("k2", body="Example Bank: your one-time code is 123456."))
    digest = body_digest("Example Bank: your loan is 10 days overdue.")
    attempt = Attempt("k1", "twilio-sms", 1, TO, started, detail={BODY_DIGEST: digest})
    result = await channel.reconcile(attempt)
    assert result.status is ReconcileStatus.SENT and result.provider_id == ours.provider_id
    assert result.detail["matched_by"] == "to+time+body"
    # Another message in the window but none with this body: it may be ours, altered
    # by Twilio, so not "not sent".
    other = Attempt("k3", "twilio-sms", 1, TO, started, detail={BODY_DIGEST: "0" * 64})
    unsure = await channel.reconcile(other)
    assert unsure.status is ReconcileStatus.UNKNOWN
    assert unsure.detail["candidates"] == 0 and unsure.detail["others_in_window"] == 2


async def test_reconcile_not_sent_only_after_the_request_could_have_settled(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer, fake_clock: FakeClock
) -> None:
    settle = channel.settings.timeout_seconds + channel.settings.reconcile_settle_seconds
    started = fake_clock.now()
    fresh = await channel.reconcile(Attempt("k9", "twilio-sms", 1, "+14155550199", started))
    assert fresh.status is ReconcileStatus.NOT_SENT
    assert fake_clock.sleeps == [settle]  # waited (on the fake clock) once, then listed again
    gets = [r for r in twilio_server.requests if r.method == "GET"]
    assert len(gets) == 2
    old = await channel.reconcile(Attempt("k9", "twilio-sms", 1, "+14155550199", started))
    assert old.status is ReconcileStatus.NOT_SENT and fake_clock.sleeps == [settle]
    # an older message to the number predates this attempt: still not sent
    await channel.send(sms("k1"))
    fake_clock.advance(hours=1)
    later = await channel.reconcile(Attempt("k1", "twilio-sms", 2, TO, fake_clock.now()))
    assert later.status is ReconcileStatus.NOT_SENT


async def test_reconcile_follows_pages_and_an_unfinished_listing_is_unknown(
    channel: TwilioSmsChannel, twilio_server: FakeTwilioServer, fake_clock: FakeClock
) -> None:
    channel.lookup_page_size = 2
    started = fake_clock.now()
    target = await channel.send(sms("k0", body="the one we look for"))
    for i in range(4):  # newer messages push it to page 3 of 2-message pages
        await channel.send(sms(f"k{i + 1}", body=f"another notice {i}"))
    digest = body_digest("the one we look for")
    attempt = Attempt("k0", "twilio-sms", 1, TO, started, detail={BODY_DIGEST: digest})
    found = await channel.reconcile(attempt)
    assert found.status is ReconcileStatus.SENT and found.provider_id == target.provider_id
    assert [dict(r.query).get("Page") for r in twilio_server.requests if r.method == "GET"] == [
        None,
        "1",
        "2",
    ]
    channel.lookup_max_pages = 2  # gives up before the page holding it
    cut = await channel.reconcile(attempt)
    assert cut.status is ReconcileStatus.UNKNOWN and cut.detail["complete"] is False


async def test_reconcile_lists_only_messages_from_our_sender(
    channel: TwilioSmsChannel,
    twilio_section: dict[str, Any],
    twilio_server: FakeTwilioServer,
    fake_clock: FakeClock,
) -> None:
    started = fake_clock.now()
    other_sender = TwilioSmsChannel(
        "twilio-sms",
        TwilioSettings.load({**twilio_section, "from": "+14155559999"}, environ={}),
        fake_clock,
    )
    await other_sender.send(sms("otp"))  # e.g. the lender's app texting a code
    await other_sender.aclose()
    ours = await channel.send(sms("k1"))
    result = await channel.reconcile(Attempt("k1", "twilio-sms", 1, TO, started))
    assert result.status is ReconcileStatus.SENT and result.provider_id == ours.provider_id
    last_list = [r for r in twilio_server.requests if r.method == "GET"][-1]
    assert dict(last_list.query)["From"] == channel.settings.from_


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Mon, 05 Jan 2026 02:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 05 Jan 2026 01:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None
