"""ledger-opt-out reads the latest opt-out before now and the opt-in only when there is
one: its verdict is what counting the opt-outs since the latest opt-in (else since
EPOCH) gives, on any record, and a ledger without ``last_contact`` still counts."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from notifysdk.compliance import scopes as sc
from notifysdk.compliance.rules.base import EPOCH
from notifysdk.compliance.rules.states import LedgerOptOutRule
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium
from notifysdk.policy import Verdict

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
_TIMES = [
    NOW,
    NOW - timedelta(microseconds=1),
    NOW + timedelta(microseconds=1),
    NOW + timedelta(microseconds=2),
    EPOCH,
    EPOCH - timedelta(seconds=1),
    datetime(1950, 1, 1, tzinfo=UTC),
    NOW - timedelta(days=3),
    NOW - timedelta(days=30),
]


async def _reference(ledger: MemoryLedger, medium: str, to: str) -> str | None:
    """The medium denied (``*`` for all), by counting as the rule used to."""
    end = NOW + timedelta(microseconds=1)
    for m in (medium, "*"):
        opted_in = await ledger.last_contact(sc.optin_scope(m, to), end)
        start = opted_in if opted_in is not None else EPOCH
        if await ledger.count(sc.optout_scope(m, to), start, end):
            return m
    return None


class _CountOnly:
    def __init__(self, ledger: MemoryLedger) -> None:
        self._ledger = ledger

    async def count(self, scope: str, start: datetime, end: datetime) -> int:
        return await self._ledger.count(scope, start, end)


def _ctx(ledger: Any, medium: str, to: str) -> Any:
    return SimpleNamespace(
        to=to,
        now=NOW,
        ledger=ledger,
        message=SimpleNamespace(medium=Medium(medium)),
        channel_medium=medium,
    )


@pytest.mark.parametrize("seed", range(6))
def test_the_verdict_is_the_count_since_the_latest_opt_in(seed: int) -> None:
    rng = random.Random(seed)

    async def run() -> None:
        for _ in range(150):
            ledger = MemoryLedger()
            to = rng.choice(["+8613900000001", "a@example.com"])
            for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
                m = rng.choice(["sms", "email", "*"])
                scope = rng.choice([sc.optout_scope, sc.optin_scope])(m, to)
                await ledger.record_contact(scope, rng.choice(_TIMES))
            medium = rng.choice(["sms", "email"])
            expected = await _reference(ledger, medium, to)
            vote = await LedgerOptOutRule().evaluate(_ctx(ledger, medium, to))
            assert vote is not None
            assert (vote.numbers["medium"] if vote.verdict is Verdict.DENY else None) == (expected)
            without = await LedgerOptOutRule().evaluate(_ctx(_CountOnly(ledger), medium, to))
            assert without is not None
            # Without last_contact every opt-out since EPOCH counts (no opt-in reopens).
            end = NOW + timedelta(microseconds=1)
            counted = None
            for m in (medium, "*"):
                if await ledger.count(sc.optout_scope(m, to), EPOCH, end):
                    counted = m
                    break
            assert (without.numbers["medium"] if without.verdict is Verdict.DENY else None) == (
                counted
            )

    asyncio.run(run())
