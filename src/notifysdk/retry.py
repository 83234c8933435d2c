"""The SDK's one retry layer: a tenacity policy for :class:`TransientDeliveryError`.

Exponential backoff with full jitter (AWS's "full jitter": a uniform wait between 0 and
``min(cap, base * 2**n)``), a maximum number of attempts and a maximum elapsed time,
both measured on the injected clock. A provider's Retry-After is honoured: the wait is
at least what it asked. :class:`PermanentDeliveryError` is never retried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

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

    def retrying(self, clock: Clock) -> tenacity.AsyncRetrying:
        """A fresh tenacity controller for one notice, timed on ``clock``."""
        start: datetime = clock.now()
        policy = self
        planned: dict[int, float] = {}

        def next_wait(retry_state: tenacity.RetryCallState) -> float:
            # Drawn once per attempt, so the budget check and the sleep see the same wait
            # (tenacity calls wait and stop in an order that changed between versions).
            n = retry_state.attempt_number
            if n not in planned:
                wait = policy.backoff(n)
                exc = retry_state.outcome.exception() if retry_state.outcome else None
                after = getattr(exc, "retry_after", None)
                if after is not None:
                    wait = max(wait, float(after))
                planned[n] = wait
            return planned[n]

        class _Wait(wait_base):
            def __call__(self, retry_state: tenacity.RetryCallState) -> float:
                return next_wait(retry_state)

        def _stop(retry_state: tenacity.RetryCallState) -> bool:
            if retry_state.attempt_number >= policy.max_attempts:
                return True
            elapsed = (clock.now() - start).total_seconds()
            # Give up now rather than sleep past the budget (the jittered wait included).
            return elapsed + next_wait(retry_state) >= policy.max_elapsed_seconds

        return tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(TransientDeliveryError),
            wait=_Wait(),
            stop=_stop,
            sleep=clock.sleep,
            reraise=False,
        )
