"""The fleet's settings: the ``[worker]`` table of the settings file, and the checks a
shared ledger needs.

::

    [notifysdk]
    ledger_url = "postgresql://notifysdk@db/notifysdk"
    lease_seconds = 300

    [worker]
    broker_url = "redis://redis:6379/0"     # or NOTIFYSDK_BROKER_URL
    visibility_timeout = 3600               # must exceed notifysdk.lease_seconds

The planner (``notifysdk run --workers celery``) and every worker (``notifysdk
worker``) read the same file. Errors name the setting, never a value (a broker URL may
carry a password).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ..config import Settings
from ..config_errors import configuration_error, read_toml
from ..errors import ConfigurationError

__all__ = [
    "BROKER_ENV",
    "SharedLedgerRequiredError",
    "WorkerSettings",
    "check_fleet",
    "load_worker_settings",
]

BROKER_ENV = "NOTIFYSDK_BROKER_URL"
"""Overrides ``[worker] broker_url``."""

SHARED_SCHEMES = frozenset({"postgresql", "postgres"})
"""Ledger back-ends several processes on several machines may share."""


class SharedLedgerRequiredError(ConfigurationError):
    """Multi-worker mode was asked for on a ledger only one process may use (SQLite,
    memory): names the setting ``notifysdk.ledger_url``."""


class WorkerSettings(BaseModel):
    """The ``[worker]`` table."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    broker_url: SecretStr | None = None
    """The Redis broker (``redis://host:6379/0``); a secret (it may carry a password)."""
    queue: str = Field("notifysdk", min_length=1, max_length=100)
    """The Celery queue the planner fills and the workers consume."""
    visibility_timeout: float = Field(3600.0, gt=0)
    """Seconds Redis waits for a task's acknowledgement before it gives the task to
    another worker (tasks are acknowledged late, after their outcomes are recorded).
    Must exceed ``notifysdk.lease_seconds``: a task re-delivered while the killed
    worker's claims are still leased would only meet ``busy`` claims."""
    restore_interval: float = Field(10.0, gt=0)
    """Seconds between a worker's sweeps for unacknowledged tasks past the visibility
    timeout (kombu's ``unacked_restore_interval``, every sweep scanning)."""
    batch: int = Field(100, ge=1, le=1000)
    """Notices (stage jobs) per task: the planner publishes them together, a worker
    sends them concurrently."""
    concurrency: int = Field(32, ge=1, le=1000)
    """Notices one worker process sends at once (one asyncio loop per process)."""
    max_in_flight: int = Field(20000, ge=1)
    """Jobs the planner keeps enqueued and unsettled; past this it waits (back-pressure:
    its memory and the queue's length stay bounded)."""
    poll_seconds: float = Field(0.2, gt=0, le=60)
    """How often the planner looks for settled jobs."""
    busy_retry_seconds: float = Field(5.0, gt=0)
    """When a notice's claim is held by another (live or crashed) worker, its task is
    retried after this long; recovery settles a crashed worker's claims meanwhile."""
    run_due_every: float = Field(60.0, gt=0)
    """The beat schedule of ``run-due`` (seconds)."""
    recover_every: float = Field(60.0, gt=0)
    """The beat schedule of ``recover`` (seconds)."""
    report_ttl_seconds: int = Field(86400, ge=60)
    """How long a run's settled-job reports are kept in Redis for its planner."""

    def broker(self) -> str:
        """The broker URL, or a configuration error naming the setting."""
        if self.broker_url is None:
            raise ConfigurationError(
                f"worker.broker_url: not set (or set {BROKER_ENV}): the fleet needs a Redis broker"
            )
        url = self.broker_url.get_secret_value()
        if urlsplit(url).scheme not in ("redis", "rediss"):
            raise ConfigurationError("worker.broker_url: must be a redis:// or rediss:// URL")
        return url


def load_worker_settings(path: Path | str | None = None, **overrides: Any) -> WorkerSettings:
    """The ``[worker]`` table of the settings file ``path`` (none: defaults), then
    :data:`BROKER_ENV`, then ``overrides``. Invalid values raise
    :class:`~notifysdk.errors.ConfigurationError` naming ``worker.SETTING``."""
    data: dict[str, Any] = {}
    what = "invalid worker settings"
    if path is not None:
        what = f"invalid worker settings in {path}"
        table = read_toml(path, "settings").get("worker", {})
        if not isinstance(table, dict):
            raise ConfigurationError(f"{what}: worker: must be a table")
        data.update(table)
    if os.environ.get(BROKER_ENV):
        data["broker_url"] = os.environ[BROKER_ENV]
    data.update(overrides)
    try:
        return WorkerSettings.model_validate(data)
    except pydantic.ValidationError as exc:
        raise configuration_error(exc, what, location="worker") from None


def check_fleet(settings: Settings, worker: WorkerSettings) -> None:
    """Refuse settings under which several workers would be unsafe: a ledger only one
    process may use (:class:`SharedLedgerRequiredError`), a visibility timeout that
    does not outlast the lease, no broker."""
    scheme = urlsplit(settings.ledger_url.get_secret_value()).scheme.split("+", 1)[0]
    if scheme not in SHARED_SCHEMES:
        raise SharedLedgerRequiredError(
            f"notifysdk.ledger_url: several workers need a shared ledger (postgresql://), "
            f"not {scheme or 'a path'}:// — on one machine, run without --workers celery"
        )
    if worker.visibility_timeout <= settings.lease_seconds:
        raise ConfigurationError(
            "worker.visibility_timeout: must exceed notifysdk.lease_seconds "
            f"({worker.visibility_timeout:g} <= {settings.lease_seconds:g}), or a killed "
            "worker's tasks come back while its claims are still leased"
        )
    worker.broker()
