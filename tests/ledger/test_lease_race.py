"""The lease-expiry race (issue 12, item 2), on SQLite and PostgreSQL: a retry that
outlives its lease must not send a second copy.

Worker A claims a notice (lease 300 s, ``lease_renewal`` on, ``retry.max_elapsed_seconds``
600) and its first attempt is refused by the provider with a 429 and Retry-After 400, so
A sleeps 400 s on its clock. Worker B, whose clock is past A's lease, starts: its
recovery takes the expired claim over (a new fencing token), asks the provider (the peer
stored nothing: not sent) and delivers. Then A wakes. The fencing check in
``begin_attempt``/``end_attempt`` must stop it before it calls the provider again:
``ClaimLostError`` inside, the outcome deferred by ``ledger-claim``, nothing written by A.
The peer counts what it accepted: the key exactly once.

Without the fencing check (``_fenced`` in ``notifysdk/ledger/sql.py`` always passing) A
sends a second copy and this test fails; see the closing note of the commit that added
it for the run.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from peer import PeerChannel, RecordingPeer
from pydantic import ValidationError
from workload import NOW, plugin_manager, race_notices

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.errors import ClaimLostError, ConfigurationError
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.durable import DurableLedger
from notifysdk.models import Message, OutcomeStatus, Receipt

LEASE = 300.0
RETRY_AFTER = 400


class GatedClock(FakeClock):
    """A fake clock whose ``sleep`` advances it, then waits until the test opens the gate
    (so the other worker can act while this one "sleeps" 400 s)."""

    def __init__(self, start: Any) -> None:
        super().__init__(start)
        self.asleep = asyncio.Event()
        self.gate = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        self.asleep.set()
        await self.gate.wait()


class CountingChannel(PeerChannel):
    """The peer channel, counting the calls this worker made to the provider."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.calls: list[Message] = []

    async def send(self, message: Message) -> Receipt:
        self.calls.append(message)
        return await super().send(message)


def _settings(owner: str, tmp_path: Path) -> Settings:
    return Settings(
        output_dir=tmp_path / owner,
        owner=owner,
        lease_seconds=LEASE,
        lease_renewal=True,
        retry={"max_attempts": 5, "base_seconds": 1, "max_elapsed_seconds": 600},
    )


async def _snapshot(ledger: DurableLedger, key: str) -> tuple[Any, ...]:
    record = await ledger.get(key)
    assert record is not None
    return (
        record.state,
        record.outcome,
        tuple((a.number, a.detail.get("_status")) for a in await ledger.attempts(key)),
        tuple((t.from_state, t.to_state, t.reason) for t in await ledger.transitions(key)),
        tuple((e.seq, e.event, e.key) for e in await ledger.audit_entries()),
    )


