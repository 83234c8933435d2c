"""The dispatch pipeline end to end with the built-in plugins."""

from __future__ import annotations

import asyncio
import email
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from notifysdk import errors
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.ledger.base import NoticeState
from notifysdk.models import (
    Message,
    NoticeKind,
    Outcome,
    OutcomeStatus,
    Party,
    PhoneContact,
    Recipient,
    Role,
)
from notifysdk.plugins import PluginManager
from notifysdk.testing import (
    MockChannel,
    NoRulesProfile,
    sample_account,
    sample_notice,
    sample_person,
)


async def test_capture_sms_and_email_in_both_locales(
    dispatcher: Callable[..., Dispatcher], tmp_path: Path
) -> None:
    d = dispatcher()
    for locale in ("zh-CN", "en"):
        account = sample_account(locale=locale)
        sms = await d.send(sample_notice(account=account, channel="capture-sms"))
        mail = await d.send(sample_notice(account=account, channel="capture-email"))
        assert sms.status is OutcomeStatus.DELIVERED, sms.reason
        assert mail.status is OutcomeStatus.DELIVERED, mail.reason
        assert sms.receipt is not None and mail.receipt is not None
        doc = json.loads(Path(sms.receipt.detail["path"]).read_text(encoding="utf-8"))
        assert doc["to"] == "+8613800138000" and doc["locale"] == locale
        assert "Example Bank" in doc["body"]
        # SMS is a limited-disclosure medium: the name is masked, the amount kept.
        assert account.debtor.name not in doc["body"]
        assert "1,246.80" in doc["body"]
        parsed = email.message_from_bytes(Path(mail.receipt.detail["path"]).read_bytes())
        assert parsed["To"] == "borrower@example.com"
        assert parsed.is_multipart()
        types = [p.get_content_type() for p in parsed.walk()]
        assert "text/plain" in types and "text/html" in types


async def test_second_send_of_a_key_sends_nothing(dispatcher: Callable[..., Dispatcher]) -> None:
    ch = MockChannel()
    d = dispatcher(ch)
    first = await d.send(sample_notice())
    second = await d.send(sample_notice())
    assert first.status is OutcomeStatus.DELIVERED and not first.duplicate
    assert second.status is OutcomeStatus.DELIVERED and second.duplicate
    assert len(ch.sent) == 1


