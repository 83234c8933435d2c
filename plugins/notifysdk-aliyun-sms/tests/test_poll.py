"""``notifysdk cnsms poll --provider aliyun``: reports of recent sends still without one
pulled by QuerySendDetails from the loopback server into a SQLite ledger, as a pushed
report would store them; the one ``cnsms poll`` command shared with the Tencent plugin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

import notifysdk_aliyun_sms
import notifysdk_tencent_sms
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.testing import sample_notice
from notifysdk_aliyun_sms.poll import poll, poll_once
from notifysdk_aliyun_sms.testing import FakeAliyunSms


async def _three_sends(d: Dispatcher) -> list[str]:
    """Three delivered notices (accepted by the server, no report yet): their BizIds."""
    ids = []
    for n, kind in enumerate(
        (NoticeKind.OVERDUE_NOTICE, NoticeKind.FINAL_DEMAND, NoticeKind.PRE_DUE_REMINDER), 1
    ):
        outcome = await d.send(sample_notice(n, channel="aliyun-sms", kind=kind))
        assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
        assert outcome.receipt is not None and outcome.receipt.provider_id
        ids.append(outcome.receipt.provider_id)
    return ids


async def test_a_round_stores_delivered_and_failed_reports_and_leaves_pending_ones(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    ledger = SqliteLedger(f"sqlite:///{tmp_path}/ledger.db")
    d = make_dispatcher(ledger=ledger)
    ok, bad, waiting = await _three_sends(d)
    aliyun_server.deliver(ok)
    aliyun_server.deliver(bad, ok=False, err_code="MK:0001")
    fake_clock.advance(600)
    channel = d.channel("aliyun-sms")
    before = len(aliyun_server.requests)
    result = await poll_once(channel, ledger, now=fake_clock.now())
    assert (result.checked, result.delivered, result.failed, result.pending) == (3, 1, 1, 1)
    assert [r.action for r in aliyun_server.requests[before:]] == ["QuerySendDetails"] * 3
    assert (await ledger.delivery(ok)).status == "delivered"  # type: ignore[union-attr]
    failed = await ledger.delivery(bad)
    assert failed is not None and (failed.status, failed.error_code) == ("failed", "MK:0001")
    record = await ledger.get(failed.key)
    assert record is not None and record.state is NoticeState.FAILED  # failed late
    still = await ledger.delivery(waiting)
    assert still is None or still.status not in ("delivered", "failed")
    # Next round: only the one still waiting is asked about; once reported, none.
    aliyun_server.deliver(waiting)
    again = await poll_once(channel, ledger, now=fake_clock.now())
    assert (again.checked, again.delivered) == (1, 1)
    assert (await poll_once(channel, ledger, now=fake_clock.now())).checked == 0
    assert "delivered 0" in await poll(d, "aliyun-sms")


async def test_sends_older_than_the_window_are_not_asked_about(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    ledger = SqliteLedger(f"sqlite:///{tmp_path}/ledger.db")
    d = make_dispatcher(ledger=ledger)
    await _three_sends(d)
    fake_clock.advance(4 * 86400)
    result = await poll_once(d.channel("aliyun-sms"), ledger, now=fake_clock.now(), days=3)
    assert result.checked == 0
    assert not [r for r in aliyun_server.requests if r.action == "QuerySendDetails"]


async def test_polling_needs_a_ledger_that_stores_notices(
    make_dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    import pytest

    from notifysdk.plugin import ConfigurationError

    d = make_dispatcher(ledger=MemoryLedger())
    with pytest.raises(ConfigurationError, match="SQLite or PostgreSQL"):
        await poll_once(d.channel("aliyun-sms"), d.ledger, now=fake_clock.now())


def test_one_cnsms_poll_command_serves_both_providers() -> None:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """The root, as notifysdk's."""

    notifysdk_tencent_sms.notifysdk_register_commands(app)
    notifysdk_aliyun_sms.notifysdk_register_commands(app)
    assert [g.name for g in app.registered_groups] == ["cnsms"]
    runner = CliRunner()
    usage = runner.invoke(app, ["cnsms", "poll", "--help"])
    assert usage.exit_code == 0 and "--provider" in usage.output
    none = runner.invoke(app, ["cnsms", "poll"])
    assert none.exit_code == 2 and "aliyun, tencent" in none.output
    other = runner.invoke(app, ["cnsms", "poll", "--provider", "huawei"])
    assert other.exit_code == 2 and "not an installed provider" in other.output


async def test_a_rate_limited_channel_is_polled_and_limited_by_its_sign(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    from notifysdk.plugin import unwrap

    ledger = SqliteLedger(f"sqlite:///{tmp_path}/ledger.db")
    limited = {"per_second": 50, "storage": "memory://"}
    d = make_dispatcher(ledger=ledger, rate_limit=limited)
    ok, _, _ = await _three_sends(d)
    channel = d.channel("aliyun-sms")
    assert unwrap(channel) is not channel  # the limiter wraps it
    message: Any = type("M", (), {"body": "您好"})()
    assert channel.sender_id(message) == unwrap(channel).settings.sign_name
    aliyun_server.deliver(ok)
    fake_clock.advance(600)
    assert "delivered 1" in await poll(d, "aliyun-sms")
