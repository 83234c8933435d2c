"""Observability: Prometheus metrics of the SDK's events (:mod:`.metrics`, fed by the
built-in plugin :mod:`.events`) and JSON log lines after the redaction filter
(:mod:`.json_logs`). OpenTelemetry spans and metrics come from the ``notifysdk-otel``
plugin. Importing this package loads neither prometheus-client nor OpenTelemetry."""

from __future__ import annotations

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