async def test_unknown_channel_is_a_typed_error_before_anything_is_sent(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    d = dispatcher()
    with pytest.raises(errors.UnknownChannelError) as info:
        await d.send(sample_notice(channel="pigeon"))
    assert info.value.field == "notice.channel"
    assert "pigeon" in info.value.reason and "capture-sms" in info.value.reason
    assert await d.ledger.get(sample_notice(channel="pigeon").idempotency_key) is None


async def test_bad_destination_is_a_typed_error(dispatcher: Callable[..., Dispatcher]) -> None:
    ch = MockChannel()
    with pytest.raises(errors.InvalidPhoneNumberError) as info:
        await dispatcher(ch).send(sample_notice(to="0800-not-e164"))
    assert info.value.field == "notice.to"
    assert ch.calls == []


async def test_unknown_template_variable_is_a_typed_error(
    dispatcher: Callable[..., Dispatcher], register_plugin: Callable[..., str], tmp_path: Path
) -> None:
    folder = tmp_path / "tpl"
    (folder / "overdue_notice").mkdir(parents=True)
    (folder / "overdue_notice" / "sms.en.txt.j2").write_text(
        "{{ institution }}: {{ no_such_variable }}", encoding="utf-8"
    )

    class Pack:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(folder)

    register_plugin(Pack(), "pack")
    ch = MockChannel()
    with pytest.raises(errors.TemplateError) as info:
        await dispatcher(ch).send(sample_notice(account=sample_account(locale="en")))
    assert "no_such_variable" in info.value.reason
    assert info.value.field == "template overdue_notice/sms.en.txt.j2"
    assert ch.calls == []


async def test_locale_without_templates_is_a_typed_error(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    ch = MockChannel()
    with pytest.raises(errors.UnknownLocaleError) as info:
        await dispatcher(ch).send(sample_notice(account=sample_account(locale="fr")))
    assert "have: en, zh-CN" in info.value.reason


async def test_sandbox_refuses_unsafe_templates(
    dispatcher: Callable[..., Dispatcher], register_plugin: Callable[..., str], tmp_path: Path
) -> None:
    folder = tmp_path / "tpl"
    (folder / "overdue_notice").mkdir(parents=True)
    (folder / "overdue_notice" / "sms.en.txt.j2").write_text(
        "{{ institution.__class__.__mro__ }}", encoding="utf-8"
    )

    class Pack:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(folder)

    register_plugin(Pack(), "pack")
    with pytest.raises(errors.TemplateError):
        await dispatcher(MockChannel()).send(sample_notice(account=sample_account(locale="en")))


async def test_opted_out_destination_is_blocked(dispatcher: Callable[..., Dispatcher]) -> None:
    person = sample_person(1)
    opted = person.model_copy(
        update={"contacts": (PhoneContact(value="+8613800138000", opted_out=True),)}
    )
    account = sample_account(1).model_copy(update={"debtor": opted})
    ch = MockChannel()
    notice = sample_notice(account=account, to="+8613800138000")
    outcome = await dispatcher(ch).send(notice)
    assert outcome.status is OutcomeStatus.BLOCKED
    assert outcome.rule == "opted-out-destination"
    assert ch.calls == []
    # Without an explicit destination there is no usable phone at all.
    outcome = await dispatcher(ch).send(sample_notice(account=account))
    assert outcome.rule == "no-destination"


@pytest.mark.parametrize(
    ("profiles", "rule"),
    [
        # A profile with no rules: only the privacy stage stands between the amount and
        # a third party.
        (("test-no-rules",), "privacy"),
        # Under cn the recipient guard stops an emergency contact before rendering.
        (("cn",), "recipient-guard"),
    ],
)
async def test_third_party_never_learns_the_amount(
    dispatcher: Callable[..., Dispatcher],
    register_plugin: Callable[..., str],
    profiles: tuple[str, ...],
    rule: str,
) -> None:
    register_plugin(NoRulesProfile(), "test-no-rules")
    contact = sample_person(9, phone="+8613900139000")
    account = sample_account(1, profiles=profiles).model_copy(
        update={"parties": (Party(person=contact, role=Role.EMERGENCY_CONTACT),)}
    )
    ch = MockChannel()
    notice = sample_notice(account=account).model_copy(
        update={"recipient": Recipient(person=contact, role=Role.EMERGENCY_CONTACT)}
    )
    outcome = await dispatcher(ch).send(notice)
    assert outcome.status is OutcomeStatus.BLOCKED
    assert outcome.rule == rule
    if rule == "privacy":
        assert "amount" in (outcome.reason or "")
    assert ch.calls == []


async def test_thousand_notices_at_concurrency_fifty_each_delivered_once(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    in_flight = 0
    peak = 0

    async def handler(message: Message) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        in_flight -= 1

    ch = MockChannel(handler)
    notices = [sample_notice(i) for i in range(1000)]
    outcomes = await dispatcher(ch).send_many(notices, concurrency=50)
    assert len(outcomes) == 1000
    assert all(o.status is OutcomeStatus.DELIVERED for o in outcomes)
    assert [o.idempotency_key for o in outcomes] == [n.idempotency_key for n in notices]
    keys = [m.idempotency_key for m in ch.sent]
    assert len(keys) == len(set(keys)) == 1000
    assert 1 < peak <= 50


async def test_one_failing_notice_never_stops_the_others(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    def handler(message: Message) -> None:
        if message.idempotency_key == bad_key:
            raise RuntimeError("provider exploded")

    ch = MockChannel(handler)
    notices = [sample_notice(i) for i in range(20)]
    bad_key = notices[7].idempotency_key
    notices.insert(3, sample_notice(99, channel="no-such-channel"))
    outcomes = await dispatcher(ch).send_many(notices, concurrency=4)
    by_status: dict[str, int] = {}
    for o in outcomes:
        by_status[o.status.value] = by_status.get(o.status.value, 0) + 1
    assert by_status == {"delivered": 19, "failed": 1, "blocked": 1}
    blocked = next(o for o in outcomes if o.status is OutcomeStatus.BLOCKED)
    assert blocked.rule == "input" and "notice.channel" in (blocked.reason or "")


async def test_stream_accepts_an_async_iterable(dispatcher: Callable[..., Dispatcher]) -> None:
    async def source() -> Any:
        for i in range(30):
            yield sample_notice(i)

    ch = MockChannel()
    seen = [o async for _n, o in dispatcher(ch).stream(source(), concurrency=5)]
    assert len(seen) == 30 and all(o.ok for o in seen)


async def test_cancellation_leaves_nothing_half_recorded(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    gate = asyncio.Event()
    started = 0

    async def handler(message: Message) -> None:
        nonlocal started
        started += 1
        if started > 5:
            await gate.wait()  # these hang until cancelled

    ch = MockChannel(handler)
    d = dispatcher(ch)
    notices = [sample_notice(i) for i in range(40)]
    task = asyncio.create_task(d.send_many(notices, concurrency=8))
    while started < 13:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    states: dict[str, int] = {}
    for n in notices:
        record = await d.ledger.get(n.idempotency_key)
        if record is None:
            states["untouched"] = states.get("untouched", 0) + 1
            continue
        states[record.state.value] = states.get(record.state.value, 0) + 1
        if record.state is NoticeState.DELIVERED:
            assert record.outcome is not None and len(record.attempts) == 1
            assert record.attempts[0].detail["_status"] == "ok"
            assert record.attempts[0].detail["receipt"]["status"] == "accepted"
        else:
            # In flight when cancelled: claimed, the attempt recorded as interrupted,
            # left for recovery to reconcile, never marked delivered or failed.
            assert record.state is NoticeState.CLAIMED
            assert record.outcome is None
            assert record.attempts[-1].detail["_status"] == "interrupted"
            assert record.attempts[-1].detail.get("error") == "CancelledError"
    assert states["delivered"] == 5
    assert states["claimed"] == 8
    assert states["untouched"] == 27


async def test_events_are_emitted_and_their_errors_contained(
    dispatcher: Callable[..., Dispatcher],
    register_plugin: Callable[..., str],
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[str, Any]] = []

    class Sink:
        @hookimpl
        def notifysdk_on_outcome(self, notice: Any, outcome: Outcome) -> Any:
            async def record() -> None:
                seen.append(("outcome", outcome.status.value))
                raise RuntimeError("sink is down")

            return record()

        @hookimpl
        def notifysdk_on_attempt(self, notice: Any, attempt: Any, error: Any) -> None:
            seen.append(("attempt", type(error).__name__ if error else None))

    class Broken:
        @hookimpl
        def notifysdk_on_outcome(self, notice: Any, outcome: Outcome) -> None:
            raise ValueError("a sink that fails before returning anything")

    register_plugin(Sink(), "sink")
    register_plugin(Broken(), "broken-sink")
    from notifysdk.testing import FlakyChannel

    outcome = await dispatcher(FlakyChannel(1, clock=fake_clock)).send(sample_notice())
    assert outcome.ok
    assert seen == [
        ("attempt", "TransientDeliveryError"),
        ("attempt", None),
        ("outcome", "delivered"),
    ]
    assert "event hook notifysdk_on_outcome of plugin sink raised" in caplog.text
    assert "event hook notifysdk_on_outcome of plugin broken-sink raised" in caplog.text


async def test_audit_trail_is_chained_and_masked(dispatcher: Callable[..., Dispatcher]) -> None:
    def handler(message: Message) -> None:
        raise __import__("notifysdk").PermanentDeliveryError(
            "The 'To' number +8613800138000 is not valid", provider_code=21211
        )

    d = dispatcher(MockChannel(handler))
    outcome = await d.send(sample_notice())
    assert outcome.status is OutcomeStatus.FAILED
    assert "+8613800138000" not in (outcome.reason or "")
    entries = await d.ledger.audit_entries()
    assert entries and entries[-1].detail["status"] == "failed"
    assert "13800138000" not in json.dumps([e.detail for e in entries], ensure_ascii=False)
    for prev, cur in itertools.pairwise(entries):
        assert cur.prev_hash == prev.hash


async def test_fresh_plugin_manager_per_test(notifysdk_plugins: PluginManager) -> None:
    from notifysdk.plugins import get_plugin_manager

    assert get_plugin_manager() is notifysdk_plugins


def test_notice_kinds_have_default_templates() -> None:
    from notifysdk.builtin.templates import default_template_dir

    root = default_template_dir()
    for kind in (NoticeKind.OVERDUE_NOTICE, NoticeKind.PRE_DUE_REMINDER):
        for locale in ("zh-CN", "en"):
            assert (root / kind.value / f"sms.{locale}.txt.j2").is_file()


def test_amounts_are_formatted_only_when_printed() -> None:
    from datetime import UTC, datetime

    from notifysdk.templating import LazyText, notice_context

    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        return "¥1,246.80"

    lazy = LazyText(make)
    assert calls == []
    assert str(lazy) == "¥1,246.80" and lazy == "¥1,246.80" and "x" + lazy == "x¥1,246.80"
    assert lazy.__html__() == "¥1,246.80" and len(calls) == 1
    ctx = notice_context(sample_notice(), now=datetime(2026, 1, 5, tzinfo=UTC))
    assert isinstance(ctx["amount_due"], LazyText)
    assert str(ctx["amount_due"]) == "¥1,246.80"
