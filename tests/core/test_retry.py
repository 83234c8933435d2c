"""Retries: transient errors back off (fake clock, no real sleeps), permanent ones never
retry, exhaustion dead-letters, Retry-After is honoured."""

from __future__ import annotations

import random
from collections.abc import Callable

from notifysdk import errors
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus
from notifysdk.retry import RetryPolicy
from notifysdk.testing import FlakyChannel, MockChannel, sample_notice


async def test_transient_twice_then_success(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(2, clock=fake_clock)
    d = dispatcher(ch)
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.DELIVERED
    assert outcome.attempts == 3
    assert len(ch.calls) == 3 and len(ch.sent) == 1
    assert len(fake_clock.sleeps) == 2
    record = await d.ledger.get(outcome.idempotency_key)
    assert record is not None and [a.number for a in record.attempts] == [1, 2, 3]


async def test_backoff_is_full_jitter_exponential() -> None:
    policy = RetryPolicy(base_seconds=2, cap_seconds=10, rng=random.Random(7))
    for attempt in range(1, 8):
        ceiling = min(10, 2 * 2 ** (attempt - 1))
        waits = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # the whole range is used (full jitter)


async def test_permanent_is_never_retried(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(
        10,
        clock=fake_clock,
        error=lambda n: errors.PermanentDeliveryError("number unreachable", provider_code=21211),
    )
    outcome = await dispatcher(ch).send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "21211"
    assert outcome.attempts == 1
    assert len(ch.calls) == 1
    assert fake_clock.sleeps == []


async def test_exhaustion_dead_letters_with_the_last_error(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(100, clock=fake_clock)
    d = dispatcher(ch, retry=RetryPolicy(max_attempts=4, base_seconds=1, cap_seconds=5))
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.DEAD_LETTERED
    assert outcome.attempts == 4
    assert len(ch.calls) == 4
    assert "flaky failure 4" in (outcome.reason or "")
    assert outcome.provider_code == "flaky"
    record = await d.ledger.get(outcome.idempotency_key)
    assert record is not None and record.state.value == "dead_lettered"


async def test_retry_after_is_honoured(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(
        1,
        clock=fake_clock,
        error=lambda n: errors.TransientDeliveryError(
            "slow down", provider_code=20429, retry_after=42
        ),
    )
    d = dispatcher(ch, retry=RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=2))
    start = fake_clock.now()
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.DELIVERED
    assert fake_clock.sleeps == [42]  # the jitter ceiling is 1s; the provider asked for 42
    assert (outcome.at - start).total_seconds() >= 42


async def test_elapsed_budget_stops_retrying(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(
        100,
        clock=fake_clock,
        error=lambda n: errors.TransientDeliveryError("busy", retry_after=400),
    )
    d = dispatcher(ch, retry=RetryPolicy(max_attempts=50, max_elapsed_seconds=1000))
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.DEAD_LETTERED
    # 400 s, 800 s elapsed; a third wait would pass the 1000 s budget: given up after 3 tries.
    assert outcome.attempts == 3
    assert fake_clock.sleeps == [400, 400]


async def test_unexpected_channel_exception_fails_without_retry(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    def boom(message: object) -> None:
        raise KeyError("bug in a plugin")

    ch = MockChannel(boom, clock=fake_clock)
    outcome = await dispatcher(ch).send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.reason == "channel raised an unexpected KeyError"
    assert len(ch.calls) == 1


async def test_offset_clock_starts_at_the_given_instant() -> None:
    """``--now``'s clock reads the given instant plus the monotonic time elapsed since it
    was made: bracketed by monotonic readings, so nothing depends on how long it took."""
    import time
    from datetime import UTC, datetime, timedelta

    from notifysdk.clock import OffsetClock

    def since(t: float) -> timedelta:
        return timedelta(seconds=time.monotonic() - t)

    tick = timedelta(microseconds=1)  # timedelta rounds to microseconds
    start = datetime(2030, 2, 1, 9, 0, tzinfo=UTC)
    before = time.monotonic()
    clock = OffsetClock(start)
    made = time.monotonic()
    for _ in range(2):
        low, now, high = since(made), clock.now(), since(before)
        assert start + low - tick <= now <= start + high + tick
        await clock.sleep(0.01)  # really waits: the clock has moved on by at least as much
        assert clock.now() >= now + timedelta(seconds=0.01) - timedelta(milliseconds=1)


async def test_the_time_budget_counts_the_jittered_wait_too(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    # Waits drawn up to 60 s against a 10 s budget: the dispatcher gives up rather than
    # sleep past the budget, whatever the draw (it used to check only Retry-After).
    for seed in range(20):
        ch = FlakyChannel(100, clock=fake_clock)
        policy = RetryPolicy(
            max_attempts=10,
            base_seconds=30,
            cap_seconds=60,
            max_elapsed_seconds=10,
            rng=random.Random(seed),
        )
        start = len(fake_clock.sleeps)
        outcome = await dispatcher(ch, retry=policy).send(sample_notice(seed, channel="mock"))
        assert outcome.status is OutcomeStatus.DEAD_LETTERED
        assert sum(fake_clock.sleeps[start:]) < 10, (seed, fake_clock.sleeps[start:])
        assert len(ch.calls) == len(fake_clock.sleeps[start:]) + 1
