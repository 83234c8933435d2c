"""A small load test on loopback: 2,000 signed status callbacks for 2,000 messages
through the app (uvicorn, SQLite ledger), no error, every one recorded. Requests/s are
printed (``-s``), never asserted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from notifysdk.ledger.base import AttemptEnd
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import Outcome, OutcomeStatus, Receipt
from notifysdk_twilio.webhooks.loopback import signed

from .conftest import ACCOUNT_SID, AUTH_TOKEN
from .test_webhooks import Hooks, make_hooks, notice, sid_of

__all__ = ["make_hooks"]  # the fixture, shared with test_webhooks

CALLBACKS = 2000
CONCURRENCY = 64


async def seed(ledger: SqliteLedger, clock: Any, n: int) -> None:
    """``n`` delivered notices, each with its accepted attempt, through the ledger API."""
    now = clock.now()

    async def one(i: int) -> None:
        note = notice(f"nk_load_{i}")
        claim = await ledger.claim(
            note, owner="seed", now=now, lease_seconds=60, to="+8613800138000"
        )
        assert claim.attempt is not None  # attempt 1, recorded in flight with the claim
        receipt = Receipt(
            channel="twilio-sms", provider_id=sid_of(i), status="queued", accepted_at=now
        )
        await ledger.finish(
            note,
            Outcome(
                idempotency_key=note.idempotency_key,
                status=OutcomeStatus.DELIVERED,
                channel="twilio-sms",
                at=now,
                receipt=receipt,
                attempts=1,
            ),
            fence=claim.fence,
            ended=AttemptEnd(claim.attempt, receipt=receipt),
        )

    await asyncio.gather(*(one(i) for i in range(n)))


async def test_2000_signed_callbacks_all_recorded(make_hooks: Callable[..., Any]) -> None:
    h: Hooks = await make_hooks()
    await seed(h.ledger, h.dispatcher.clock, CALLBACKS)
    requests = []
    for i in range(CALLBACKS):
        form = {
            "AccountSid": ACCOUNT_SID,
            "MessageSid": sid_of(i),
            "MessageStatus": "delivered",
            "To": "+8613800138000",
            "ApiVersion": "2010-04-01",
        }
        requests.append(signed(h.public + "/status", form, AUTH_TOKEN))
    gate = asyncio.Semaphore(CONCURRENCY)

    async def post(body: bytes, headers: dict[str, str]) -> int:
        async with gate:
            return int((await h.client.post("/status", content=body, headers=headers)).status_code)

    started = time.perf_counter()
    codes = await asyncio.gather(*(post(b, hd) for b, hd in requests))
    elapsed = time.perf_counter() - started
    assert codes == [204] * CALLBACKS
    states = await asyncio.gather(*(h.ledger.delivery(sid_of(i)) for i in range(CALLBACKS)))
    assert all(s is not None and s.status == "delivered" for s in states)
    assert await h.audit_events("delivery_status") == CALLBACKS
    print(f"\n{CALLBACKS} signed callbacks in {elapsed:.2f}s: {CALLBACKS / elapsed:.0f} requests/s")
