"""Crash recovery, the due list and re-drives, through a dispatcher on a SQLite ledger,
with the shipped ``us-regf`` rules and channels on a real loopback peer.

A crash is reproduced by leaving the ledger exactly as a killed worker leaves it: the
notice prepared by the dispatcher's own stages, then claimed with its cap reservation and
attempt 1 in flight (the claim's one transaction), and no outcome; when the crash came
after the provider accepted, the peer really holds the message. Each channel's
``reconcile`` asks the peer what it stored (``GET /messages/KEY``), or, for a blind
channel, cannot know. The kill test (``test_kill.py``) does the same with real SIGKILLs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Literal

import httpx
import pytest
from peer import PeerChannel, PeerEmailChannel, RecordingPeer
from typer.testing import CliRunner
from workload import NIGHT, NOW, clock, debt_scope, plugin_manager, race_notices, us_account

from notifysdk.campaign import CampaignRunner, PortfolioRow, parse_ladder
from notifysdk.campaign.planner import Planner
from notifysdk.channels import Channel
from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.base import AttemptEnd, NoticeState
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import Medium, Notice, OutcomeStatus, Receipt

OWNER = "worker-1"
ROUTES = {"sms": "peer-sms", "email": "peer-email"}
LADDER = parse_ladder(
    {
        "stages": [
            {
                "name": "D+1-sms",
                "day": 1,
                "kind": "overdue_notice",
                "medium": "sms",
                "fallback": ["email"],
            }
        ]
    }
)


@pytest.fixture
def peer() -> Iterator[RecordingPeer]:
    started = RecordingPeer().start()
    yield started
    started.stop()


def _dispatcher(
    url: str,
    channels: list[Channel],
    fake: FakeClock,
    tmp_path: Path,
    policy: Literal["resend", "hold"] = "hold",
) -> Dispatcher:
    settings = Settings(
        output_dir=tmp_path / "out",
        owner=OWNER,
        on_unknown_delivery=policy,
        routes=ROUTES,
        retry={"max_attempts": 2, "base_seconds": 0},
    )
    return Dispatcher(
        settings,
        plugins=plugin_manager(),
        ledger=SqliteLedger(url),
        clock=fake,
        channels={c.name: c for c in channels},
    )


async def _crash(
    url: str,
    notice: Notice,
    channel: Channel,
    peer: RecordingPeer,
    tmp_path: Path,
    *,
    provider_got_it: bool,
    receipted: bool = False,
) -> None:
    """Leave the ledger as a worker killed during ``notice``'s first attempt leaves it."""
    fake = clock()
    d = _dispatcher(url, [channel], fake, tmp_path)
    d.settings.recover_on_start = False
    prepared = await d.prepare(notice)  # the dispatcher's own stages, real rules
    assert prepared.ready and prepared.context.reservations, prepared.outcome
    ctx = prepared.context
    claim = await d.ledger.claim(
        notice,
        owner=OWNER,
        now=fake.now(),
        lease_seconds=300,
        reservations=ctx.reservations,
        to=ctx.to,
    )
    assert claim.attempt is not None
    if provider_got_it:  # the provider stored the message before the process died
        async with httpx.AsyncClient(base_url=peer.url) as client:
            resp = await client.post("/messages", json={"key": notice.idempotency_key})
        assert resp.status_code == 201
        if receipted:
            receipt = Receipt(
                channel=channel.name, provider_id=resp.json()["id"], accepted_at=fake.now()
            )
            await d.ledger.end_attempt(
                AttemptEnd(claim.attempt, receipt=receipt), now=fake.now(), fence=claim.fence
            )
    await d.ledger.aclose()


async def _audit_decisions(d: Dispatcher) -> list[str]:
    return [e.detail["decision"] for e in await d.ledger.audit_entries() if e.event == "recovery"]


async def _slots(d: Dispatcher, notice: Notice) -> int:
    day = NOW.replace(hour=5)  # the New York day, in UTC
    return await d.ledger.count(debt_scope(notice), day, day + timedelta(days=1))


