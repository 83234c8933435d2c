"""The SDK's Prometheus metrics: fed by the built-in events plugin from real sends,
labelled by status, rule and channel only, served by serve_metrics."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from notifysdk.channels import Attempt
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import (
    AmbiguousDeliveryError,
    InvalidPhoneNumberError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifysdk.models import Message, OutcomeStatus
from notifysdk.observability import (
    SdkMetrics,
    attempt_result,
    metrics_text,
    sdk_metrics,
    serve_metrics,
    set_queue_depth,
)
from notifysdk.ratelimit import RateLimitedError
from notifysdk.testing import MockChannel, sample_account, sample_notice

PHONES = ("+14155550101", "+14155550102", "+14155550103")


def value(name: str, **labels: str) -> float:
    m = sdk_metrics()
    assert m is not None
    return m.registry.get_sample_value(name, labels) or 0.0


def notice(i: int) -> Any:
    account = sample_account(i + 1, locale="en", phone=PHONES[i])
    return sample_notice(locale="en", account=account)


async def test_sends_are_counted_by_status_rule_and_channel(
    dispatcher: Callable[..., Dispatcher], mock_channel: Callable[..., MockChannel]
) -> None:
    calls: dict[str, int] = {}

    def handler(message: Message) -> None:
        calls[message.to] = calls.get(message.to, 0) + 1
        if message.to == PHONES[1] and calls[message.to] == 1:
            raise TransientDeliveryError("busy", provider_code="503")
        if message.to == PHONES[2]:
            raise PermanentDeliveryError("no such number", provider_code="21211")

    d = dispatcher(mock_channel(handler))
    delivered = value("notifysdk_outcomes_total", status="delivered", rule="", channel="mock")
    failed = value("notifysdk_outcomes_total", status="failed", rule="", channel="mock")
    ok = value("notifysdk_attempts_total", channel="mock", result="ok")
    transient = value("notifysdk_attempts_total", channel="mock", result="transient")
    permanent = value("notifysdk_attempts_total", channel="mock", result="permanent")
    retries = value("notifysdk_retries_total", channel="mock")

    outcomes = [await d.send(notice(i)) for i in range(3)]
    assert [o.status for o in outcomes] == [
        OutcomeStatus.DELIVERED,
        OutcomeStatus.DELIVERED,
        OutcomeStatus.FAILED,
    ], [o.reason for o in outcomes]

    assert value("notifysdk_outcomes_total", status="delivered", rule="", channel="mock") == (
        delivered + 2
    )
    assert value("notifysdk_outcomes_total", status="failed", rule="", channel="mock") == (
        failed + 1
    )
    assert value("notifysdk_attempts_total", channel="mock", result="ok") == ok + 2
    assert value("notifysdk_attempts_total", channel="mock", result="transient") == transient + 1
    assert value("notifysdk_attempts_total", channel="mock", result="permanent") == permanent + 1
    assert value("notifysdk_retries_total", channel="mock") == retries + 1

    # No label or sample carries a destination, a name, an account or a loan.
    status, body, content_type = metrics_text()
    assert status == 200 and content_type.startswith("text/plain; version=")
    text = body.decode()
    assert 'notifysdk_outcomes_total{channel="mock",rule="",status="delivered"}' in text
    person = notice(0).account
    for raw in (*PHONES, person.debtor.name, person.account_id, person.loan_id):
        assert raw not in text


def attempt(started: datetime, number: int = 1) -> Attempt:
    return Attempt("nk_x", "twilio-sms", number, "+14155550101", started)


def test_latency_is_observed_on_the_wall_clock_and_skipped_on_a_far_one() -> None:
    m = SdkMetrics(CollectorRegistry())
    m.observe_attempt(attempt(datetime.now(UTC) - timedelta(seconds=0.25)), None)
    labels = {"channel": "twilio-sms", "result": "ok"}
    count = m.registry.get_sample_value("notifysdk_provider_latency_seconds_count", labels)
    total = m.registry.get_sample_value("notifysdk_provider_latency_seconds_sum", labels)
    assert count == 1 and total is not None and 0.25 <= total < 5
    # A fake clock's attempt (months away) and a rate-limited one are not latencies.
    m.observe_attempt(attempt(datetime(2026, 1, 5, tzinfo=UTC), number=2), None)
    m.observe_attempt(
        attempt(datetime.now(UTC)), RateLimitedError("x", retry_after=1, until=datetime.now(UTC))
    )
    assert m.registry.get_sample_value("notifysdk_provider_latency_seconds_count", labels) == 1
    assert m.registry.get_sample_value("notifysdk_retries_total", {"channel": "twilio-sms"}) == 1


@pytest.mark.parametrize(
    ("error", "result"),
    [
        (None, "ok"),
        (RateLimitedError("x", retry_after=1, until=datetime.now(UTC)), "rate_limited"),
        (AmbiguousDeliveryError("x"), "ambiguous"),
        (TransientDeliveryError("x"), "transient"),
        (PermanentDeliveryError("x"), "permanent"),
        (InvalidPhoneNumberError("message.to", "bad"), "invalid"),
        (RuntimeError("bug"), "error"),
    ],
)
def test_attempt_results(error: BaseException | None, result: str) -> None:
    assert attempt_result(error) == result


def test_serve_metrics_answers_get_metrics_with_the_queue_depth() -> None:
    set_queue_depth(7, queue="notices")
    server = serve_metrics(0)
    try:
        port = server.server_port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            text = r.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert 'notifysdk_queue_depth{queue="notices"} 7.0' in text
    m = sdk_metrics()
    assert (
        m is not None and generate_latest(m.registry).decode().count("notifysdk_queue_depth") >= 1
    )
