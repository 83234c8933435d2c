"""Retry-policy lines the first mutation run (issue 22) left unchecked: the full-jitter
lower bound, the elapsed budget's boundary, a missing Retry-After adding nothing to it,
and a transient error that never got a ``retry_after`` attribute.

Each test drives the tenacity controller the dispatcher uses (``RetryPolicy.retrying``) on
a :class:`FakeClock` and asserts the waits it asked for (``clock.sleeps``) and how many
attempts it allowed; one goes through the dispatcher as well.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import pytest
import tenacity

from notifysdk import errors
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus
from notifysdk.retry import RetryPolicy
from notifysdk.testing import FlakyChannel, sample_notice


async def attempts_until_done(
    policy: RetryPolicy, clock: FakeClock, failures: Sequence[BaseException]
) -> int:
    """Run one notice's retry loop: attempt ``n`` raises ``failures[n - 1]``, the first
    attempt past the list succeeds. Returns the number of attempts made; raises
    :class:`tenacity.RetryError` when the policy gave up."""
    made = 0
    async for attempt in policy.retrying(clock):
        with attempt:
            made += 1
            if made <= len(failures):
                raise failures[made - 1]
    return made


async def test_full_jitter_waits_start_at_zero_not_at_one_second() -> None:
    """The wait is uniform on [0, ceiling]: with a 1 s ceiling, a seeded rng's draws are
    what ``uniform(0, 1)`` gives (a lower bound of 1 s would make every wait 1 s)."""
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=6, base_seconds=1, cap_seconds=1, rng=random.Random(3))
    failures = [errors.TransientDeliveryError("busy") for _ in range(5)]
    assert await attempts_until_done(policy, clock, failures) == 6
    expected_rng = random.Random(3)
    assert clock.sleeps == [expected_rng.uniform(0, 1) for _ in range(5)]
    assert min(clock.sleeps) < 0.5


def test_backoff_draws_below_one_second() -> None:
    policy = RetryPolicy(base_seconds=1, cap_seconds=1, rng=random.Random(11))
    waits = [policy.backoff(1) for _ in range(50)]
    assert all(0 <= w <= 1 for w in waits)
    assert min(waits) < 0.1


async def test_budget_reached_exactly_gives_up() -> None:
    """elapsed + Retry-After == max_elapsed_seconds gives up (``>=``): 0 s + 500 s is
    below 1000 s, so one 500 s wait; then 500 s + 500 s is the budget itself: stop."""
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=10, max_elapsed_seconds=1000)
    failures = [errors.TransientDeliveryError("busy", retry_after=500) for _ in range(9)]
    with pytest.raises(tenacity.RetryError) as gave_up:
        await attempts_until_done(policy, clock, failures)
    assert gave_up.value.last_attempt.attempt_number == 2
    assert clock.sleeps == [500]


async def test_budget_just_above_is_not_reached() -> None:
    """The control: one more second of budget and the third attempt runs (and succeeds)."""
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=10, max_elapsed_seconds=1001)
    failures = [errors.TransientDeliveryError("busy", retry_after=500) for _ in range(2)]
    assert await attempts_until_done(policy, clock, failures) == 3
    assert clock.sleeps == [500, 500]


async def test_the_dispatcher_gives_up_at_the_budget_boundary(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    ch = FlakyChannel(
        100,
        clock=fake_clock,
        error=lambda n: errors.TransientDeliveryError("busy", retry_after=500),
    )
    d = dispatcher(ch, retry=RetryPolicy(max_attempts=50, max_elapsed_seconds=1000))
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.status is OutcomeStatus.DEAD_LETTERED
    assert outcome.rule == "retry"
    assert outcome.attempts == 2
    assert fake_clock.sleeps == [500]


@pytest.mark.parametrize("retry_after", [None, 0])
async def test_no_retry_after_adds_nothing_to_the_elapsed_budget(
    retry_after: float | None,
) -> None:
    """Without a Retry-After (or with 0) the stop check adds 0 s, not 1 s: with half a
    second of budget left at the first failure, the policy still retries."""
    clock = FakeClock()
    policy = RetryPolicy(
        max_attempts=5, base_seconds=0.001, cap_seconds=0.001, max_elapsed_seconds=0.5
    )
    failures = [errors.TransientDeliveryError("busy", retry_after=retry_after)]
    assert await attempts_until_done(policy, clock, failures) == 2
    assert len(clock.sleeps) == 1 and clock.sleeps[0] <= 0.001


class _BareTransient(errors.TransientDeliveryError):
    """A plugin's transient error that never ran DeliveryError's ``__init__``: it has
    no ``retry_after`` attribute at all."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)


async def test_a_transient_error_without_a_retry_after_attribute_is_retried() -> None:
    """The wait and the stop check read ``retry_after`` with a default: an error lacking
    the attribute is retried on the backoff alone instead of crashing the loop."""
    assert not hasattr(_BareTransient("x"), "retry_after")
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=4, base_seconds=1, cap_seconds=1, rng=random.Random(5))
    failures = [_BareTransient("throttled"), _BareTransient("throttled")]
    assert await attempts_until_done(policy, clock, failures) == 3
    expected_rng = random.Random(5)
    assert clock.sleeps == [expected_rng.uniform(0, 1) for _ in range(2)]


async def test_a_bare_transient_error_exhausts_into_a_retry_error() -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=2, base_seconds=1, cap_seconds=1)
    with pytest.raises(tenacity.RetryError) as gave_up:
        await attempts_until_done(policy, clock, [_BareTransient("a"), _BareTransient("b")])
    assert isinstance(gave_up.value.last_attempt.exception(), _BareTransient)
    assert len(clock.sleeps) == 1
