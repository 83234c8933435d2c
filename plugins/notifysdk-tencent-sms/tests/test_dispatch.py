"""Acceptance: notices through the real Dispatcher, the official Tencent Cloud SDK and
the loopback server that verifies each request's TC3 signature (fake clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import NoticeKind, OutcomeStatus
from notifysdk.retry import RetryPolicy
from notifysdk.testing import sample_notice
from notifysdk_tencent_sms.channel import TencentSmsChannel, session_context
from notifysdk_tencent_sms.errors import ProviderAccountError
from notifysdk_tencent_sms.settings import TencentSmsSettings
from notifysdk_tencent_sms.testing import FakeTencentSms, Fault

from .conftest import FINAL, templates


async def test_send_delivers_the_approved_template_with_its_parameters(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    notice = sample_notice(channel="tencent-sms")
    outcome = await make_dispatcher().send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    [sms] = tencent_server.sent
    assert sms.template_id == "100001" and sms.sign_name == "Example Bank"
    assert sms.params == ["张**", "10", "¥1,246.80"]
    assert sms.session_context == session_context(notice.idempotency_key)
    assert outcome.receipt is not None and outcome.receipt.provider_id == sms.serial_no
    detail = outcome.receipt.detail
    assert detail["fee"] == 1 and detail["segments"] == 1 and detail["request_id"]
    assert tencent_server.refused == []


async def test_the_long_final_demand_is_two_sms_as_tencent_bills_it(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    outcome = await make_dispatcher().send(
        sample_notice(channel="tencent-sms", kind=NoticeKind.FINAL_DEMAND)
    )
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    assert outcome.receipt.detail["segments"] == outcome.receipt.detail["fee"] == 2


@pytest.mark.parametrize(
    ("code", "wait"),
    [
        ("LimitExceeded.PhoneNumberThirtySecondLimit", 30.0),
        ("LimitExceeded.PhoneNumberDailyLimit", 14 * 3600.0),  # 10:00 → Beijing midnight
    ],
)
async def test_flow_control_is_retried_after_the_reset_time(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
    code: str,
    wait: float,
) -> None:
    tencent_server.fail_next(Fault(code))
    d = make_dispatcher(retry=RetryPolicy(max_attempts=4, max_elapsed_seconds=86400))
    outcome = await d.send(sample_notice(channel="tencent-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert fake_clock.sleeps == [wait]
    assert tencent_server.sends() == 2 and len(tencent_server.sent) == 1


async def test_a_daily_limit_past_the_retry_budget_defers_to_beijing_midnight(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
    tmp_path: Path,
) -> None:
    # The default one-hour budget cannot hold the 14 h to Beijing midnight (16:00 UTC):
    # the notice is deferred to it and the due list sends it then, once.
    tencent_server.fail_next(Fault("LimitExceeded.PhoneNumberDailyLimit"))
    d = make_dispatcher(ledger=SqliteLedger(f"sqlite:///{tmp_path}/ledger.db"))
    notice = sample_notice(channel="tencent-sms")
    outcome = await d.send(notice)
    reset = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    assert outcome.status is OutcomeStatus.DEFERRED, outcome.reason
    assert (outcome.rule, outcome.until) == ("retry-after", reset)
    assert outcome.provider_code == "LimitExceeded.PhoneNumberDailyLimit"
    assert "LimitExceeded.PhoneNumberDailyLimit" in (outcome.reason or "")
    assert fake_clock.sleeps == [] and tencent_server.sends() == 1 and tencent_server.sent == []
    fake_clock.set(reset - timedelta(seconds=1))
    assert await d.run_due() == []
    fake_clock.set(reset)
    for _ in range(3):  # at midnight the cn contact window defers it to the morning
        due = await d.run_due()
        if [o.status for o in due] == [OutcomeStatus.DELIVERED]:
            break
        [deferred] = due
        assert deferred.status is OutcomeStatus.DEFERRED and deferred.until is not None
        fake_clock.set(deferred.until)
    else:
        raise AssertionError("never delivered")
    assert tencent_server.sends() == 2 and len(tencent_server.sent) == 1


async def test_an_invalid_number_fails_with_the_provider_code(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
) -> None:
    tencent_server.fail_next(Fault("InvalidParameterValue.IncorrectPhoneNumber"))
    outcome = await make_dispatcher().send(sample_notice(channel="tencent-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert outcome.attempts == 1 and fake_clock.sleeps == []


async def test_an_unapproved_template_is_permanent(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    section = templates()
    section["overdue_notice"]["zh-CN"]["code"] = "999999"
    outcome = await make_dispatcher(templates=section).send(sample_notice(channel="tencent-sms"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "FailedOperation.TemplateIncorrectOrUnapproved"
    assert tencent_server.sent == []


async def test_an_edited_template_is_refused_before_sending(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    outcome = await make_dispatcher(templates=templates(overdue_notice=FINAL)).send(
        sample_notice(channel="tencent-sms")
    )
    assert outcome.status is OutcomeStatus.FAILED
    reason = outcome.reason or ""
    assert "overdue_notice/zh-CN (100001)" in reason and "expects '于7日内还款" in reason
    assert "张" not in reason
    assert tencent_server.actions == []


async def test_a_timeout_after_acceptance_is_reconciled_without_a_duplicate(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    tencent_server.fail_next(Fault(hang=True, hang_seconds=3.0))
    outcome = await make_dispatcher(timeout_seconds=0.5).send(sample_notice(channel="tencent-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert tencent_server.sends() == 1 and len(tencent_server.sent) == 1  # 0 duplicates
    assert tencent_server.actions == ["SendSms", "PullSmsSendStatusByPhoneNumber"]
    assert outcome.receipt is not None
    assert outcome.receipt.provider_id == tencent_server.sent[0].serial_no


async def test_a_lost_request_is_held_not_resent_by_default(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    tencent_server.fail_next(Fault(hang=True, hang_seconds=3.0, accept=False))
    outcome = await make_dispatcher(timeout_seconds=0.5).send(sample_notice(channel="tencent-sms"))
    assert outcome.status is OutcomeStatus.DEAD_LETTERED and outcome.rule == "unknown-hold"
    assert tencent_server.sends() == 1 and tencent_server.sent == []


async def test_a_lost_request_is_resent_once_absence_is_trusted(
    make_dispatcher: Callable[..., Dispatcher],
    tencent_server: FakeTencentSms,
    fake_clock: FakeClock,
) -> None:
    tencent_server.fail_next(Fault(hang=True, hang_seconds=3.0, accept=False))
    d = make_dispatcher(timeout_seconds=0.5, reconcile_not_sent_after_seconds=120)
    outcome = await d.send(sample_notice(channel="tencent-sms"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.attempts == 2 and len(tencent_server.sent) == 1
    assert fake_clock.sleeps[0] == 120.0


async def test_balance_exhausted_is_a_configuration_error(
    tencent_section: dict[str, object], tencent_server: FakeTencentSms, fake_clock: FakeClock
) -> None:
    from notifysdk.plugin import ConfigurationError, Message

    tencent_server.fail_next(
        Fault("FailedOperation.InsufficientBalanceInSmsPackage", request_error=True)
    )
    channel = TencentSmsChannel(
        "tencent-sms", TencentSmsSettings.load(tencent_section, name="tencent-sms"), fake_clock
    )
    message = Message(
        idempotency_key="k",
        channel="tencent-sms",
        medium="sms",
        to="+8613800138000",
        locale="zh-CN",
        body="【Example Bank】张**您好，您的借款将于1月1日到期，应还¥1，请按时还款。回复TD退订",
        metadata={"kind": "pre_due_reminder"},
    )
    with pytest.raises(ProviderAccountError) as info:
        await channel.send(message)
    assert isinstance(info.value, ConfigurationError)
    assert info.value.provider_code == "FailedOperation.InsufficientBalanceInSmsPackage"
    await channel.aclose()


async def test_a_wrong_secret_is_refused_by_the_server(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    from notifysdk.plugin import RunFaultError

    # a refused key would fail every send the same way: the run stops (exit 3)
    with pytest.raises(RunFaultError, match="refuses the account"):
        await make_dispatcher(secret_key="not-the-key").send(sample_notice(channel="tencent-sms"))
    assert tencent_server.refused == ["AuthFailure.SignatureFailure"] and tencent_server.sent == []


async def test_an_exhausted_balance_stops_the_run_instead_of_failing_each_notice(
    make_dispatcher: Callable[..., Dispatcher], tencent_server: FakeTencentSms
) -> None:
    from notifysdk.plugin import RunFaultError

    tencent_server.fail_next(
        Fault("FailedOperation.InsufficientBalanceInSmsPackage", request_error=True)
    )
    with pytest.raises(RunFaultError, match="Tencent code"):
        await make_dispatcher().send(sample_notice(channel="tencent-sms"))
    assert tencent_server.sent == []
