"""One rate-limit test worker: a Dispatcher sending notices through ``twilio-sms`` (the
official twilio client) to a loopback Twilio-shaped server, its sender limited in a
shared storage. Run as a plain process by tests/ratelimit: prints ``ready``, sends once
it reads a line on stdin, then prints one JSON line.

``python worker.py BASE_URL STORAGE_URL FIRST COUNT PER_SECOND [CONCURRENCY]``
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "tok-" + "s3cr3t" * 5
SENDER = "+14155552345"


def section(base_url: str, storage: str, **limits: Any) -> dict[str, Any]:
    """The ``[channels.twilio-sms]`` section, with a ``rate_limit`` table of ``limits``."""
    out: dict[str, Any] = {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "from": SENDER,
        "base_url": base_url,
    }
    if limits:
        out["rate_limit"] = {"storage": storage, **limits}
    return out


def notice(i: int) -> Any:
    """Notice ``i``: its own account and a distinct valid US number."""
    from notifysdk.testing import sample_account, sample_notice

    account = sample_account(i + 1, locale="en", phone=f"+1415555{i % 10000:04d}")
    return sample_notice(channel="twilio-sms", locale="en", account=account)


async def main(argv: list[str]) -> dict[str, Any]:
    from notifysdk.clock import OffsetClock
    from notifysdk.config import Settings
    from notifysdk.dispatcher import Dispatcher
    from notifysdk.ledger.memory import MemoryLedger
    from notifysdk.plugins import PluginManager

    base_url, storage, first, count, per_second = argv[:5]
    concurrency = int(argv[5]) if len(argv) > 5 else 10
    settings = Settings(
        channels={"twilio-sms": section(base_url, storage, per_second=int(per_second))},
        ledger_url="memory://",
        recover_on_start=False,
    )
    # Real time (the limiter's windows and the retry waits are real), shown to the
    # rules as 10:00 in Shanghai on a Monday: inside every contact window.
    clock = OffsetClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    d = Dispatcher(settings, plugins=PluginManager(), clock=clock, ledger=MemoryLedger())
    notices = [notice(i) for i in range(int(first), int(first) + int(count))]
    # Ready: wait for the test's "go", so that every worker sends at the same time
    # (starting an interpreter takes seconds on a busy machine).
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    t0 = time.monotonic()
    try:
        outcomes = await d.send_many(notices, concurrency=concurrency)
    finally:
        await d.aclose()
    return {
        "statuses": dict(Counter(o.status.value for o in outcomes)),
        "attempts": sum(o.attempts for o in outcomes),
        "reasons": sorted({o.reason or "" for o in outcomes if o.status.value != "delivered"}),
        "seconds": time.monotonic() - t0,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1:]))), flush=True)
