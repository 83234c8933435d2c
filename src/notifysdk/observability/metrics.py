"""The SDK's Prometheus metrics, in a registry of its own (not the process's default).

======================================  =========  ==================================
metric                                  type       labels
======================================  =========  ==================================
``notifysdk_outcomes_total``            counter    ``status``, ``rule``, ``channel``
``notifysdk_attempts_total``            counter    ``channel``, ``result``
``notifysdk_retries_total``             counter    ``channel``
``notifysdk_provider_latency_seconds``  histogram  ``channel``, ``result``
``notifysdk_queue_depth``               gauge      ``queue``
======================================  =========  ==================================

``result`` is what an attempt ended in: ``ok``, ``rate_limited``, ``transient``,
``ambiguous``, ``permanent``, ``invalid``, ``cancelled`` or ``error``. Labels hold rule,
channel, status and queue names only: never a destination, a name or an account, so a
metric cannot identify anyone. The built-in events plugin
(:mod:`notifysdk.observability.events`) feeds them; a worker sets the queue depth
(:func:`set_queue_depth`); :func:`serve_metrics` serves them on a port of their own and
``notifysdk serve`` answers ``GET /metrics`` (:func:`metrics_text`).

prometheus-client is in the ``workers`` extra: without it every function here is a
no-op and :func:`metrics_text` says how to get it.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import (
    AmbiguousDeliveryError,
    InvalidInputError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from ..channels import Attempt
    from ..models import Outcome

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Seconds: a loopback provider answers in milliseconds, a slow one within its timeout."""
MAX_LATENCY_SECONDS = 3600.0
"""An attempt that seems to have lasted longer (or less than nothing) was timed on a
clock far from the wall clock (a fake or shifted one): its latency is not observed."""
MISSING_MESSAGE = "metrics need prometheus-client: pip install 'notifysdk[workers]'"


@functools.cache
def available() -> bool:
    """True when prometheus-client is installed."""
    return importlib.util.find_spec("prometheus_client") is not None


class SdkMetrics:
    """The metrics, registered in ``registry`` (a new one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.outcomes = Counter(
            "notifysdk_outcomes",
            "Notices ended, by outcome status, deciding rule and channel.",
            ["status", "rule", "channel"],
            registry=r,
        )
        self.attempts = Counter(
            "notifysdk_attempts",
            "Calls to a channel's send, by what they ended in.",
            ["channel", "result"],
            registry=r,
        )
        self.retries = Counter(
            "notifysdk_retries", "Attempts after a notice's first.", ["channel"], registry=r
        )
        self.latency = Histogram(
            "notifysdk_provider_latency_seconds",
            "Seconds from an attempt's start (as the ledger recorded it) to its end.",
            ["channel", "result"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge(
            "notifysdk_queue_depth", "Notices waiting in a worker queue.", ["queue"], registry=r
        )
        # Each label set's child, looked up once (labels() takes a lock and builds a key).
        self._attempt_children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._outcome_children: dict[tuple[str, str, str], Any] = {}

    def observe_attempt(self, attempt: Attempt, error: BaseException | None) -> None:
        """Count one attempt (and its retry) and observe its latency."""
        result = attempt_result(error)
        key = (attempt.channel, result)
        children = self._attempt_children.get(key)
        if children is None:
            children = (self.attempts.labels(*key), self.latency.labels(*key))
            self._attempt_children[key] = children
        children[0].inc()
        if attempt.number > 1:
            self.retries.labels(attempt.channel).inc()
        started = attempt.started_at
        if result != "rate_limited" and isinstance(started, datetime) and started.tzinfo:
            seconds = (datetime.now(UTC) - started).total_seconds()
            if 0 <= seconds <= MAX_LATENCY_SECONDS:
                children[1].observe(seconds)

    def observe_outcome(self, outcome: Outcome) -> None:
        """Count one outcome."""
        # _value_: the str .value returns, without the enum property's descriptor
        key = (outcome.status._value_, outcome.rule or "", outcome.channel)
        child = self._outcome_children.get(key)
        if child is None:
            child = self._outcome_children[key] = self.outcomes.labels(*key)
        child.inc()


def attempt_result(error: BaseException | None) -> str:
    """The ``result`` label of an attempt that raised ``error`` (``None``: ``ok``)."""
    if error is None:
        return "ok"
    from ..ratelimit import RateLimitedError

    if isinstance(error, RateLimitedError):
        return "rate_limited"
    if isinstance(error, AmbiguousDeliveryError):
        return "ambiguous"
    if isinstance(error, TransientDeliveryError):
        return "transient"
    if isinstance(error, PermanentDeliveryError):
        return "permanent"
    if isinstance(error, InvalidInputError):
        return "invalid"
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    return "error"


_lock = threading.Lock()
_metrics: SdkMetrics | None = None


def sdk_metrics() -> SdkMetrics | None:
    """The process's SDK metrics (created on first use), or ``None`` without
    prometheus-client."""
    global _metrics
    if _metrics is None and available():
        with _lock:
            if _metrics is None:
                _metrics = SdkMetrics()
    return _metrics


def set_queue_depth(depth: int, queue: str = "notices") -> None:
    """Set the ``notifysdk_queue_depth`` gauge of ``queue`` (a worker calls this)."""
    m = sdk_metrics()
    if m is not None:
        m.queue_depth.labels(queue).set(depth)


def metrics_text() -> tuple[int, bytes, str]:
    """What ``GET /metrics`` answers: status, body and content type. The metrics in
    Prometheus' text format (200), or without prometheus-client 503 and how to get it."""
    m = sdk_metrics()
    if m is None:
        return 503, (MISSING_MESSAGE + "\n").encode(), "text/plain; charset=utf-8"
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return 200, generate_latest(m.registry), CONTENT_TYPE_LATEST


def serve_metrics(port: int, addr: str = "127.0.0.1") -> Any:
    """Serve ``GET /metrics`` on ``addr:port`` from a daemon thread (a worker process
    calls this once); returns prometheus-client's server (``.shutdown()`` stops it).
    Bind ``0.0.0.0`` for a scraper on another host. Raises
    :class:`~notifysdk.errors.ConfigurationError` without prometheus-client."""
    m = sdk_metrics()
    if m is None:
        from ..errors import ConfigurationError

        raise ConfigurationError(MISSING_MESSAGE)
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr, registry=m.registry)
    return server
