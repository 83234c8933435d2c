"""The memory ledger's writes run directly while its lock is free (no ``async with``):
the same answers and contents as under the lock, and a lock held from outside still
makes them wait; ``outcome_detail`` without a copy is what ``normalize_detail`` makes."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from notifysdk.channels import Attempt
from notifysdk.errors import ClaimLostError, TransientDeliveryError
from notifysdk.ledger.audit import normalize_detail, outcome_detail
from notifysdk.ledger.base import AttemptEnd, ClaimStatus
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Outcome, OutcomeStatus, Receipt, Restriction
from notifysdk.reservations import Reservation
from notifysdk.testing import sample_notice

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


async def _script(ledger: MemoryLedger) -> list[object]:
    """A fixed series of writes; what each returned or raised."""
    out: list[object] = []
    res = Reservation("cap", "cn", "scope:a", 2, T0 - timedelta(days=1), T0 + timedelta(days=1))
    for i in range(6):
        notice = sample_notice(i % 4, idempotency_key=f"k{i % 4}")
        now = T0 + timedelta(minutes=i)
        claim = await ledger.claim(
            notice, owner="w", now=now, lease_seconds=60, reservations=(res,), to="+1", digest="d"
        )
        out.append((claim.status, claim.fence, claim.count, claim.attempt))
        if claim.status is not ClaimStatus.CLAIMED:
            continue
        assert claim.attempt is not None
        await ledger.end_attempt(
            AttemptEnd(claim.attempt, error=TransientDeliveryError("x")), now=now, fence=claim.fence
        )
        att = await ledger.begin_attempt(
            notice.idempotency_key, fence=claim.fence, to="+1", now=now, lease_seconds=60
        )
        try:
            await ledger.begin_attempt(
                notice.idempotency_key, fence=claim.fence + 1, to="+1", now=now, lease_seconds=60
            )
        except ClaimLostError as exc:
            out.append(str(exc))
        receipt = Receipt(channel="mock", provider_id=f"p{i}", accepted_at=now)
        status = OutcomeStatus.DELIVERED if i % 2 else OutcomeStatus.FAILED
        outcome = Outcome(
            idempotency_key=notice.idempotency_key,
            status=status,
            channel="mock",
            at=now,
            attempts=2,
            receipt=receipt if i % 2 else None,
        )
        ended = AttemptEnd(att, receipt=receipt) if i % 2 else AttemptEnd(att, error=ValueError())
        out.append(await ledger.finish(notice, outcome, fence=claim.fence, ended=ended))
        out.append(await ledger.finish(notice, outcome))
    out.append(await ledger.audit_entries())
    out.append(
        sorted((k, r.state, r.fence, r.reserved, r.attempts) for k, r in ledger._rows.items())
    )
    out.append(ledger._contacts)
    return out


async def test_free_lock_and_held_lock_give_the_same_answers_and_contents() -> None:
    direct = await _script(MemoryLedger())
    queued_ledger = MemoryLedger()
    holder_done = asyncio.Event()

    async def hold() -> None:
        async with queued_ledger._lock:
            await holder_done.wait()

    holding = asyncio.ensure_future(hold())
    await asyncio.sleep(0)
    assert queued_ledger._lock.locked()
    running = asyncio.ensure_future(_script(queued_ledger))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not running.done()  # queued behind the lock held from outside
    assert queued_ledger._rows == {}
    holder_done.set()
    queued = await running
    await holding
    assert queued == direct


def test_outcome_detail_is_normalize_detail_of_the_same_dict() -> None:
    notice = sample_notice()
    cases = [
        Outcome(idempotency_key="k", status=s, channel="mock", at=T0, attempts=n, rule=r)
        for s in OutcomeStatus
        for n, r in ((0, None), (3, "retry"))
    ]
    cases.append(cases[0].model_copy(update={"until": T0, "reason": "why", "provider_code": "9"}))
    cases.append(
        cases[0].model_copy(
            update={"restriction": Restriction(variant="limited_content", rule="r", reason="x")}
        )
    )

    class Text(str):
        pass

    base = cases[0].model_dump()
    for field in ("channel", "rule", "reason", "provider_code"):  # not plain: a round trip
        cases.append(Outcome.model_construct(**{**base, field: Text("x")}))
    cases.append(Outcome.model_construct(**{**base, "attempts": 2.5}))
    for outcome in cases:
        detail = outcome_detail(notice, outcome)
        slow = {
            "status": outcome.status.value,
            "channel": outcome.channel,
            "kind": notice.kind.value,
            "role": notice.recipient.role.value,
            "rule": outcome.rule,
            "reason": outcome.reason,
            "attempts": outcome.attempts,
            "provider_code": outcome.provider_code,
            "until": outcome.until.isoformat() if outcome.until else None,
        }
        if outcome.restriction is not None:
            slow["restriction"] = outcome.restriction.model_dump(mode="json")
        expected = normalize_detail(slow)
        assert detail == expected
        assert json.dumps(detail, sort_keys=True) == json.dumps(expected, sort_keys=True)
        assert [type(v) for v in detail.values()] == [type(v) for v in expected.values()]
        assert normalize_detail(detail) == detail  # normalized: appended without another pass


def test_attempt_numbers_continue_after_the_first() -> None:
    # _begin numbers from 1, then one past the largest stored number
    ledger = MemoryLedger()
    notice = sample_notice()

    async def run() -> list[int]:
        claim = await ledger.claim(notice, owner="w", now=T0, lease_seconds=60, to="+1")
        numbers = [claim.attempt.number if claim.attempt else 0]
        row = ledger._rows[notice.idempotency_key]
        row.attempts.append(Attempt(row.key, row.channel, 7, "+1", T0))
        att = await ledger.begin_attempt(
            notice.idempotency_key, fence=claim.fence, to="+1", now=T0, lease_seconds=60
        )
        numbers.append(att.number)
        return numbers

    assert asyncio.run(run()) == [1, 8]


def test_receipt_json_is_model_dump() -> None:
    from datetime import timezone

    from notifysdk.ledger.memory import receipt_json

    class Special(Receipt):
        def model_dump(self, **kw: Any) -> dict[str, Any]:
            return {"special": True}

    zones = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-3, minutes=-30)))
    details: list[dict[str, Any]] = [
        {},
        {"path": "/tmp/x", "n": 3, "f": 1.5, "nested": {"a": [1, None, "二"]}},
        {"when": T0, "t": (1, 2), "b": True},
    ]
    for i, (zone, detail) in enumerate(itertools.product(zones, details)):
        at = (T0 + timedelta(microseconds=i * 123457)).astimezone(zone)
        for pid, status in ((None, "accepted"), (f"p{i}", "reconciled")):
            r = Receipt(channel="c", provider_id=pid, status=status, accepted_at=at, detail=detail)
            assert receipt_json(r) == r.model_dump(mode="json")
            assert json.dumps(receipt_json(r)) == json.dumps(r.model_dump(mode="json"))
    special = Special(channel="c", accepted_at=T0)
    assert receipt_json(special) == {"special": True}
