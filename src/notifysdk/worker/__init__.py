"""Scale-out: the same dispatch path on many worker processes, over Celery and Redis.

One planner streams the portfolio and enqueues jobs (:mod:`.fleet`, through
``notifysdk run --workers celery``); workers (``notifysdk worker`` or ``celery -A
notifysdk.worker.app worker``) send them through one dispatcher per process
(:mod:`.runtime`, :mod:`.send`). The PostgreSQL ledger stays the source of truth: a
task Celery delivers twice meets the idempotency key and gets the recorded outcome
back; contact caps are reserved with the claim, so no two workers take the last slot;
tasks are acknowledged late and re-delivered after a crash (:mod:`.factory`).
Nothing personal crosses the broker in clear (:mod:`.payload`). Settings:
:mod:`.settings`. Deployment: ``docs/deployment.md``.
"""

from __future__ import annotations

from .jobs import Job, Step
from .settings import SharedLedgerRequiredError, WorkerSettings, check_fleet, load_worker_settings

__all__ = [
    "Job",
    "SharedLedgerRequiredError",
    "Step",
    "WorkerSettings",
    "check_fleet",
    "load_worker_settings",
]
