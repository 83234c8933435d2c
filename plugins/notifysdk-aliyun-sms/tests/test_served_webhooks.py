"""Aliyun's pushes reach the ledger through ``notifysdk serve``'s app on a real loopback
server: the plugin's routes are mounted by the notifysdk_register_webhooks hook, a push
without the configured token is refused, a 退订 reply blocks the next SMS."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.testing import sample_notice
from notifysdk_aliyun_sms.testing import FakeAliyunSms
from notifysdk_twilio.webhooks import WebhookSettings, create_app
from notifysdk_twilio.webhooks.loopback import LoopbackServer

REPLY = [
    {
        "phone_number": "13800138000",
        "send_time": "2026-01-05 10:05:00",
        "content": "退订",
        "sign_name": "Example Bank",
        "dest_code": "1234",
        "sequence_id": 7,
    }
]


async def test_a_reply_pushed_to_serve_blocks_the_next_sms(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
    monkeypatch: Any,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "aliyun-sms,twilio")
    # serve's built-in self-service page needs a ledger that stores notices
    ledger = SqliteLedger(f"sqlite:///{tmp_path}/ledger.db")
    d = make_dispatcher(ledger=ledger, callback_token="s3cret-token")
    assert (await d.send(sample_notice(channel="aliyun-sms"))).ok
    app = create_app(WebhookSettings(auth_token="unused-twilio-token"), d)
    async with LoopbackServer(app) as server, httpx.AsyncClient(base_url=server.base_url) as c:
        body = json.dumps(REPLY, ensure_ascii=False).encode()
        wrong = await c.post("/aliyun-sms/reply?token=guess", content=body)
        assert wrong.status_code == 403
        missing = await c.post("/aliyun-sms/reply", content=body)
        assert missing.status_code == 403
        ok = await c.post("/aliyun-sms/reply?token=s3cret-token", content=body)
        assert ok.status_code == 200 and ok.json() == {"code": 0, "msg": "成功"}
        bad = await c.post("/aliyun-sms/report?token=s3cret-token", content=b"not json")
        assert bad.status_code == 400
    fake_clock.advance(3600)
    again = await d.send(sample_notice(channel="aliyun-sms", kind=NoticeKind.FINAL_DEMAND))
    assert again.status is OutcomeStatus.BLOCKED and again.rule == "ledger-opt-out"
    assert aliyun_server.sends() == 1
