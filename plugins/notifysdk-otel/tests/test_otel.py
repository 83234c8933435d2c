"""notifysdk-otel: real sends through the dispatcher become spans and metrics in
opentelemetry-sdk's in-memory exporters; nothing personal in any attribute; a no-op on
the API's default providers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import notifysdk_otel
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import PermanentDeliveryError, TransientDeliveryError
from notifysdk.models import Message, OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.testing import MockChannel, sample_account, sample_notice
from notifysdk_otel import OtelEvents

PHONES = ("+14155550101", "+14155550102", "+14155550103")


@pytest.fixture
def notifysdk_clock() -> FakeClock:
    """10:00 in Shanghai on a Monday: inside every contact window."""
    return FakeClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))


class Telemetry:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def points(self, name: str) -> dict[tuple[tuple[str, Any], ...], Any]:
        data = self.reader.get_metrics_data()
        out: dict[tuple[tuple[str, Any], ...], Any] = {}
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == name:
                        for p in metric.data.data_points:
                            out[tuple(sorted(p.attributes.items()))] = p
        return out


@pytest.fixture
def telemetry(notifysdk_register_plugin: Callable[..., str]) -> Iterator[Telemetry]:
    t = Telemetry()
    notifysdk_register_plugin(OtelEvents(t.tracer_provider, t.meter_provider), "otel-test")
    yield t
    t.tracer_provider.shutdown()
    t.meter_provider.shutdown()


def notice(i: int) -> Any:
    return sample_notice(locale="en", account=sample_account(i + 1, locale="en", phone=PHONES[i]))


async def test_sends_become_spans_and_metrics_without_personal_data(
    telemetry: Telemetry,
    dispatcher: Callable[..., Dispatcher],
    mock_channel: Callable[..., MockChannel],
) -> None:
    seen: dict[str, int] = {}

    def handler(message: Message) -> None:
        seen[message.to] = seen.get(message.to, 0) + 1
        if message.to == PHONES[1] and seen[message.to] == 1:
            raise TransientDeliveryError("busy", provider_code="503")
        if message.to == PHONES[2]:
            raise PermanentDeliveryError("no such number", provider_code="21211")

    d = dispatcher(mock_channel(handler))
    app_tracer = telemetry.tracer_provider.get_tracer("app")
    with app_tracer.start_as_current_span("send-three"):
        outcomes = [await d.send(notice(i)) for i in range(3)]
    assert [o.status for o in outcomes] == [
        OutcomeStatus.DELIVERED,
        OutcomeStatus.DELIVERED,
        OutcomeStatus.FAILED,
    ], [o.reason for o in outcomes]

    spans = telemetry.spans.get_finished_spans()
    attempts = [s for s in spans if s.name == "notifysdk.attempt"]
    ends = [s for s in spans if s.name == "notifysdk.outcome"]
    (parent,) = [s for s in spans if s.name == "send-three"]
    assert len(attempts) == 4 and len(ends) == 3
    assert {s.parent.span_id for s in attempts + ends if s.parent} == {parent.context.span_id}
    results = [
        (s.attributes["notifysdk.attempt.number"], s.attributes["notifysdk.attempt.result"])
        for s in attempts
    ]
    assert results == [(1, "ok"), (1, "transient"), (2, "ok"), (1, "permanent")]
    failed = [s for s in attempts if s.status.status_code is StatusCode.ERROR]
    assert [s.attributes["notifysdk.provider_code"] for s in failed] == ["503", "21211"]
    assert [s.attributes["notifysdk.outcome.status"] for s in ends] == [
        "delivered",
        "delivered",
        "failed",
    ]
    assert ends[2].status.status_code is StatusCode.ERROR

    counted = telemetry.points("notifysdk.outcomes")
    key = (("channel", "mock"), ("rule", ""), ("status", "delivered"))
    assert counted[key].value == 2
    tries = telemetry.points("notifysdk.attempts")
    assert tries[(("channel", "mock"), ("result", "transient"))].value == 1

    values = [str(v) for s in spans for v in (s.attributes or {}).values()]
    person = notice(0).account
    for raw in (*PHONES, person.debtor.name, person.account_id, person.loan_id):
        assert not any(raw in v for v in values), raw
    assert not any(o.idempotency_key in v for o in outcomes for v in values)


def test_the_entry_point_registers_the_module_on_the_global_providers() -> None:
    pm = PluginManager()
    pm.load()
    assert pm.pm.get_plugin("otel") is notifysdk_otel
    # No SDK configured: the global tracer provider is the API's proxy, and a span is
    # not recorded.
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)
    span = trace.get_tracer("x").start_span("y")
    assert not span.is_recording()