@pytest.mark.parametrize(
    ("reconciles", "provider_got_it", "policy", "sends", "state", "decision"),
    [
        (True, True, "hold", 0, NoticeState.DELIVERED, "reconciled_sent"),
        (True, False, "hold", 1, NoticeState.DELIVERED, "reconciled_not_sent"),
        (False, True, "resend", 1, NoticeState.DELIVERED, "unknown_resend"),
        (False, True, "hold", 0, NoticeState.DEAD_LETTERED, "unknown_hold"),
    ],
)
async def test_recovery_at_start_reconciles_the_attempt_in_flight_with_the_peer(
    sqlite_url: str,
    tmp_path: Path,
    peer: RecordingPeer,
    reconciles: bool,
    provider_got_it: bool,
    policy: Literal["resend", "hold"],
    sends: int,
    state: NoticeState,
    decision: str,
) -> None:
    (notice,) = race_notices(1, 1)
    key = notice.idempotency_key
    fake = clock()
    channel = PeerChannel(peer.url, can_reconcile=reconciles, clock=fake)
    await _crash(sqlite_url, notice, channel, peer, tmp_path, provider_got_it=provider_got_it)
    at_peer = peer.counts[key]
    async with _dispatcher(sqlite_url, [channel], fake, tmp_path, policy) as d:
        assert peer.counts[key] - at_peer == sends
        record = await d.ledger.get(key)
        assert record is not None and record.state is state
        assert await _audit_decisions(d) == [decision]
        # the crashed claim's cap slot was not counted twice (nor kept when held)
        assert await _slots(d, notice) == (1 if state is NoticeState.DELIVERED else 0)
        again = await d.send(notice)  # the key is settled: nothing more goes out
        assert again.duplicate and peer.counts[key] - at_peer == sends
        if state is NoticeState.DEAD_LETTERED:
            assert record.outcome is not None and record.outcome.rule == "recovery-hold"
            assert record.outcome.held and again.held
            (redriven,) = await d.redrive([key])
            assert redriven.status is OutcomeStatus.DELIVERED
            assert peer.counts[key] == 2  # the operator chose to send again
        report = await d.ledger.verify_audit()
        assert report.ok and report.unaudited == 0, report
    # a reconciling channel never leaves a second copy; a blind one at most one
    assert peer.duplicates == (0 if reconciles else 1)


async def test_a_receipted_attempt_is_recorded_not_resent(
    sqlite_url: str, tmp_path: Path, peer: RecordingPeer
) -> None:
    (notice,) = race_notices(1, 1)
    fake = clock()
    channel = PeerChannel(peer.url, can_reconcile=False, clock=fake)
    await _crash(sqlite_url, notice, channel, peer, tmp_path, provider_got_it=True, receipted=True)
    async with _dispatcher(sqlite_url, [channel], fake, tmp_path, "resend") as d:
        record = await d.ledger.get(notice.idempotency_key)
        assert record is not None and record.state is NoticeState.DELIVERED
        assert record.outcome and record.outcome.receipt
        assert record.outcome.receipt.provider_id == "m-1"  # the peer's id, not resent
        assert await _audit_decisions(d) == ["receipted"]
        assert await _slots(d, notice) == 1
    assert peer.total == 1


async def test_another_owners_live_claim_is_left_alone_until_its_lease_ends(
    sqlite_url: str, tmp_path: Path, peer: RecordingPeer
) -> None:
    (notice,) = race_notices(1, 1)
    fake = clock()
    ledger = SqliteLedger(sqlite_url)
    claim = await ledger.claim(
        notice, owner="someone-else", now=fake.now(), lease_seconds=300, to="+12015550001"
    )
    await ledger.aclose()
    channel = PeerChannel(peer.url, can_reconcile=True, clock=fake)
    async with _dispatcher(sqlite_url, [channel], fake, tmp_path) as d:
        assert (await d.recover()).examined == 0
        fake.advance(301)
        report = await d.recover()
        assert (report.examined, report.resent) == (1, 1) and peer.total == 1
        record = await d.ledger.get(notice.idempotency_key)
        assert record is not None and record.state is NoticeState.DELIVERED
        # the dead owner's fence no longer holds the key
        assert [a.number for a in record.attempts] == [1, 2]
        assert claim.fence < 3


