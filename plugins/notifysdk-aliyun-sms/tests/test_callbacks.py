"""Aliyun's SmsReport and SmsUp pushes (documented JSON shapes) applied to the ledger:
a failure report fails the delivered notice, a 退订 reply blocks the next SMS."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.testing import sample_notice
from notifysdk_aliyun_sms.callbacks import (
    CallbackRefusedError,
    handle_reply_push,
    handle_report_push,
)
from notifysdk_aliyun_sms.testing import FakeAliyunSms


def report(biz_id: str, *, success: bool, err_code: str) -> bytes:
    return json.dumps(
        [
            {
                "phone_number": "13800138000",
                "send_time": "2026-01-05 10:00:00",
                "report_time": "2026-01-05 10:00:08",
                "success": success,
                "err_code": err_code,
                "err_msg": "用户接收失败",
                "sms_size": "1",
                "biz_id": biz_id,
                "out_id": "",
            }
        ]
    ).encode()


def reply(content: str, seq: int = 1) -> bytes:
    return json.dumps(
        [
            {
                "phone_number": "13800138000",
                "send_time": "2026-01-05 10:05:00",
                "content": content,
                "sign_name": "Example Bank",
                "dest_code": "1234",
                "sequence_id": seq,
            }
        ]
    ).encode()


async def test_a_failure_report_fails_the_delivered_notice_once(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
) -> None:
    ledger = MemoryLedger()
    notice = sample_notice(channel="aliyun-sms")
    assert (await make_dispatcher(ledger=ledger).send(notice)).ok
    biz_id = aliyun_server.sent[0].biz_id
    body = report(biz_id, success=False, err_code="MK:0012")
    result = await handle_report_push(ledger, body, now=fake_clock.now())
    assert (result.items, result.updated, result.unknown) == (1, 1, 0)
    state = await ledger.delivery(biz_id)
    assert state is not None and state.status == "failed" and state.error_code == "MK:0012"
    record = await ledger.get(notice.idempotency_key)
    assert record is not None and record.outcome is not None
    assert record.outcome.status is OutcomeStatus.FAILED
    # Aliyun pushes again when unsure of our answer: a replay changes nothing
    assert (await handle_report_push(ledger, body, now=fake_clock.now())).updated == 0


async def test_a_success_report_marks_the_attempt_delivered(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
) -> None:
    ledger = MemoryLedger()
    notice = sample_notice(channel="aliyun-sms")
    assert (await make_dispatcher(ledger=ledger).send(notice)).ok
    biz_id = aliyun_server.sent[0].biz_id
    await handle_report_push(
        ledger, report(biz_id, success=True, err_code="DELIVERED"), now=fake_clock.now()
    )
    state = await ledger.delivery(biz_id)
    assert state is not None and state.status == "delivered"
    record = await ledger.get(notice.idempotency_key)
    assert record is not None and record.outcome is not None and record.outcome.ok


async def test_a_td_reply_blocks_the_next_sms(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
) -> None:
    ledger = MemoryLedger()
    d = make_dispatcher(ledger=ledger)
    assert (await d.send(sample_notice(channel="aliyun-sms"))).ok
    result = await handle_reply_push(ledger, reply("TD"), now=fake_clock.now())
    assert result.opt_outs == 1
    assert (await handle_reply_push(ledger, reply("TD"), now=fake_clock.now())).opt_outs == 0
    fake_clock.advance(3600)
    again = await d.send(sample_notice(channel="aliyun-sms", kind=NoticeKind.FINAL_DEMAND))
    assert again.status is OutcomeStatus.BLOCKED and again.rule == "ledger-opt-out"
    assert aliyun_server.sends() == 1


async def test_a_reply_that_is_not_an_opt_out_does_not_block(
    make_dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ledger = MemoryLedger()
    d = make_dispatcher(ledger=ledger)
    assert (await d.send(sample_notice(channel="aliyun-sms"))).ok
    assert (await handle_reply_push(ledger, reply("已还款"), now=fake_clock.now())).opt_outs == 0
    fake_clock.advance(3600)
    assert (await d.send(sample_notice(channel="aliyun-sms", kind=NoticeKind.FINAL_DEMAND))).ok


@pytest.mark.parametrize("body", [b"not json", b'{"a": 1}', b"[1, 2]"])
async def test_malformed_pushes_are_refused(body: bytes, fake_clock: FakeClock) -> None:
    with pytest.raises(CallbackRefusedError) as info:
        await handle_report_push(MemoryLedger(), body, now=fake_clock.now())
    assert info.value.status == 400
