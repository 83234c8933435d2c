"""Retries: transient errors back off (fake clock, no real sleeps), permanent ones never
retry, exhaustion dead-letters, Retry-After is honoured, and a Retry-After past the
budget defers the notice to the instant it names (the due list sends it then)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from notifysdk import errors
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.sqlite import SqliteLedger
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
    # 400 s, 800 s elapsed; a third wait would pass the 1000 s budget: given up after 3
    # tries, dead-lettered (each wait fits the budget: not a wait to defer to).
    assert outcome.status is OutcomeStatus.DEAD_LETTERED
    assert outcome.attempts == 3
    assert fake_clock.sleeps == [400, 400]


async def test_a_retry_after_as_long_as_the_budget_defers_to_the_instant_it_names(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    waits = iter([5.0, 1000.0])
    ch = FlakyChannel(
        100,
        clock=fake_clock,
        error=lambda n: errors.TransientDeliveryError(
            "busy", provider_code="slow", retry_after=next(waits)
        ),
    )
    d = dispatcher(ch, retry=RetryPolicy(max_attempts=50, max_elapsed_seconds=1000))
    start = fake_clock.now()
    outcome = await d.send(sample_notice(channel="mock"))
    # 5 s waited in-process; then a wait of the whole budget: deferred to the instant the
    # provider named (5 + 1000 s after the start), not dead-lettered, no sleep for it.
    assert outcome.status is OutcomeStatus.DEFERRED, outcome.reason
    assert outcome.attempts == 2
    assert fake_clock.sleeps == [5.0]
    assert outcome.until == start + timedelta(seconds=1005)
    assert outcome.rule == "retry-after" and outcome.provider_code == "slow"
    assert "[slow]" in (outcome.reason or "")
    record = await d.ledger.get(outcome.idempotency_key)
    assert record is not None and record.state.value == "deferred"
    assert record.outcome is not None and record.outcome.until == outcome.until


async def test_a_retry_after_just_under_the_budget_is_waited_in_process(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(
        1, clock=fake_clock, error=lambda n: errors.TransientDeliveryError("b", retry_after=999)
    )
    d = dispatcher(ch, retry=RetryPolicy(max_attempts=5, max_elapsed_seconds=1000))
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.DELIVERED and fake_clock.sleeps == [999]


class _LimitedUntil(errors.TransientDeliveryError):
    """A transient error naming the instant its window resets (as a rate limiter's)."""

    def __init__(self, until: datetime) -> None:
        super().__init__("limited", provider_code="rate_limit", retry_after=86_000)
        self.until = until


async def test_an_error_naming_its_reset_instant_is_deferred_to_exactly_that(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    reset = fake_clock.now() + timedelta(hours=23, minutes=53, seconds=20, microseconds=7)
    ch = FlakyChannel(1, clock=fake_clock, error=lambda n: _LimitedUntil(reset))
    outcome = await dispatcher(ch).send(sample_notice(channel="mock"))
    assert (outcome.status, outcome.until) == (OutcomeStatus.DEFERRED, reset)
    assert fake_clock.sleeps == []


async def test_attempts_exhausted_under_a_short_retry_after_still_dead_letter(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(
        100,
        clock=fake_clock,
        error=lambda n: errors.TransientDeliveryError("busy", retry_after=5),
    )
    d = dispatcher(ch, retry=RetryPolicy(max_attempts=3, max_elapsed_seconds=1000))
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.DEAD_LETTERED
    assert outcome.attempts == 3 and outcome.rule == "retry"


async def test_a_day_long_retry_after_defers_at_once_and_run_due_sends_it_then(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock, tmp_path: Path
) -> None:
    ch = FlakyChannel(
        1,
        clock=fake_clock,
        error=lambda n: errors.TransientDeliveryError(
            "daily limit", provider_code="DAY", retry_after=14 * 3600
        ),
    )
    d = dispatcher(ch, ledger=SqliteLedger(f"sqlite:///{tmp_path}/ledger.db"))
    start = fake_clock.now()
    notice = sample_notice(channel="mock")
    outcome = await d.send(notice)
    assert outcome.status is OutcomeStatus.DEFERRED, outcome.reason
    assert outcome.attempts == 1 and fake_clock.sleeps == []  # no in-process wait
    reset = start + timedelta(hours=14)
    assert outcome.until == reset
    # sending it again before the reset changes nothing (the ledger holds it deferred)
    fake_clock.set(reset - timedelta(seconds=1))
    assert await d.run_due() == []
    assert len(ch.calls) == 1
    fake_clock.set(reset)
    [due] = await d.run_due()
    assert due.status is OutcomeStatus.DELIVERED
    assert len(ch.calls) == 2 and len(ch.sent) == 1
    record = await d.ledger.get(notice.idempotency_key)
    assert record is not None and [a.number for a in record.attempts] == [1, 2]
    assert await d.run_due() == []


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
