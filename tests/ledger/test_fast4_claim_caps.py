"""The memory ledger's claim skips counting a scope holding fewer contacts than the cap
(it cannot be full in any window): its answers stay those of counting every time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.ledger.base import ClaimStatus
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import OutcomeStatus, _outcome
from notifysdk.reservations import Reservation
from notifysdk.testing import sample_notice

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

reservation = st.tuples(
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from([0, 1, 2, 3, 2**31 - 1]),
    st.integers(min_value=-3, max_value=3),  # window start, minutes from the claim
    st.integers(min_value=1, max_value=5),  # window length, minutes
)
step = st.tuples(
    st.lists(reservation, max_size=3),
    st.integers(min_value=0, max_value=3),  # minutes the clock moves first
    st.sampled_from([OutcomeStatus.DELIVERED, OutcomeStatus.FAILED, None]),
)


async def _run(
    steps: list[tuple[list[tuple[str, int, int, int]], int, OutcomeStatus | None]],
) -> None:
    led = MemoryLedger()
    now = T0
    for i, (wanted, minutes, ending) in enumerate(steps):
        now += timedelta(minutes=minutes)
        reservations = tuple(
            Reservation(
                rule="cap",
                profile="p",
                scope=scope,
                limit=limit,
                window_start=now + timedelta(minutes=start),
                window_end=now + timedelta(minutes=start + length),
            )
            for scope, limit, start, length in wanted
        )
        # the definition: the first reservation whose window already holds its limit
        full = None
        for res in reservations:
            used = await led.count(res.scope, res.window_start, res.window_end)
            if used >= res.limit:
                full = (res, used)
                break
        notice = sample_notice(i, channel="mock")
        claim = await led.claim(
            notice, owner="w", now=now, lease_seconds=60, reservations=reservations, to="+86"
        )
        if full is None:
            assert claim.status is ClaimStatus.CLAIMED
            if ending is not None:
                outcome = _outcome(notice.idempotency_key, ending, "mock", now, None, {})
                assert await led.finish(notice, outcome, fence=claim.fence)
        else:
            assert claim.status is ClaimStatus.CAP_EXCEEDED
            assert claim.reservation == full[0]
            assert claim.count == full[1]


@settings(max_examples=300, deadline=None)
@given(st.lists(step, min_size=1, max_size=25))
def test_claims_answer_as_counting_every_reservation(steps: list[Any]) -> None:
    asyncio.run(_run(steps))