async def test_run_due_sends_notices_deferred_by_the_contact_window_when_it_opens(
    sqlite_url: str, tmp_path: Path, peer: RecordingPeer
) -> None:
    fake = clock(NIGHT)  # 22:00 in New York: outside Reg F's 08:00-21:00
    channel = PeerChannel(peer.url, can_reconcile=True, clock=fake)
    notices = race_notices(3, 1)
    opens = NIGHT.replace(hour=13)  # 08:00 in New York
    async with _dispatcher(sqlite_url, [channel], fake, tmp_path) as d:
        outcomes = await d.send_many(notices)
        assert {(o.status, o.rule, o.until) for o in outcomes} == {
            (OutcomeStatus.DEFERRED, "contact-window", opens)
        }
        assert await d.run_due() == []  # not yet
        fake.set(opens - timedelta(seconds=1))
        assert await d.run_due() == []
        assert peer.total == 0
        fake.set(opens)
        due = await d.run_due()
        assert [o.status for o in due] == [OutcomeStatus.DELIVERED] * 3
        assert peer.total == 3 and await d.run_due() == []


async def test_dead_letters_cli_lists_shows_masked_and_redrives(
    sqlite_url: str, tmp_path: Path, peer: RecordingPeer
) -> None:
    (notice,) = race_notices(1, 1)
    key = notice.idempotency_key
    peer.refuse(key, (503, None), (503, None))  # the provider is down for both attempts
    fake = clock()
    channel = PeerChannel(peer.url, can_reconcile=True, clock=fake)
    async with _dispatcher(sqlite_url, [channel], fake, tmp_path) as d:
        outcome = await d.send(notice)
        assert outcome.status is OutcomeStatus.DEAD_LETTERED and outcome.rule == "retry"
    assert peer.total == 0 and peer.refused[key] == 2
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(get_app(), [*args, "--ledger", sqlite_url])
        assert result.exit_code == 0, result.output
        return result.output

    listed = json.loads(await asyncio.to_thread(cli, "dead-letters", "list", "--json"))
    assert [r["key"] for r in listed] == [key]
    shown = await asyncio.to_thread(cli, "dead-letters", "show", key)
    assert "+12015550001" not in shown and "Alex Smith" not in shown
    assert "LN2026" not in shown
    assert json.loads(shown)["attempts"][0]["to"].endswith("0001")
    channel = PeerChannel(peer.url, can_reconcile=True, clock=fake)  # the first was closed
    async with _dispatcher(sqlite_url, [channel], fake, tmp_path) as d:
        (again,) = await d.redrive([key])
        assert again.status is OutcomeStatus.DELIVERED
    assert peer.counts[key] == 1
    assert json.loads(await asyncio.to_thread(cli, "dead-letters", "list", "--json")) == []
    assert json.loads(await asyncio.to_thread(cli, "audit", "verify", "--json"))["ok"]


async def test_a_campaign_does_not_fall_back_to_email_for_a_notice_held_by_recovery(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Issue 12 item 4: a held SMS may have gone out, so the ladder must not send the
    email too. In the same run, a permanently refused SMS does fall back (the control)."""
    sms_peer, email_peer = RecordingPeer().start(), RecordingPeer().start()
    fake = clock()
    held = us_account(1, days_overdue=1, email="held@example.com")
    refused = us_account(2, days_overdue=1, email="refused@example.com")
    (item,), _ = Planner(LADDER).plan(held, fake.now())
    held_sms = item.notice(Medium.SMS, ROUTES)
    (item2,), _ = Planner(LADDER).plan(refused, fake.now())
    sms_peer.refuse(item2.notice(Medium.SMS, ROUTES).idempotency_key, (400, None))
    sms = PeerChannel(sms_peer.url, can_reconcile=False, clock=fake)  # cannot reconcile
    email = PeerEmailChannel(email_peer.url, can_reconcile=True, clock=fake)
    try:
        await _crash(sqlite_url, held_sms, sms, sms_peer, tmp_path, provider_got_it=True)
        async with _dispatcher(sqlite_url, [sms, email], fake, tmp_path, "hold") as d:
            record = await d.ledger.get(held_sms.idempotency_key)
            assert record is not None and record.outcome is not None
            assert record.state is NoticeState.DEAD_LETTERED and record.outcome.held
            rows = [PortfolioRow(2, held), PortfolioRow(3, refused)]
            summary = await CampaignRunner(d, LADDER).run(rows)
    finally:
        sms_peer.stop()
        email_peer.stop()
    assert sms_peer.counts == {held_sms.idempotency_key: 1}  # the crashed run's copy only
    held_email = item.notice(Medium.EMAIL, ROUTES).idempotency_key
    refused_email = item2.notice(Medium.EMAIL, ROUTES).idempotency_key
    assert held_email not in email_peer.counts, "the held SMS fell back to email"
    assert set(email_peer.counts) == {refused_email}
    assert summary.fallbacks == 1
