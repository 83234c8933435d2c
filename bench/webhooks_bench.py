"""Webhook app throughput on loopback: signed status callbacks through the app (signature
check, form parsing, SQLite ledger compare-and-set, audit entry) against a baseline
measured in the same run — a bare Starlette endpoint answering 204 without validation
or ledger, behind the same uvicorn and client.

    .venv/bin/python bench/webhooks_bench.py [--n 4000] [--concurrency 64]

Prints requests/s for both and the ratio. Not a timed test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import Outcome, OutcomeStatus, Receipt
from notifysdk.testing import sample_notice
from notifysdk_twilio.webhooks import WebhookSettings, create_app
from notifysdk_twilio.webhooks.loopback import LoopbackServer, signed

ACCOUNT = "AC" + "0123456789abcdef" * 2
TOKEN = "bench-token"


def sid(i: int) -> str:
    """The i-th message SID."""
    return "SM" + f"{i:032x}"


async def seed(ledger: SqliteLedger, n: int, now: datetime) -> None:
    """``n`` delivered notices with accepted attempts, through the ledger API."""

    async def one(i: int) -> None:
        note = sample_notice(channel="twilio-sms", idempotency_key=f"nk_bench_{i}")
        await ledger.claim(note, owner="bench", now=now, lease_seconds=60)
        att = await ledger.begin_attempt(
            note.idempotency_key, number=1, to="+8613800138000", now=now
        )
        receipt = Receipt(
            channel="twilio-sms", provider_id=sid(i), status="queued", accepted_at=now
        )
        await ledger.end_attempt(att, now=now, receipt=receipt)
        outcome = Outcome(
            idempotency_key=note.idempotency_key,
            status=OutcomeStatus.DELIVERED,
            channel="twilio-sms",
            at=now,
            receipt=receipt,
            attempts=1,
        )
        await ledger.finish(note, outcome)

    await asyncio.gather(*(one(i) for i in range(n)))


async def drive(
    base_url: str, path: str, bodies: list[tuple[bytes, dict[str, str]]], concurrency: int
) -> float:
    """Post every body; requests/s. Raises on any non-204."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:

        async def one(body: bytes, headers: dict[str, str]) -> None:
            async with s.post(base_url + path, data=body, headers=headers) as r:
                await r.read()
                if r.status != 204:
                    raise RuntimeError(f"HTTP {r.status}")

        started = time.perf_counter()
        await asyncio.gather(*(one(b, h) for b, h in bodies))
        return len(bodies) / (time.perf_counter() - started)


async def bare(request: Request) -> Response:
    """The baseline: read the body, answer 204."""
    await request.body()
    return Response(status_code=204)


async def main(n: int, concurrency: int) -> None:
    """Baseline first, then the app, on the same machine in the same run."""
    forms = [
        {
            "AccountSid": ACCOUNT,
            "MessageSid": sid(i),
            "MessageStatus": "delivered",
            "To": "+8613800138000",
        }
        for i in range(n)
    ]
    async with LoopbackServer(Starlette(routes=[Route("/status", bare, methods=["POST"])])) as srv:
        base_bodies = [signed(srv.base_url + "/status", f, TOKEN) for f in forms]
        baseline = await drive(srv.base_url, "/status", base_bodies, concurrency)

    with tempfile.TemporaryDirectory() as tmp:
        now = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
        ledger = SqliteLedger(f"sqlite:///{Path(tmp) / 'bench.db'}")
        await seed(ledger, n, now)
        dispatcher = Dispatcher(Settings(output_dir=Path(tmp)), clock=FakeClock(now), ledger=ledger)
        app = create_app(WebhookSettings(auth_token=TOKEN, account_sid=ACCOUNT), dispatcher)
        async with LoopbackServer(app) as srv:
            bodies = [signed(srv.base_url + "/status", f, TOKEN) for f in forms]
            rate = await drive(srv.base_url, "/status", bodies, concurrency)
        recorded = sum(
            1
            for s in await asyncio.gather(*(ledger.delivery(sid(i)) for i in range(n)))
            if s is not None and s.status == "delivered"
        )
        await dispatcher.aclose()
        await ledger.aclose()
    print(f"{n} callbacks, concurrency {concurrency}, uvicorn + aiohttp client on loopback")
    print(f"baseline (bare Starlette 204):         {baseline:8.0f} requests/s")
    print(
        f"webhook app (signature + SQLite + audit): {rate:6.0f} requests/s  "
        f"({rate / baseline:.0%} of baseline), {recorded}/{n} recorded"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency))
