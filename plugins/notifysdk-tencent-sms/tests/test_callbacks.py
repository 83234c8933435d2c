"""Tencent's status and reply callbacks (documented JSON shapes) applied to the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.testing import sample_notice
from notifysdk_tencent_sms.callbacks import (
    CallbackRefusedError,
    handle_reply_callback,
    handle_status_callback,
)
from notifysdk_tencent_sms.testing import FakeTencentSms


async def test_a_fail_status_callback_fails_the_notice_once(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
) -> None:
    ledger = MemoryLedger()
    notice = sample_notice(channel="tencent-sms")
    assert (await make_dispatcher(ledger=ledger).send(notice)).ok
    body = json.dumps(
        [
            {
                "user_receive_time": "2026-01-05 10:00:08",
                "nationcode": "86",
                "mobile": "13800138000",
                "report_status": "FAIL",
                "errmsg": "MK:0012",
                "description": "用户接收失败",
                "sid": tencent_server.sent[0].serial_no,
            }
        ]
    ).encode()
    assert (await handle_status_callback(ledger, body, now=fake_clock.now())).updated == 1
    assert (await handle_status_callback(ledger, body, now=fake_clock.now())).updated == 0
    record = await ledger.get(notice.idempotency_key)
    assert record is not None and record.outcome is not None
    assert record.outcome.status is OutcomeStatus.FAILED


async def test_a_tuiding_reply_callback_blocks_the_next_sms(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
) -> None:
    ledger = MemoryLedger()
    d = make_dispatcher(ledger=ledger)
    assert (await d.send(sample_notice(channel="tencent-sms"))).ok
    body = json.dumps(
        {
            "extend": "",
            "mobile": "13800138000",
            "nationcode": "86",
            "sign": "Example Bank",
            "text": "退订",
            "time": 1767578700,
        }
    ).encode()
    assert (await handle_reply_callback(ledger, body, now=fake_clock.now())).opt_outs == 1
    fake_clock.advance(3600)
    again = await d.send(sample_notice(channel="tencent-sms", kind=NoticeKind.FINAL_DEMAND))
    assert again.status is OutcomeStatus.BLOCKED and again.rule == "ledger-opt-out"
    assert tencent_server.sends() == 1


@pytest.mark.parametrize("body", [b"nope", b'{"sid": 1}', b'[{"sid": "x"}]'])
async def test_malformed_status_callbacks_are_refused(body: bytes, fake_clock: FakeClock) -> None:
    with pytest.raises(CallbackRefusedError) as info:
        await handle_status_callback(MemoryLedger(), body, now=fake_clock.now())
    assert info.value.status == 400
