"""Acceptance: notices through the real Dispatcher, the official twilio client and the
loopback Twilio-shaped server (fake clock; memory ledger, SQLite where it matters).

The ambiguous-failure tests need the dispatcher to handle
:class:`~notifysdk.errors.AmbiguousDeliveryError`: record the attempt as unknown, ask
the channel's ``reconcile`` at once, and end the notice by its answer (issue 12).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import DeliveryError, InvalidPhoneNumberError
from notifysdk.hookspecs import hookimpl
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.retry import RetryPolicy
from notifysdk.testing import sample_account, sample_notice
from notifysdk_twilio import TwilioSmsChannel, count_segments
from notifysdk_twilio.testing import FakeTwilioServer, Fault

PHONE = "+8613800138000"
LONG_NAME = "示例银行股份有限公司个人信贷中心"


def long_notice(**kw: Any) -> Any:
    """A zh-CN overdue notice whose SMS needs two UCS-2 segments."""
    account = sample_account().model_copy(update={"institution": LONG_NAME})
    return sample_notice(channel="twilio-sms", account=account, **kw)


def posts(server: FakeTwilioServer, resource: str = "Messages.json") -> int:
    return sum(1 for r in server.requests if r.method == "POST" and r.path.endswith(resource))


class AttemptSpy:
    """An event plugin recording every attempt's error: how an opt-out is observed."""

    def __init__(self) -> None:
        self.errors: list[BaseException | None] = []

    @hookimpl
    def notifysdk_on_attempt(self, notice: Any, attempt: Any, error: BaseException | None) -> None:
        self.errors.append(error)


async def test_429_with_retry_after_is_waited_then_delivered(
    make_dispatcher: Callable[..., Dispatcher],
    twilio_server: FakeTwilioServer,
    fake_clock: FakeClock,
) -> None:
    twilio_server.fail_next(Fault(429, 20429, "Too Many Requests", retry_after="7"))
    outcome = await make_dispatcher().send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 2
    assert fake_clock.sleeps == [7.0]  # the backoff (≤1 s) lifted to what Twilio asked
    assert posts(twilio_server) == 2
    assert len(twilio_server.messages) == 1
    assert outcome.receipt is not None
    assert outcome.receipt.provider_id == twilio_server.messages[0]["sid"]


async def test_500_then_delivered_with_exactly_one_message(
    make_dispatcher: Callable[..., Dispatcher],
    twilio_server: FakeTwilioServer,
    fake_clock: FakeClock,
) -> None:
    twilio_server.fail_next(Fault(500, 20500, "Internal Server Error"))
    outcome = await make_dispatcher().send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 2
    assert posts(twilio_server) == 2  # one 500 (not retried by the client itself), one 201
    assert len(twilio_server.messages) == 1
    assert len(fake_clock.sleeps) == 1


