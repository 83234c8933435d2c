"""The SDK's one retry layer: a tenacity policy for :class:`TransientDeliveryError`.

Exponential backoff with full jitter (AWS's "full jitter": a uniform wait between 0 and
``min(cap, base * 2**n)``), a maximum number of attempts and a maximum elapsed time,
both measured on the injected clock. A provider's Retry-After is honoured: the wait is
at least what it asked. :class:`PermanentDeliveryError` is never retried.

A Retry-After as long as the whole elapsed budget (a daily limit that resets at
midnight, a long rate window) is not a reason to give up: :meth:`RetryPolicy.defer_until` names
the instant the provider asked for, and the dispatcher defers the notice to it (the due
list sends it then) instead of dead-lettering it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import tenacity
from tenacity.wait import wait_base

from .clock import Clock
from .errors import TransientDeliveryError


@dataclass(frozen=True)
class RetryPolicy:
    """How the dispatcher retries transient failures."""

    max_attempts: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    max_elapsed_seconds: float = 600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt_number: int) -> float:
        """Full-jitter wait after attempt ``attempt_number`` (1-based)."""
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** (attempt_number - 1)))
        return self.rng.uniform(0, ceiling)

    def defer_until(self, exc: BaseException | None, clock: Clock) -> datetime | None:
        """The instant to defer a notice to when ``exc`` (the failure it gave up on)
        asked for a wait as long as the whole elapsed budget or longer — one the policy
        never waits in-process, however early it came (a daily limit resetting at
        midnight); ``None`` otherwise: no Retry-After, or one the policy would have
        waited with budget to spare, so the notice gave up for its own reasons (attempts
        or budget spent) and is dead-lettered as before. An error that names the
        instant itself (an aware ``until``) is deferred to exactly that."""
        after = getattr(exc, "retry_after", None)
        if not isinstance(exc, TransientDeliveryError) or after is None:
            return None
        if float(after) < self.max_elapsed_seconds:
            return None
        until = getattr(exc, "until", None)  # an instant the error names (a rate window)
        if isinstance(until, datetime) and until.tzinfo is not None:
            return until
        return clock.now() + timedelta(seconds=float(after))

    def retrying(self, clock: Clock, *, start: datetime | None = None) -> tenacity.AsyncRetrying:
        """A fresh tenacity controller for one notice, timed on ``clock``; the elapsed
        budget counts from ``start`` (default: now), so a caller that made the first
        attempt itself and only enters tenacity on a transient failure keeps the budget
        of the whole notice."""
        budget = _Budget(self, clock, clock.now() if start is None else start)
        return tenacity.AsyncRetrying(
            retry=_RETRY_TRANSIENT,
            wait=_Wait(budget),
            stop=budget.stop,
            sleep=clock.sleep,
            reraise=False,
        )


_RETRY_TRANSIENT = tenacity.retry_if_exception_type(TransientDeliveryError)


class _Budget:
    """One notice's waits and elapsed budget."""

    __slots__ = ("clock", "planned", "policy", "start")

    def __init__(self, policy: RetryPolicy, clock: Clock, start: datetime) -> None:
        self.policy = policy
        self.clock = clock
        self.start = start
        self.planned: dict[int, float] = {}

    def next_wait(self, retry_state: tenacity.RetryCallState) -> float:
        """The wait after this attempt, drawn once per attempt, so the budget check and
        the sleep see the same wait (tenacity calls wait and stop in an order that
        changed between versions)."""
        n = retry_state.attempt_number
        if n not in self.planned:
            wait = self.policy.backoff(n)
            exc = retry_state.outcome.exception() if retry_state.outcome else None
            after = getattr(exc, "retry_after", None)
            if after is not None:
                wait = max(wait, float(after))
            self.planned[n] = wait
        return self.planned[n]

    def stop(self, retry_state: tenacity.RetryCallState) -> bool:
        """Give up after the last attempt, or now rather than sleep past the budget
        (the jittered wait included)."""
        if retry_state.attempt_number >= self.policy.max_attempts:
            return True
        elapsed = (self.clock.now() - self.start).total_seconds()
        return elapsed + self.next_wait(retry_state) >= self.policy.max_elapsed_seconds


class _Wait(wait_base):
    """tenacity's wait strategy over a :class:`_Budget` (one class, not one per notice)."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        return self.budget.next_wait(retry_state)
