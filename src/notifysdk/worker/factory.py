"""The Celery application: its settings, the send task and the periodic tasks.

Delivery settings, and why:

- ``task_acks_late``: a task is acknowledged after its outcomes are recorded, so a
  worker killed mid-task leaves it unacknowledged and Redis gives it to another worker
  after ``visibility_timeout`` (``broker_transport_options``); the copy meets the
  idempotency keys of what the first one recorded and gets those outcomes back.
- ``task_reject_on_worker_lost``: in a prefork pool, a child killed mid-task (the OOM
  killer) has its task re-queued instead of acknowledged as failed.
- ``visibility_timeout`` longer than the ledger's lease (checked,
  :func:`~notifysdk.worker.settings.check_fleet`): by the time a killed worker's task
  comes back, its claims' leases have run out and recovery may take them over.
- ``worker_prefetch_multiplier = 1``: a worker reserves one task at a time, so a task
  never waits in a worker's buffer while its visibility timeout runs.
- No result backend (``task_ignore_result``): the planner reads outcomes from the
  ledger, the source of truth; workers push a small sealed report per job for it.
- JSON only: a task's arguments are job ids and sealed tokens.

The periodic tasks (``notifysdk.run_due``, ``notifysdk.recover``) are on the beat
schedule (``celery beat``, or ``notifysdk worker --beat`` on one machine); two beats
firing together make one run (:meth:`~notifysdk.worker.runtime.Runtime.periodic`).

Pools: ``solo`` (one process per worker, start several) is the default and the
recommendation: one asyncio loop and one dispatcher per process, nothing forked after
the ledger opened, and a SIGKILL takes the whole worker down (nothing half-alive).
``prefork`` works too (each child opens its own dispatcher); the thread and green
pools are refused (one asyncio loop cannot be shared by threads).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, RunFaultError
from .names import SEND_TASK
from .settings import WorkerSettings, load_worker_settings

__all__ = ["PERIODIC_TASKS", "celery_config", "create_app"]

log = logging.getLogger("notifysdk.worker")

PERIODIC_TASKS = {"run_due": "notifysdk.run_due", "recover": "notifysdk.recover"}
"""Periodic work: its name and its Celery task."""

UNEXPECTED_RETRIES = 8
"""Retries of a task that failed unexpectedly (a bug, not a notice's outcome)."""

_runtime: Any = None
_node = ""


def celery_config(worker: WorkerSettings) -> dict[str, Any]:
    """The Celery settings of the fleet (see the module docstring)."""
    return {
        "broker_url": worker.broker(),
        "broker_transport_options": {
            "visibility_timeout": math.ceil(worker.visibility_timeout),
            "unacked_restore_interval": worker.restore_interval,
            "unacked_restore_throttle": 1,
        },
        "broker_connection_retry_on_startup": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_ignore_result": True,
        "result_backend": None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_default_queue": worker.queue,
        "worker_pool": "solo",
        "worker_hijack_root_logger": False,
        "beat_schedule": {
            f"notifysdk-{name.replace('_', '-')}": {
                "task": task,
                "schedule": every,
                "kwargs": {"every": every},
                "options": {"queue": worker.queue, "expires": every},
            }
            for name, task, every in (
                ("run_due", PERIODIC_TASKS["run_due"], worker.run_due_every),
                ("recover", PERIODIC_TASKS["recover"], worker.recover_every),
            )
        },
    }


def create_app(config: Path | str | None = None, *, worker: WorkerSettings | None = None) -> Any:
    """The fleet's Celery application (a ``celery.Celery``), from the ``[worker]``
    table of ``config`` (or ``worker``). Its tasks open the dispatcher from
    :data:`~.runtime.CONFIG_ENV`'s settings file in each worker process."""
    from celery import Celery, signals  # type: ignore[import-untyped]

    worker = worker or load_worker_settings(config)
    app = Celery("notifysdk")
    app.conf.update(celery_config(worker))

    def runtime() -> Any:
        import os

        from .runtime import Runtime, WorkerOptions

        global _runtime
        if _runtime is None or _runtime.pid != os.getpid():
            _runtime = Runtime(WorkerOptions.from_env(), worker, node=_node)
        return _runtime

    def send(self: Any, run_id: str | None, jobs: list[list[str]]) -> int:
        """Send a batch of jobs (see :mod:`notifysdk.worker.send`); retried later for
        the jobs a claim held elsewhere kept busy, or when the ledger is unreachable."""
        rt = runtime()
        try:
            busy = rt.run(rt.send(run_id, jobs))
        except RunFaultError as exc:
            log.error("task %s: %s; retrying", self.request.id, exc)
            raise self.retry(countdown=worker.busy_retry_seconds) from None
        except Exception as exc:
            # Not one notice's fault (those end in outcomes): retried a few times, with
            # the type only in the log (a message may quote data), never dropped quietly.
            log.error("task %s failed: %s; retrying", self.request.id, type(exc).__name__)
            raise self.retry(
                countdown=worker.busy_retry_seconds * 2 ** min(self.request.retries, 6),
                max_retries=UNEXPECTED_RETRIES,
            ) from None
        if busy:
            raise self.retry(args=(run_id, busy), countdown=worker.busy_retry_seconds)
        return len(jobs)

    def run_due(every: float) -> dict[str, Any]:
        """Send the deferred notices whose time has come (one run per beat period)."""
        rt = runtime()
        result: dict[str, Any] = rt.run(rt.periodic("run_due", every))
        return result

    def recover(every: float) -> dict[str, Any]:
        """Recover the claims of crashed workers (one run per beat period)."""
        rt = runtime()
        result: dict[str, Any] = rt.run(rt.periodic("recover", every))
        return result

    def _named(sender: Any = None, conf: Any = None, options: Any = None, **_: Any) -> None:
        global _node
        _node = str(sender or "")
        if _node.startswith("celery@"):
            log.warning(
                "worker %s runs under Celery's default node name: give each worker process "
                "its own -n (it is the ledger owner of its claims)",
                _node,
            )
        pool = str((options or {}).get("pool") or conf.worker_pool if conf else "solo")
        if pool.rsplit(".", 1)[-1].lower() in ("threads", "gevent", "eventlet", "threadpool"):
            raise ConfigurationError(
                "notifysdk workers run one asyncio loop per process: use --pool solo "
                "(recommended) or prefork, not threads or green threads"
            )

    def _ready(sender: Any = None, **_: Any) -> None:
        # The solo pool runs tasks in this process: open the ledger and recover now,
        # not at the first task.
        if str(app.conf.worker_pool).endswith("solo") or _is_solo(sender):
            rt = runtime()
            rt.run(rt.dispatcher())

    def _child(**_: Any) -> None:
        rt = runtime()
        rt.run(rt.dispatcher())

    def _shutdown(**_: Any) -> None:
        if _runtime is not None:
            _runtime.close()

    app.task(name=SEND_TASK, bind=True, max_retries=None)(send)
    app.task(name=PERIODIC_TASKS["run_due"])(run_due)
    app.task(name=PERIODIC_TASKS["recover"])(recover)
    signals.celeryd_init.connect(_named, weak=False)
    signals.worker_ready.connect(_ready, weak=False)
    signals.worker_process_init.connect(_child, weak=False)
    signals.worker_shutdown.connect(_shutdown, weak=False)
    return app


def _is_solo(consumer: Any) -> bool:
    pool = getattr(getattr(consumer, "controller", None), "pool", None)
    return type(pool).__module__.endswith("solo")
