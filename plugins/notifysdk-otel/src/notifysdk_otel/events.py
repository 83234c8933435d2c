"""The OpenTelemetry side of the plugin: :class:`OtelEvents` (loaded on the first event,
so registering the plugin at every CLI start-up does not import OpenTelemetry)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from opentelemetry.trace import Status, StatusCode

from notifysdk.plugin import OutcomeStatus, attempt_result, hookimpl

if TYPE_CHECKING:
    from notifysdk.plugin import Attempt, Notice, Outcome

SCOPE = "notifysdk"
"""The instrumentation scope of every span and instrument."""
MAX_SPAN_SECONDS = 3600.0
"""An attempt whose start is further from the wall clock than this (or after it) was
timed on a fake or shifted clock: its span starts at its end and its latency is not
observed."""
_FAILED = (OutcomeStatus.FAILED, OutcomeStatus.DEAD_LETTERED)


def _ns(instant: datetime) -> int:
    return int(instant.timestamp() * 1_000_000_000)


class OtelEvents:
    """The event hooks on ``tracer_provider`` and ``meter_provider`` (the global ones by
    default, looked up at each event, so an SDK configured later is used)."""

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._tracer = trace.get_tracer(SCOPE, tracer_provider=tracer_provider)
        # The global meter is a proxy that forwards to an SDK configured later.
        meter = (
            meter_provider.get_meter(SCOPE)
            if meter_provider is not None
            else metrics.get_meter(SCOPE)
        )
        self._outcomes = meter.create_counter(
            "notifysdk.outcomes", unit="{notice}", description="Notices ended, by outcome."
        )
        self._attempts = meter.create_counter(
            "notifysdk.attempts", unit="{attempt}", description="Calls to a channel's send."
        )
        self._latency = meter.create_histogram(
            "notifysdk.provider.latency",
            unit="s",
            description="Seconds from an attempt's start to its end.",
        )

    @hookimpl
    def notifysdk_on_attempt(
        self, notice: Notice, attempt: Attempt, error: BaseException | None
    ) -> None:
        """A ``notifysdk.attempt`` span from the attempt's start to now; count it."""
        end = datetime.now(UTC)
        result = attempt_result(error)
        start = attempt.started_at
        seconds: float | None = None
        if isinstance(start, datetime) and start.tzinfo is not None:
            seconds = (end - start).total_seconds()
            if not 0 <= seconds <= MAX_SPAN_SECONDS:
                seconds = None
        attrs: dict[str, Any] = {
            "notifysdk.channel": attempt.channel,
            "notifysdk.notice.kind": str(notice.kind),
            "notifysdk.attempt.number": attempt.number,
            "notifysdk.attempt.result": result,
        }
        code = getattr(error, "provider_code", None)
        if code is not None:
            attrs["notifysdk.provider_code"] = str(code)
        if error is not None:
            attrs["error.type"] = type(error).__name__
        span = self._tracer.start_span(
            "notifysdk.attempt",
            attributes=attrs,
            start_time=_ns(start) if seconds is not None else _ns(end),
        )
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end(end_time=_ns(end))
        labels = {"channel": attempt.channel, "result": result}
        self._attempts.add(1, labels)
        if seconds is not None and result != "rate_limited":
            self._latency.record(seconds, labels)

    @hookimpl
    def notifysdk_on_outcome(self, notice: Notice, outcome: Outcome) -> None:
        """A ``notifysdk.outcome`` span; count the outcome by status, rule and channel."""
        attrs: dict[str, Any] = {
            "notifysdk.channel": outcome.channel,
            "notifysdk.notice.kind": str(notice.kind),
            "notifysdk.outcome.status": outcome.status.value,
            "notifysdk.outcome.rule": outcome.rule or "",
            "notifysdk.outcome.attempts": outcome.attempts,
            "notifysdk.outcome.duplicate": outcome.duplicate,
        }
        if outcome.provider_code:
            attrs["notifysdk.provider_code"] = outcome.provider_code
        with self._tracer.start_as_current_span("notifysdk.outcome", attributes=attrs) as span:
            if outcome.status in _FAILED:
                span.set_status(Status(StatusCode.ERROR, outcome.status.value))
        self._outcomes.add(
            1,
            {
                "status": outcome.status.value,
                "rule": outcome.rule or "",
                "channel": outcome.channel,
            },
        )
