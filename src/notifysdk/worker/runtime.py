"""One worker process's state: an asyncio loop, one dispatcher, one Redis client.

Celery calls tasks synchronously; each process keeps one event loop and runs every
task's coroutine on it, so the dispatcher (its ledger connection, its channels' HTTP
clients) lives as long as the process. The dispatcher is opened when the process
starts (``async with``: crash recovery of this owner's claims runs then) under a
stable owner name — ``celery:<node name>`` (``/<child index>`` in a prefork pool) — so a
worker restarted under the same ``-n`` name recovers its own claims at once, without
waiting for their leases to expire.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..clock import Clock, OffsetClock, SystemClock
from ..config import Settings
from ..dispatch.dispatcher import Dispatcher
from ..errors import ConfigurationError
from ..keys import LedgerKeys, load_settings_keys
from ..plugins import PluginManager, get_plugin_manager
from .jobs import Step, seal_report
from .send import FleetClock, send_jobs
from .settings import WorkerSettings, check_fleet

__all__ = ["CONFIG_ENV", "NOW_ENV", "PLUGINS_ENV", "Runtime", "WorkerOptions"]

log = logging.getLogger("notifysdk.worker")

T = TypeVar("T")

CONFIG_ENV = "NOTIFYSDK_CONFIG"
"""The settings file a worker reads (``notifysdk worker --config`` sets it)."""
NOW_ENV = "NOTIFYSDK_WORKER_NOW"
"""An ISO 8601 instant the worker's clock starts at (``notifysdk worker --now``)."""
PLUGINS_ENV = "NOTIFYSDK_WORKER_PLUGINS"
"""Comma-separated modules registered as plugins by hand in every worker (a lender's
in-house channel that is not packaged with an entry point)."""


@dataclass
class WorkerOptions:
    """What a worker process is started with (from the environment by default)."""

    config: Path | None = None
    now: str | None = None
    plugins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> WorkerOptions:
        """The options ``notifysdk worker`` (or the operator) put in the environment."""
        config = os.environ.get(CONFIG_ENV)
        plugins = tuple(p.strip() for p in os.environ.get(PLUGINS_ENV, "").split(",") if p.strip())
        return cls(Path(config) if config else None, os.environ.get(NOW_ENV) or None, plugins)

    def clock(self) -> Clock:
        """The system clock, or one starting at ``now``."""
        if not self.now:
            return SystemClock()
        from datetime import datetime

        return OffsetClock(datetime.fromisoformat(self.now))

    def plugin_manager(self) -> PluginManager:
        """The process's plugin manager with ``plugins`` registered on it."""
        pm = get_plugin_manager()
        for name in self.plugins:
            try:
                module = importlib.import_module(name)
            except ImportError as exc:
                raise ConfigurationError(
                    f"{PLUGINS_ENV}: cannot import {name} ({type(exc).__name__})"
                ) from None
            if name not in pm.infos:  # once per process
                pm.register(module, name)
        return pm


