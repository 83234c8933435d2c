"""Acceptance: notices through the real Dispatcher, the official Aliyun SDK and the
loopback server that verifies each request's ACS3 signature (fake clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.testing import sample_notice
from notifysdk_aliyun_sms.channel import out_id
from notifysdk_aliyun_sms.testing import FakeAliyunSms, Fault

from .conftest import FINAL, templates


async def test_send_delivers_the_approved_template_with_its_parameters(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    notice = sample_notice(channel="aliyun-sms")
    outcome = await make_dispatcher().send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    [sms] = aliyun_server.sent
    assert sms.template_code == "SMS_0001" and sms.sign_name == "Example Bank"
    assert sms.params == {"name": "张**", "days": "10", "amount": "¥1,246.80"}
    assert sms.out_id == out_id(notice.idempotency_key)
    assert outcome.receipt is not None and outcome.receipt.provider_id == sms.biz_id
    detail = outcome.receipt.detail
    assert detail["template_code"] == "SMS_0001" and detail["request_id"]
    assert detail["characters"] == len(sms.content) and detail["segments"] == 1
    assert aliyun_server.refused == []


async def test_the_long_final_demand_is_billed_as_two_sms(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    outcome = await make_dispatcher().send(
        sample_notice(channel="aliyun-sms", kind=NoticeKind.FINAL_DEMAND)
    )
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    [sms] = aliyun_server.sent
    assert len(sms.content) > 70
    assert outcome.receipt is not None and outcome.receipt.detail["segments"] == 2


async def test_flow_control_is_retried_after_the_minute_resets(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
) -> None:
    aliyun_server.fail_next(Fault("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"))
    outcome = await make_dispatcher().send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 2
    assert fake_clock.sleeps == [60.0]  # 10:00:00 Beijing: the minute window ends at 10:01
    assert aliyun_server.sends() == 2 and len(aliyun_server.sent) == 1


async def test_hour_flow_control_waits_for_the_next_hour(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
) -> None:
    fake_clock.advance(25 * 60)
    aliyun_server.fail_next(Fault("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5"))
    outcome = await make_dispatcher().send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert fake_clock.sleeps == [35 * 60.0]


async def test_an_invalid_number_fails_with_the_provider_code(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
) -> None:
    aliyun_server.fail_next(Fault("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号 13800138000"))
    outcome = await make_dispatcher().send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert outcome.attempts == 1 and fake_clock.sleeps == []
    assert "13800138000" not in (outcome.reason or "")


async def test_a_template_the_provider_does_not_know_is_permanent(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    section = templates()
    section["overdue_notice"]["zh-CN"]["code"] = "SMS_9999"
    outcome = await make_dispatcher(templates=section).send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "isv.SMS_TEMPLATE_ILLEGAL"
    assert aliyun_server.sends() == 1 and aliyun_server.sent == []


async def test_an_edited_template_is_refused_before_sending(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    # The approved copy says 请于7日内还款; the SDK's template now renders 请尽快还款.
    edited = templates(overdue_notice=FINAL)
    outcome = await make_dispatcher(templates=edited).send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    reason = outcome.reason or ""
    assert "overdue_notice/zh-CN" in reason and "SMS_0001" in reason
    assert "expects '于7日内还款" in reason  # the approved side of the first difference
    assert "张" not in reason and "1,246.80" not in reason
    assert aliyun_server.requests == []


async def test_a_parameter_longer_than_allowed_is_refused_before_sending(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    outcome = await make_dispatcher(max_param_chars=5).send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    assert "template_param.amount" in (outcome.reason or "")
    assert "limit of 5" in (outcome.reason or "")
    assert aliyun_server.requests == []


async def test_no_approved_template_for_the_kind_is_refused(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    section = templates()
    del section["final_demand"]
    outcome = await make_dispatcher(templates=section).send(
        sample_notice(channel="aliyun-sms", kind=NoticeKind.FINAL_DEMAND)
    )
    assert outcome.status is OutcomeStatus.FAILED
    assert "final_demand/zh-CN" in (outcome.reason or "")
    assert aliyun_server.requests == []


async def test_a_timeout_after_acceptance_is_reconciled_without_a_duplicate(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    aliyun_server.fail_next(Fault(hang=True, hang_seconds=3.0))
    outcome = await make_dispatcher(timeout_seconds=0.5).send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert aliyun_server.sends() == 1 and len(aliyun_server.sent) == 1  # 0 duplicates
    assert [r.action for r in aliyun_server.requests] == ["SendSms", "QuerySendDetails"]


async def test_a_lost_request_is_found_missing_then_sent_once(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
) -> None:
    aliyun_server.fail_next(Fault(hang=True, hang_seconds=3.0, accept=False))
    d = make_dispatcher(timeout_seconds=0.5, reconcile_settle_seconds=30)
    outcome = await d.send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 2
    assert len(aliyun_server.sent) == 1
    assert fake_clock.sleeps and fake_clock.sleeps[0] == 30.5  # settled before "not sent"


async def test_a_wrong_secret_is_refused_by_the_server(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    from notifysdk.plugin import RunFaultError

    # a refused key would fail every send the same way: the run stops (exit 3)
    with pytest.raises(RunFaultError, match="refuses the account"):
        await make_dispatcher(access_key_secret="not-the-secret").send(
            sample_notice(channel="aliyun-sms")
        )
    assert aliyun_server.refused == ["SignatureDoesNotMatch"] and aliyun_server.sent == []


async def test_a_daily_limit_defers_to_beijing_midnight_and_run_due_sends_it_once(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    # 10:00 Beijing; the day's limit resets at 00:00 Beijing (16:00 UTC), 14 h away: past
    # the one-hour retry budget, so the notice waits in the ledger, not in the process.
    aliyun_server.fail_next(Fault("isv.DAY_LIMIT_CONTROL", "触发天级流控Permits:10"))
    d = make_dispatcher(ledger=SqliteLedger(f"sqlite:///{tmp_path}/ledger.db"))
    notice = sample_notice(channel="aliyun-sms")
    outcome = await d.send(notice)
    reset = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    assert outcome.status is OutcomeStatus.DEFERRED, outcome.reason
    assert (outcome.rule, outcome.until) == ("retry-after", reset)
    assert outcome.provider_code == "isv.DAY_LIMIT_CONTROL"
    assert "isv.DAY_LIMIT_CONTROL" in (outcome.reason or "")
    assert fake_clock.sleeps == [] and aliyun_server.sends() == 1 and aliyun_server.sent == []
    await _send_when_due(d, fake_clock, reset)
    assert aliyun_server.sends() == 2 and len(aliyun_server.sent) == 1  # sent once
    assert [s.out_id for s in aliyun_server.sent] == [out_id(notice.idempotency_key)]


async def test_a_short_flow_control_wait_is_still_retried_in_process(
    make_dispatcher: Callable[..., Dispatcher],
    aliyun_server: FakeAliyunSms,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    aliyun_server.fail_next(Fault("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"))
    d = make_dispatcher(ledger=SqliteLedger(f"sqlite:///{tmp_path}/ledger.db"))
    outcome = await d.send(sample_notice(channel="aliyun-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert fake_clock.sleeps == [60.0] and len(aliyun_server.sent) == 1


async def _send_when_due(d: Dispatcher, fake_clock: FakeClock, reset: datetime) -> None:
    """Run the due list just before ``reset`` (nothing), at it, and on until the notice is
    delivered (at midnight the cn contact window defers it again to the morning)."""
    fake_clock.set(reset - timedelta(seconds=1))
    assert await d.run_due() == []
    fake_clock.set(reset)
    for _ in range(3):
        due = await d.run_due()
        if [o.status for o in due] == [OutcomeStatus.DELIVERED]:
            return
        [deferred] = due
        assert deferred.status is OutcomeStatus.DEFERRED and deferred.until is not None
        assert deferred.until > fake_clock.now()
        fake_clock.set(deferred.until)
    raise AssertionError("never delivered")


async def test_a_body_signed_with_another_registered_sign_goes_out_under_it(
    make_dispatcher: Callable[..., Dispatcher], aliyun_server: FakeAliyunSms
) -> None:
    from notifysdk.testing import sample_account

    aliyun_server.sign_names = ("Example Bank", "Example Lending")
    account = sample_account().model_copy(update={"institution": "Example Lending"})
    notice = sample_notice(channel="aliyun-sms", account=account)
    refused = await make_dispatcher().send(notice)
    assert refused.status is OutcomeStatus.FAILED  # not registered on this channel
    assert "another name" in (refused.reason or "") and aliyun_server.requests == []
    second = sample_notice(
        2, channel="aliyun-sms", account=account.model_copy(update={"account_id": "A000002"})
    )
    outcome = await make_dispatcher(sign_names=["Example Lending"]).send(second)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    [sms] = aliyun_server.sent
    assert sms.sign_name == "Example Lending" and sms.content.startswith("【Example Lending】")
