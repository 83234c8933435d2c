"""Observability: Prometheus metrics of the SDK's events (:mod:`.metrics`, fed by the
built-in plugin :mod:`.events`) and JSON log lines after the redaction filter
(:mod:`.json_logs`). OpenTelemetry spans and metrics come from the ``notifysdk-otel``
plugin. Importing this package loads neither prometheus-client nor OpenTelemetry, and
its modules load when a name is first read (the events plugin registers at every start,
``notifysdk --help`` included)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
    from .json_logs import JsonFormatter
    from .metrics import (
        SdkMetrics,
        attempt_result,
        metrics_text,
        sdk_metrics,
        serve_metrics,
        set_queue_depth,
    )

__all__ = [
    "JsonFormatter",
    "SdkMetrics",
    "attempt_result",
    "metrics_text",
    "sdk_metrics",
    "serve_metrics",
    "set_queue_depth",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "json_logs": ("JsonFormatter",),
        "metrics": (
            "SdkMetrics",
            "attempt_result",
            "metrics_text",
            "sdk_metrics",
            "serve_metrics",
            "set_queue_depth",
        ),
    },
)
