"""The smtp-email channel as the dispatcher uses it: found through its entry point,
built from ``Settings.channels``, retried by the SDK's policy on a fake clock."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from smtp_peers import DEFAULT_SETTINGS, Recorder, random_451

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


def _dispatcher(pm: PluginManager, tmp_path: Path, clock: FakeClock, **smtp: Any) -> Dispatcher:
    settings = Settings(
        output_dir=tmp_path / "out",
        channels={"smtp-email": {**DEFAULT_SETTINGS, "pool_size": 4, **smtp}},
    )
    return Dispatcher(
        settings,
        plugins=pm,
        clock=clock,
        ledger=MemoryLedger(),
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
    ("option", "status", "code", "attempts"),
    [
        (("-f", "RCPT"), OutcomeStatus.FAILED, "500", 1),
        (("-r", "."), OutcomeStatus.DEAD_LETTERED, "450", MAX_ATTEMPTS),
        (("-q", "."), OutcomeStatus.DEAD_LETTERED, "disconnected", MAX_ATTEMPTS),
    ],
)
async def test_smtp_sink_faults_through_the_dispatcher(
    notifysdk_plugins: PluginManager,
    tmp_path: Path,
    smtp_sink: Any,
    option: tuple[str, str],
    status: OutcomeStatus,
    code: str,
    attempts: int,
) -> None:
    clock = FakeClock()
    async with _dispatcher(notifysdk_plugins, tmp_path, clock, port=smtp_sink(*option).port) as d:
        outcomes = await d.send_many(_notices(3), concurrency=3)
    for outcome in outcomes:
        assert outcome.status is status, outcome.reason
        assert outcome.provider_code == code and outcome.attempts == attempts
        assert "example.com" not in (outcome.reason or "")
    assert len(clock.sleeps) == 3 * (attempts - 1)