async def test_persistent_503_is_dead_lettered(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    twilio_server.fail_next(*[Fault(503, None, "Service Unavailable", retry_after="2")] * 5)
    outcome = await make_dispatcher().send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.DEAD_LETTERED
    assert outcome.attempts == 5
    assert outcome.provider_code == "503"
    assert twilio_server.messages == []


@pytest.mark.parametrize("code", [21211, 21614])
async def test_invalid_or_landline_number_is_permanent(
    make_dispatcher: Callable[..., Dispatcher],
    twilio_server: FakeTwilioServer,
    fake_clock: FakeClock,
    code: int,
) -> None:
    twilio_server.fail_next(Fault(400, code, f"The 'To' number {PHONE} is not valid."))
    outcome = await make_dispatcher().send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == str(code)
    assert outcome.attempts == 1 and fake_clock.sleeps == []
    assert posts(twilio_server) == 1
    assert PHONE not in (outcome.reason or "") and "13800138000" not in (outcome.reason or "")


async def test_21610_is_permanent_and_reports_the_opt_out(
    make_dispatcher: Callable[..., Dispatcher],
    twilio_server: FakeTwilioServer,
    plugin_manager: PluginManager,
) -> None:
    spy = AttemptSpy()
    plugin_manager.register(spy, "attempt-spy")
    d = make_dispatcher()
    twilio_server.fail_next(Fault(400, 21610, f"Attempt to send to unsubscribed recipient {PHONE}"))
    outcome = await d.send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "21610" and outcome.attempts == 1
    [error] = spy.errors
    assert isinstance(error, DeliveryError) and getattr(error, "opt_out", False) is True
    channel = d.channel("twilio-sms")
    assert isinstance(channel, TwilioSmsChannel) and PHONE in channel.opted_out
    # A later notice to the same number is refused locally, without asking Twilio again.
    again = await d.send(sample_notice(channel="twilio-sms", kind=NoticeKind.FINAL_DEMAND))
    assert again.status is OutcomeStatus.FAILED and again.provider_code == "21610"
    assert posts(twilio_server) == 1


async def test_chinese_text_is_counted_as_ucs2_segments(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    outcome = await make_dispatcher().send(long_notice(locale="zh-CN"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    detail = outcome.receipt.detail
    body = twilio_server.messages[0]["body"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body)
    assert 70 < len(body) <= 134  # more than one UCS-2 segment, at most two parts of 67
    assert detail["encoding"] == "UCS-2"
    assert detail["segments"] == count_segments(body).segments == 2
    assert str(detail["segments"]) == twilio_server.messages[0]["num_segments"]


async def test_english_text_is_gsm7(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    notice = sample_notice(channel="twilio-sms", account=sample_account(locale="en"), locale="en")
    outcome = await make_dispatcher().send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None and outcome.receipt.detail["encoding"] == "GSM-7"


async def test_over_the_segment_cap_fails_before_sending(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    outcome = await make_dispatcher(max_segments=1).send(long_notice())
    assert outcome.status is OutcomeStatus.FAILED
    assert "message.body" in (outcome.reason or "") and "maximum of 1" in (outcome.reason or "")
    assert posts(twilio_server) == 0


@pytest.fixture
async def durable_dispatcher(
    plugin_manager: PluginManager,
    fake_clock: FakeClock,
    twilio_section: dict[str, Any],
    tmp_path: Path,
) -> AsyncIterator[Callable[..., Dispatcher]]:
    """``durable_dispatcher(on_unknown="hold", **section)``: a SQLite ledger in tmp_path,
    five attempts, the client's timeout cut to 0.3 s (the server's hang decides)."""
    built: list[Dispatcher] = []

    def build(on_unknown: str = "hold", **overrides: Any) -> Dispatcher:
        section = {**twilio_section, "timeout_seconds": 0.3, **overrides}
        d = Dispatcher(
            Settings(
                output_dir=tmp_path / "out",
                ledger_url=f"sqlite:///{tmp_path / 'ledger.db'}",
                on_unknown_delivery=on_unknown,
                channels={"twilio-sms": section},
            ),
            plugins=plugin_manager,
            clock=fake_clock,
            retry=RetryPolicy(max_attempts=5, base_seconds=1, cap_seconds=30),
        )
        built.append(d)
        return d

    yield build
    for d in built:
        await d.aclose()


async def test_timeout_on_the_last_attempt_is_reconciled_as_delivered(
    durable_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    """Four 503s, then Twilio stores the fifth and never answers: the dispatcher asks
    reconcile, which finds the message, and the notice ends delivered — no sixth try,
    no dead letter, no second SMS."""
    twilio_server.fail_next(*[Fault(503, None, "Service Unavailable")] * 4, Fault(hang=True))
    async with durable_dispatcher() as d:
        outcome = await d.send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 5
    [message] = twilio_server.messages
    assert twilio_server.unanswered == [message["sid"]]
    assert outcome.receipt is not None and outcome.receipt.provider_id == message["sid"]
    assert posts(twilio_server) == 5  # one per attempt: no client-side retry anywhere


async def test_drop_after_acceptance_is_delivered_without_a_second_message(
    durable_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    twilio_server.fail_next(Fault(drop_after_accept=True))
    async with durable_dispatcher() as d:
        outcome = await d.send(sample_notice(channel="twilio-sms"))
        again = await d.send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 1
    assert outcome.receipt is not None
    assert outcome.receipt.provider_id == twilio_server.messages[0]["sid"]
    assert again.duplicate
    assert len(twilio_server.messages) == 1 and posts(twilio_server) == 1


async def test_a_request_lost_before_twilio_stored_it_is_sent_again(
    durable_dispatcher: Callable[..., Dispatcher],
    twilio_server: FakeTwilioServer,
    fake_clock: FakeClock,
) -> None:
    """Reconcile finds nothing (after letting the request settle): not sent, so the
    retry policy goes on and the second attempt delivers the only copy."""
    twilio_server.fail_next(Fault(drop_before_accept=True))
    async with durable_dispatcher() as d:
        outcome = await d.send(sample_notice(channel="twilio-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 2
    assert len(twilio_server.messages) == 1 and posts(twilio_server) == 2
    assert fake_clock.sleeps and fake_clock.sleeps[0] >= 10.0  # reconcile's settle wait


async def test_not_e164_is_a_typed_error_before_sending(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    with pytest.raises(InvalidPhoneNumberError) as info:
        await make_dispatcher().send(sample_notice(channel="twilio-sms", to="13800138000"))
    assert info.value.field == "notice.to" and "13800138000" not in str(info.value)
    assert twilio_server.requests == []


async def test_duplicate_notice_is_sent_once(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    d = make_dispatcher()
    first = await d.send(sample_notice(channel="twilio-sms"))
    second = await d.send(sample_notice(channel="twilio-sms"))
    assert first.ok and second.duplicate
    assert len(twilio_server.messages) == 1
