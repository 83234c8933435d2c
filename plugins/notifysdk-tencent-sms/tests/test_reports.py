"""Carrier reports and replies pulled by ``poll_once`` into the ledger: a FAIL report
fails the delivered notice, a 退订 reply blocks the next SMS to that number."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.testing import sample_notice
from notifysdk_tencent_sms.channel import TencentSmsChannel
from notifysdk_tencent_sms.keywords import is_opt_out
from notifysdk_tencent_sms.poll import poll_once
from notifysdk_tencent_sms.testing import FakeTencentSms

PHONE = "+8613800138000"


async def test_a_delivery_report_updates_the_outcome(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
) -> None:
    ledger = MemoryLedger()
    d = make_dispatcher(ledger=ledger)
    notice = sample_notice(channel="tencent-sms")
    outcome = await d.send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED
    serial = tencent_server.sent[0].serial_no
    tencent_server.report(serial, ok=False, description="MK:0001")
    channel = d.channel("tencent-sms")
    assert isinstance(channel, TencentSmsChannel)
    result = await poll_once(channel, ledger, now=fake_clock.now())
    assert (result.reports, result.updated, result.unknown) == (1, 1, 0)
    state = await ledger.delivery(serial)
    assert state is not None and state.status == "failed" and state.error_code == "MK:0001"
    record = await ledger.get(notice.idempotency_key)
    assert record is not None and record.outcome is not None
    assert record.outcome.status is OutcomeStatus.FAILED
    assert record.outcome.rule == "delivery-receipt"
    # polled again, the queue is empty: nothing changes
    assert (await poll_once(channel, ledger, now=fake_clock.now())).reports == 0


@pytest.mark.parametrize("reply", ["退订", "TD", "t", "ＳＴＯＰ", "我要退订。"])
async def test_an_opt_out_reply_blocks_the_next_sms(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
    reply: str,
) -> None:
    ledger = MemoryLedger()
    d = make_dispatcher(ledger=ledger)
    assert (await d.send(sample_notice(channel="tencent-sms"))).ok
    tencent_server.reply(PHONE, reply)
    channel = d.channel("tencent-sms")
    assert isinstance(channel, TencentSmsChannel)
    result = await poll_once(channel, ledger, now=fake_clock.now())
    assert (result.replies, result.opt_outs) == (1, 1)
    fake_clock.advance(3600)
    again = await d.send(sample_notice(channel="tencent-sms", kind=NoticeKind.FINAL_DEMAND))
    assert again.status is OutcomeStatus.BLOCKED, again.reason
    assert again.rule == "ledger-opt-out"
    assert tencent_server.sends() == 1


async def test_a_reply_that_is_not_an_opt_out_changes_nothing(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
) -> None:
    ledger = MemoryLedger()
    d = make_dispatcher(ledger=ledger)
    assert (await d.send(sample_notice(channel="tencent-sms"))).ok
    tencent_server.reply(PHONE, "好的，明天还")
    channel = d.channel("tencent-sms")
    assert isinstance(channel, TencentSmsChannel)
    result = await poll_once(channel, ledger, now=fake_clock.now())
    assert (result.replies, result.opt_outs) == (1, 0)
    fake_clock.advance(3600)
    again = await d.send(sample_notice(channel="tencent-sms", kind=NoticeKind.FINAL_DEMAND))
    assert again.ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退订", True),
        ("回复退订", True),
        ("R", True),
        ("拒收", True),
        ("stop", True),
        ("TDD", False),
        ("我已还款", False),
        ("", False),
    ],
)
def test_opt_out_keywords(text: str, expected: bool) -> None:
    assert is_opt_out(text) is expected


async def test_reports_and_opt_outs_on_the_durable_sqlite_ledger(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    from notifysdk.ledger.sqlite import SqliteLedger

    ledger = SqliteLedger(f"sqlite:///{tmp_path / 'ledger.db'}")
    d = make_dispatcher(ledger=ledger)
    notice = sample_notice(channel="tencent-sms")
    assert (await d.send(notice)).ok
    tencent_server.report(tencent_server.sent[0].serial_no, ok=False, description="MK:0001")
    tencent_server.reply(PHONE, "退订")
    channel = d.channel("tencent-sms")
    assert isinstance(channel, TencentSmsChannel)
    result = await poll_once(channel, ledger, now=fake_clock.now())
    assert (result.updated, result.opt_outs) == (1, 1)
    record = await ledger.get(notice.idempotency_key)
    assert record is not None and record.outcome is not None
    assert record.outcome.status is OutcomeStatus.FAILED
    fake_clock.advance(3600)
    again = await d.send(sample_notice(channel="tencent-sms", kind=NoticeKind.FINAL_DEMAND))
    assert again.status is OutcomeStatus.BLOCKED and again.rule == "ledger-opt-out"