async def test_a_worker_whose_lease_was_taken_over_never_calls_the_provider_again(
    ledger_url: str, tmp_path: Path
) -> None:
    (notice,) = race_notices(1, 1)
    key = notice.idempotency_key
    peer = RecordingPeer().start()
    peer.refuse(key, (429, RETRY_AFTER))  # the first POST: refused, nothing stored
    clock_a = GatedClock(NOW)
    clock_b = FakeClock(NOW + timedelta(seconds=LEASE + 1))  # past A's lease
    chan_a = CountingChannel(peer.url, can_reconcile=True, clock=clock_a)
    chan_b = CountingChannel(peer.url, can_reconcile=True, clock=clock_b)
    pm = plugin_manager()
    ledger_a, ledger_b = open_ledger(ledger_url, pm), open_ledger(ledger_url, pm)
    assert isinstance(ledger_b, DurableLedger)
    a = Dispatcher(
        _settings("worker-a", tmp_path),
        plugins=plugin_manager(),
        ledger=ledger_a,
        clock=clock_a,
        channels={chan_a.name: chan_a},
    )
    b = Dispatcher(
        _settings("worker-b", tmp_path),
        plugins=plugin_manager(),
        ledger=ledger_b,
        clock=clock_b,
        channels={chan_b.name: chan_b},
    )
    try:
        async with a:
            sending = asyncio.create_task(a.send(notice))
            asleep = asyncio.ensure_future(clock_a.asleep.wait())
            await asyncio.wait([sending, asleep], timeout=30, return_when=asyncio.FIRST_COMPLETED)
            assert asleep.done() and not sending.done(), "A did not wait to retry"
            assert clock_a.sleeps and clock_a.sleeps[0] >= RETRY_AFTER
            assert len(chan_a.calls) == 1 and peer.refused[key] == 1 and not peer.counts

            async with b:  # B's recovery takes the expired claim over and delivers
                report = await b.recover()
                assert report.examined == 0  # the first pass, at `async with`, did it
                record = await ledger_b.get(key)
                assert record is not None and record.state is NoticeState.DELIVERED
                assert record.outcome is not None and record.outcome.ok
                again = await b.send(notice)
                assert again.duplicate and again.status is OutcomeStatus.DELIVERED
                decisions = [
                    e.detail["decision"]
                    for e in await ledger_b.audit_entries()
                    if e.event == "recovery"
                ]
                # A's failed attempt was written before it slept, so recovery found
                # nothing in flight to reconcile: it released the claim and sent.
                assert decisions == []
                attempts = (await ledger_b.get(key)).attempts  # type: ignore[union-attr]
                assert [a.detail["_status"] for a in attempts] == ["error", "ok"]
                before = await _snapshot(ledger_b, key)

                clock_a.gate.set()  # A wakes, 400 s later, past its lease
                outcome = await asyncio.wait_for(sending, 30)
                after = await _snapshot(ledger_b, key)
    finally:
        await ledger_a.aclose()
        await ledger_b.aclose()
        peer.stop()

    assert len(chan_a.calls) == 1, "A called the provider after losing its claim"
    assert len(chan_b.calls) == 1
    assert peer.counts[key] == 1, "the provider accepted the key twice"
    assert peer.total == 1
    assert outcome.status is OutcomeStatus.DEFERRED and outcome.rule == "ledger-claim"
    assert after == before, "A wrote to the ledger after losing its claim"


async def test_a_stale_fence_raises_claim_lost_and_writes_nothing(
    ledger: DurableLedger, tmp_path: Path
) -> None:
    """The guarantee the race rests on, at the ledger: once a claim is taken over, every
    call under the old fencing token raises ``ClaimLostError`` and changes nothing."""
    (notice,) = race_notices(1, 1)
    key = notice.idempotency_key
    first = await ledger.claim(
        notice, owner="worker-a", now=NOW, lease_seconds=LEASE, to="+12015550001"
    )
    assert first.fence and first.attempt is not None
    later = NOW + timedelta(seconds=LEASE + 1)
    new = await ledger.take_over(
        key, expected_owner="worker-a", owner="worker-b", now=later, lease_seconds=LEASE
    )
    assert new is not None and new > first.fence
    # a second recovering worker expecting the old owner loses the compare-and-set
    assert (
        await ledger.take_over(
            key, expected_owner="worker-a", owner="worker-c", now=later, lease_seconds=LEASE
        )
        is None
    )
    before = await _snapshot(ledger, key)
    with pytest.raises(ClaimLostError):
        await ledger.begin_attempt(
            key, fence=first.fence, to="+12015550001", now=later, lease_seconds=LEASE
        )
    from notifysdk.ledger.base import AttemptEnd

    with pytest.raises(ClaimLostError):
        await ledger.end_attempt(
            AttemptEnd(first.attempt, error=RuntimeError("x")), now=later, fence=first.fence
        )
    assert await _snapshot(ledger, key) == before
    record = await ledger.get(key)
    assert record is not None and record.owner == "worker-b"


def test_settings_refuse_a_retry_budget_longer_than_an_unrenewed_lease() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(lease_renewal=False, lease_seconds=300, retry={"max_elapsed_seconds": 600})
    text = str(info.value)
    assert "retry.max_elapsed_seconds" in text and "lease_seconds" in text
    assert "lease_renewal" in text
    with pytest.raises(ValidationError):  # equal is refused too: the retry may end at expiry
        Settings(lease_renewal=False, lease_seconds=300, retry={"max_elapsed_seconds": 300})
    with pytest.raises(ConfigurationError, match=r"retry\.max_elapsed_seconds"):
        Settings.load(lease_renewal=False, lease_seconds=300, retry={"max_elapsed_seconds": 600})
    # what is allowed: renewal on, or a lease that outlasts the whole retry budget
    Settings(lease_renewal=True, lease_seconds=300, retry={"max_elapsed_seconds": 600})
    Settings(lease_renewal=False, lease_seconds=300, retry={"max_elapsed_seconds": 299})
