"""The dispatcher's fast path: a first attempt that goes through never builds a tenacity
controller; one that fails transiently hands over to tenacity with the whole notice's
budget (counted from before the first attempt) and the same waits."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
import tenacity

from notifysdk import errors
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Message, OutcomeStatus
from notifysdk.retry import RetryPolicy
from notifysdk.testing import FlakyChannel, MockChannel, sample_notice


@pytest.fixture
def controllers(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every tenacity controller built while the test runs."""
    built: list[object] = []

    class Counting(tenacity.AsyncRetrying):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tenacity, "AsyncRetrying", Counting)
    return built


async def test_a_first_attempt_that_succeeds_builds_no_controller(
    dispatcher: Callable[..., Dispatcher], controllers: list[object]
) -> None:
    d = dispatcher(MockChannel())
    for i in range(3):
        outcome = await d.send(sample_notice(i))
        assert outcome.status is OutcomeStatus.DELIVERED and outcome.attempts == 1
    assert controllers == []


async def test_a_transient_failure_hands_over_to_tenacity(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock, controllers: list[object]
) -> None:
    ch = FlakyChannel(2, clock=fake_clock)
    d = dispatcher(ch, retry=RetryPolicy(base_seconds=1, cap_seconds=1, rng=random.Random(9)))
    outcome = await d.send(sample_notice())
    assert outcome.status is OutcomeStatus.DELIVERED and outcome.attempts == 3
    assert len(controllers) == 1
    expected = random.Random(9)
    assert fake_clock.sleeps == [expected.uniform(0, 1) for _ in range(2)]


async def test_the_budget_counts_the_first_attempt(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    """A first attempt that took 600 s and asks to wait 500 s leaves no room in a 1000 s
    budget: dead-lettered after one attempt, no sleep (a budget started after the first
    attempt would have retried)."""

    def slow_then_busy(message: Message) -> None:
        fake_clock.advance(600)
        raise errors.TransientDeliveryError("busy", retry_after=500)

    d = dispatcher(
        MockChannel(slow_then_busy), retry=RetryPolicy(max_attempts=5, max_elapsed_seconds=1000)
    )
    outcome = await d.send(sample_notice())
    assert outcome.status is OutcomeStatus.DEAD_LETTERED and outcome.rule == "retry"
    assert outcome.attempts == 1
    assert fake_clock.sleeps == []


async def test_a_later_failure_does_not_chain_to_the_first(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    """The retries run outside the first failure's except block: the permanent error that
    ends the notice carries no implicit ``__context__`` from attempt 1."""
    raised: list[BaseException] = []

    def fail(message: Message) -> None:
        exc: errors.DeliveryError
        if not raised:
            exc = errors.TransientDeliveryError("busy")
        else:
            exc = errors.PermanentDeliveryError("gone", provider_code=21211)
        raised.append(exc)
        raise exc

    outcome = await dispatcher(MockChannel(fail)).send(sample_notice())
    assert outcome.status is OutcomeStatus.FAILED and outcome.attempts == 2
    assert raised[1].__context__ is None
