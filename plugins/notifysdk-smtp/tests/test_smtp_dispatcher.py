"""The smtp-email channel as the dispatcher uses it: found through its entry point,
built from ``Settings.channels``, retried by the SDK's policy on a fake clock.

The drop-after-DATA tests need the dispatcher to handle
:class:`~notifysdk.errors.AmbiguousDeliveryError` (record the attempt as unknown, ask
``reconcile``, then ``settings.on_unknown_delivery``): SMTP's ``reconcile`` always
answers unknown, so ``hold`` dead-letters the notice (rule ``unknown-hold``) and
``resend`` sends it again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from smtp_peers import DEFAULT_SETTINGS, Recorder, drop_first, random_451

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import ConfigurationError
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Outcome, OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.retry import RetryPolicy
from notifysdk.testing import sample_account, sample_notice
from notifysdk_smtp import SMTPEmailChannel
from notifysdk_smtp.headers import message_id

MAX_ATTEMPTS = 5


@pytest.fixture(autouse=True)
def only_this_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load just the smtp entry point: other plugins are not under test here."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "smtp")


def _dispatcher(
    pm: PluginManager,
    tmp_path: Path,
    clock: FakeClock,
    *,
    durable: bool = False,
    on_unknown: str = "hold",
    **smtp: Any,
) -> Dispatcher:
    """A dispatcher on a memory ledger, or with ``durable`` on SQLite in ``tmp_path``."""
    extra: dict[str, Any] = {}
    if durable:
        extra["ledger_url"] = f"sqlite:///{tmp_path / 'ledger.db'}"
    settings = Settings(
        output_dir=tmp_path / "out",
        channels={"smtp-email": {**DEFAULT_SETTINGS, "pool_size": 4, **smtp}},
        on_unknown_delivery=on_unknown,
        **extra,
    )
    return Dispatcher(
        settings,
        plugins=pm,
        clock=clock,
        ledger=None if durable else MemoryLedger(),
        retry=RetryPolicy(max_attempts=MAX_ATTEMPTS, base_seconds=1, cap_seconds=30),
    )


def _notices(count: int) -> list[Any]:
    return [
        sample_notice(
            n,
            channel="smtp-email",
            account=sample_account(n, email=f"b{n}@example.com", locale="zh-CN" if n % 2 else "en"),
        )
        for n in range(1, count + 1)
    ]


def test_registered_through_the_entry_point(notifysdk_plugins: PluginManager) -> None:
    registry = notifysdk_plugins.registry()
    assert "smtp-email" in registry.channels
    assert registry.owners[("channel", "smtp-email")] == "smtp"


async def test_dispatcher_builds_the_channel_from_settings(
    notifysdk_plugins: PluginManager, tmp_path: Path, smtp_server: Any
) -> None:
    recorder = Recorder()
    clock = FakeClock()
    async with _dispatcher(
        notifysdk_plugins, tmp_path, clock, port=smtp_server(recorder).port
    ) as d:
        channel = d.channel("smtp-email")
        assert isinstance(channel, SMTPEmailChannel)
        notice = _notices(1)[0]
        outcome = await d.send(notice)
        again = await d.send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    assert outcome.receipt.provider_id == message_id(notice.idempotency_key, "lender.example")
    assert again.duplicate and len(recorder.received) == 1
    mail = recorder.received[0].parsed()
    assert "Example Bank" in str(mail["Subject"])
    assert mail.get_content_type() == "multipart/alternative"  # the template has text + html


async def test_bad_settings_name_the_field(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    settings = Settings(output_dir=tmp_path, channels={"smtp-email": {"host": "127.0.0.1"}})
    d = Dispatcher(settings, plugins=notifysdk_plugins, clock=FakeClock(), ledger=MemoryLedger())
    with pytest.raises(ConfigurationError, match="from_address: required"):
        d.channel("smtp-email")


async def test_451_to_30_percent_every_notice_ends_right_and_none_is_duplicated(
    notifysdk_plugins: PluginManager, tmp_path: Path, smtp_server: Any
) -> None:
    count = 60
    bounced = {f"b{n}@example.com" for n in range(7, count + 1, 10)}  # 6 unknown mailboxes
    recorder = Recorder(
        refuse_rcpt={a: "550 5.1.1 mailbox unknown" for a in bounced},
        data_fault=random_451(0.3, seed=20260105),
    )
    clock = FakeClock()
    notices = _notices(count)
    async with _dispatcher(
        notifysdk_plugins, tmp_path, clock, port=smtp_server(recorder).port
    ) as d:
        outcomes: list[Outcome] = await d.send_many(notices, concurrency=8)

    accepted = Counter(recorder.message_ids())
    assert all(n == 1 for n in accepted.values()), "a Message-ID was accepted twice"
    statuses = Counter(o.status for o in outcomes)
    for notice, outcome in zip(notices, outcomes, strict=True):
        mid = message_id(notice.idempotency_key, "lender.example")
        address = notice.recipient.person.contacts_of("email")[0].value
        if address in bounced:
            assert outcome.status is OutcomeStatus.FAILED
            assert outcome.provider_code == "550" and outcome.attempts == 1
            assert accepted[mid] == 0 and recorder.data_attempts[mid] == 0
        elif outcome.status is OutcomeStatus.DELIVERED:
            assert accepted[mid] == 1
            assert outcome.receipt is not None and outcome.receipt.provider_id == mid
            assert outcome.attempts == recorder.data_attempts[mid]  # one DATA per attempt
        else:  # five 451s in a row: retries exhausted, nothing accepted
            assert outcome.status is OutcomeStatus.DEAD_LETTERED
            assert outcome.provider_code == "451" and outcome.attempts == MAX_ATTEMPTS
            assert accepted[mid] == 0 and recorder.data_attempts[mid] == MAX_ATTEMPTS
    assert statuses[OutcomeStatus.FAILED] == len(bounced)
    assert statuses[OutcomeStatus.DELIVERED] + statuses[OutcomeStatus.DEAD_LETTERED] == (
        count - len(bounced)
    )
    retried = sum(1 for o in outcomes if o.attempts > 1)
    assert retried >= 5, "the fault injection did not bite"
    assert recorder.data_calls == sum(recorder.data_attempts.values())
    assert len(clock.sleeps) == sum(o.attempts - 1 for o in outcomes)  # waits were fake


@pytest.mark.parametrize(
    ("option", "status", "code", "attempts", "rule"),
    [
        (("-f", "RCPT"), OutcomeStatus.FAILED, "500", 1, None),
        (("-r", "."), OutcomeStatus.DEAD_LETTERED, "450", MAX_ATTEMPTS, "retry"),
        (("-q", "DATA"), OutcomeStatus.DEAD_LETTERED, "disconnected", MAX_ATTEMPTS, "retry"),
        # after the final "." the server may hold it: held, never re-sent
        (("-q", "."), OutcomeStatus.DEAD_LETTERED, None, 1, "unknown-hold"),
    ],
)
async def test_smtp_sink_faults_through_the_dispatcher(
    notifysdk_plugins: PluginManager,
    tmp_path: Path,
    smtp_sink: Any,
    option: tuple[str, str],
    status: OutcomeStatus,
    code: str | None,
    attempts: int,
    rule: str | None,
) -> None:
    clock = FakeClock()
    async with _dispatcher(notifysdk_plugins, tmp_path, clock, port=smtp_sink(*option).port) as d:
        outcomes = await d.send_many(_notices(3), concurrency=3)
    for outcome in outcomes:
        assert outcome.status is status, outcome.reason
        assert outcome.attempts == attempts
        assert code is None or outcome.provider_code == code
        if rule is not None:
            assert outcome.rule == rule
        assert "example.com" not in (outcome.reason or "")
    assert len(clock.sleeps) == 3 * (attempts - 1)


DROPPED_FRACTION = 0.03
DROP_SEED = 20260105


async def _drop_after_data_run(
    pm: PluginManager, tmp_path: Path, smtp_server: Any, count: int, on_unknown: str
) -> tuple[list[Any], list[Outcome], Recorder, FakeClock]:
    """``count`` notices through the dispatcher on SQLite; the server stores every
    message and drops the connection, unanswered, after 3 % of them (the first time
    each arrives)."""
    recorder = Recorder(after_store=drop_first(DROPPED_FRACTION, DROP_SEED))
    clock = FakeClock()
    notices = _notices(count)
    async with _dispatcher(
        pm,
        tmp_path,
        clock,
        durable=True,
        on_unknown=on_unknown,
        port=smtp_server(recorder).port,
        pool_size=8,
    ) as d:
        outcomes = await d.send_many(notices, concurrency=16)
    return notices, outcomes, recorder, clock


DROP_RUN = 2000


async def test_drop_after_data_is_held_never_sent_twice(
    notifysdk_plugins: PluginManager, tmp_path: Path, smtp_server: Any
) -> None:
    notices, outcomes, recorder, clock = await _drop_after_data_run(
        notifysdk_plugins, tmp_path, smtp_server, DROP_RUN, "hold"
    )
    copies = Counter(recorder.message_ids())
    assert max(copies.values()) == 1, "the server holds a Message-ID twice"
    dropped = set(recorder.unanswered)
    assert 0.015 * DROP_RUN < len(dropped) < 0.05 * DROP_RUN, "the fault injection did not bite"
    for notice, outcome in zip(notices, outcomes, strict=True):
        mid = message_id(notice.idempotency_key, "lender.example")
        if mid in dropped:
            assert outcome.status is OutcomeStatus.DEAD_LETTERED, outcome.reason
            assert outcome.rule == "unknown-hold" and outcome.attempts == 1
        else:
            assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
            assert outcome.attempts == 1
        assert copies[mid] == 1  # stored once, whether or not its reply got back
    assert len(recorder.received) == DROP_RUN
    assert clock.sleeps == []  # nothing was retried


async def test_drop_after_data_with_resend_makes_at_most_one_extra_copy(
    notifysdk_plugins: PluginManager, tmp_path: Path, smtp_server: Any
) -> None:
    count = DROP_RUN // 4
    notices, outcomes, recorder, _ = await _drop_after_data_run(
        notifysdk_plugins, tmp_path, smtp_server, count, "resend"
    )
    copies = Counter(recorder.message_ids())
    dropped = set(recorder.unanswered)
    assert dropped, "the fault injection did not bite"
    for notice, outcome in zip(notices, outcomes, strict=True):
        mid = message_id(notice.idempotency_key, "lender.example")
        assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
        if mid in dropped:  # the operator chose a possible duplicate over a lost notice
            assert copies[mid] == 2 and outcome.attempts == 2
        else:
            assert copies[mid] == 1 and outcome.attempts == 1
    assert sum(copies.values()) == count + len(dropped)