@dataclass
class Runtime:
    """The per-process state (see the module docstring)."""

    options: WorkerOptions
    worker: WorkerSettings
    node: str = ""
    """The Celery node name (``w1@host``)."""
    pid: int = field(default_factory=os.getpid)
    _loop: asyncio.AbstractEventLoop | None = None
    _dispatcher: Dispatcher | None = None
    _redis: Any = None
    _keys: LedgerKeys | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """This process's event loop."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to its end on the process's loop."""
        return self.loop.run_until_complete(coro)

    def owner(self) -> str:
        """The ledger owner name of this process (stable across restarts)."""
        if os.environ.get("NOTIFYSDK_OWNER"):
            return os.environ["NOTIFYSDK_OWNER"]
        from billiard.process import current_process  # type: ignore[import-untyped]

        index = getattr(current_process(), "index", None)
        base = f"celery:{self.node or 'worker'}"
        return base if index is None else f"{base}/{index}"

    async def dispatcher(self) -> Dispatcher:
        """The process's dispatcher, opened (and its owner's claims recovered) once."""
        if self._dispatcher is None:
            settings = Settings.load(self.options.config, owner=self.owner())
            check_fleet(settings, self.worker)
            d = Dispatcher(
                settings,
                plugins=self.options.plugin_manager(),
                clock=FleetClock(self.options.clock()),
            )
            await d.__aenter__()
            self._keys = load_settings_keys(settings, create=False)
            self._dispatcher = d
            log.info("worker %s ready: ledger open, recovery done", settings.owner)
        return self._dispatcher

    @property
    def keys(self) -> LedgerKeys:
        """The ledger keys (after :meth:`dispatcher`)."""
        assert self._keys is not None
        return self._keys

    async def redis(self) -> Any:
        """The process's Redis client (reports and beat locks)."""
        if self._redis is None:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(self.worker.broker())
        return self._redis

    async def send(self, run_id: str | None, jobs: Sequence[Sequence[str]]) -> list[list[str]]:
        """Send a task's jobs, push their reports; the jobs left busy (to retry)."""
        d = await self.dispatcher()
        done, busy = await send_jobs(d, self.keys, jobs, concurrency=self.worker.concurrency)
        if busy:
            # A claim held by a crashed worker whose lease ran out is settled here
            # (recovery takes it over under a new fencing token); then try once more.
            await d.recover()
            again, busy = await send_jobs(d, self.keys, busy, concurrency=self.worker.concurrency)
            done.update(again)
        if run_id and done:
            await self._report(run_id, done)
        await self._queue_depth()
        return busy

    async def _queue_depth(self) -> None:
        """Tell the ``notifysdk_queue_depth`` gauge how long the queue is (a no-op
        without prometheus-client)."""
        from ..observability.metrics import set_queue_depth

        redis = await self.redis()
        set_queue_depth(int(await redis.llen(self.worker.queue)), self.worker.queue)

    async def _report(self, run_id: str, done: dict[str, list[Step]]) -> None:
        import json

        from .names import reports_key

        redis = await self.redis()
        key = reports_key(run_id)
        items = [
            json.dumps([job_id, seal_report(self.keys, job_id, steps)])
            for job_id, steps in done.items()
        ]
        async with redis.pipeline(transaction=False) as pipe:
            pipe.rpush(key, *items)
            pipe.expire(key, self.worker.report_ttl_seconds)
            await pipe.execute()

    async def periodic(self, task: str, every: float) -> dict[str, Any]:
        """Run ``run_due`` or ``recover`` unless another beat's firing ran it less than
        ``0.9 × every`` ago (a Redis lock): two beats firing make one run. The run is
        audited (``periodic``: task, node, counts)."""
        redis = await self.redis()
        d = await self.dispatcher()
        owner = d.settings.owner
        took = await redis.set(
            f"notifysdk:periodic:{task}", owner, nx=True, px=max(1, int(every * 900))
        )
        if not took:
            log.info("periodic %s: another beat ran it just now; skipped", task)
            return {"task": task, "skipped": True}
        detail: dict[str, Any] = {"task": task, "node": owner}
        if task == "run_due":
            outcomes = await d.run_due()
            detail["outcomes"] = len(outcomes)
            detail.update(Counter(o.status.value for o in outcomes))
        else:
            report = await d.recover()
            detail.update(
                examined=report.examined,
                delivered=report.delivered,
                resent=report.resent,
                held=report.held,
                skipped=report.skipped,
            )
        await d.ledger.audit("periodic", None, detail, now=d.clock.now())
        log.info("periodic %s: %s", task, detail)
        return detail

    def close(self) -> None:
        """Close the dispatcher and the Redis client (at worker shutdown)."""
        if self._loop is None:
            return

        async def close() -> None:
            if self._dispatcher is not None:
                await self._dispatcher.aclose()
            if self._redis is not None:
                await self._redis.aclose()

        self.run(close())
        self._loop.close()
        self._loop = None
