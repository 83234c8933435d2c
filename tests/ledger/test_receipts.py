"""Delivery receipts on both durable back-ends: statuses only move forward, replays
change nothing, and a late failure moves a delivered notice in the same transaction as
its ``delivery_status`` audit entry (the webhook path no longer writes that entry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rawdb import transitions

from notifysdk.ledger.base import AttemptEnd, ClaimStatus, NoticeState
from notifysdk.ledger.receipts import LateFailure
from notifysdk.ledger.sql import SqlLedger
from notifysdk.models import Outcome, OutcomeStatus, Receipt
from notifysdk.testing import sample_notice

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def delivered(ledger: SqlLedger, n: int, sid: str) -> str:
    notice = sample_notice(n, channel="twilio-sms")
    key = notice.idempotency_key
    claim = await ledger.claim(notice, owner="w1", now=T0, lease_seconds=60, to="+8613800138000")
    assert claim.status is ClaimStatus.CLAIMED and claim.attempt is not None
    receipt = Receipt(channel="twilio-sms", provider_id=sid, accepted_at=T0)
    assert await ledger.finish(
        notice,
        Outcome(
            idempotency_key=key,
            status=OutcomeStatus.DELIVERED,
            channel="twilio-sms",
            at=T0,
            receipt=receipt,
            attempts=1,
        ),
        fence=claim.fence,
        ended=AttemptEnd(claim.attempt, receipt=receipt),
    )
    return key


async def test_statuses_move_forward_only_and_replays_change_nothing(ledger: SqlLedger) -> None:
    key = await delivered(ledger, 1, "SM" + "a" * 32)
    sid = "SM" + "a" * 32
    t = T0 + timedelta(seconds=5)
    first = await ledger.record_delivery(sid, status="sent", rank=2, now=t)
    assert first.known and first.changed and first.key == key
    second = await ledger.record_delivery(sid, status="delivered", rank=4, now=t)
    assert second.changed and second.status == "delivered"
    for _ in range(3):
        replay = await ledger.record_delivery(sid, status="sent", rank=2, now=t)
        assert replay.known and not replay.changed and replay.status == "delivered"
    state = await ledger.delivery(sid)
    assert state is not None and state.status == "delivered" and state.key == key
    unknown = await ledger.record_delivery("SM" + "f" * 32, status="sent", rank=2, now=t)
    assert not unknown.known and not unknown.changed


async def test_late_permanent_failure_fails_the_delivered_notice(ledger: SqlLedger) -> None:
    sid = "SM" + "b" * 32
    key = await delivered(ledger, 2, sid)
    update = await ledger.record_delivery(
        sid,
        status="undelivered",
        rank=5,
        now=T0 + timedelta(minutes=1),
        error_code="30006",
        failure=LateFailure("landline or unreachable carrier", provider_code="30006"),
    )
    assert update.changed and update.notice_state is NoticeState.FAILED and not update.retry
    record = await ledger.get(key)
    assert record is not None and record.state is NoticeState.FAILED
    assert record.outcome is not None and record.outcome.provider_code == "30006"
    again = await ledger.record_delivery(
        sid,
        status="undelivered",
        rank=5,
        now=T0 + timedelta(minutes=2),
        error_code="30006",
        failure=LateFailure("landline or unreachable carrier", provider_code="30006"),
    )
    assert not again.changed


async def test_late_transient_failure_allows_a_bounded_resend(ledger: SqlLedger) -> None:
    sid = "SM" + "c" * 32
    await delivered(ledger, 3, sid)
    update = await ledger.record_delivery(
        sid,
        status="undelivered",
        rank=5,
        now=T0 + timedelta(minutes=1),
        error_code="30003",
        failure=LateFailure("unreachable handset", provider_code="30003", retry_limit=2),
    )
    assert update.notice_state is NoticeState.FAILED and update.retry
    assert update.accepted_sends == 1


@pytest.mark.parametrize(
    ("code", "failure", "decision"),
    [
        ("30006", LateFailure("landline or unreachable carrier", provider_code="30006"), "failed"),
        (
            "30003",
            LateFailure("unreachable handset", provider_code="30003", retry_limit=2),
            "resend",
        ),
    ],
    ids=["permanent", "transient"],
)
async def test_a_late_failure_is_audited_once_in_its_transition_and_a_replay_adds_nothing(
    ledger: SqlLedger, ledger_url: str, code: str, failure: LateFailure, decision: str
) -> None:
    """What the webhook app calls for a failed status callback: the ledger appends the
    one ``delivery_status`` entry itself, and the delivered -> failed transition names
    it (``audit_seq``), so ``verify_audit`` can tell it was audited."""
    sid = "SM" + code * 6 + "ab"
    key = await delivered(ledger, 4, sid)
    (outcome_entry,) = [e for e in await ledger.audit_entries() if e.event == "outcome"]
    update = await ledger.record_delivery(
        sid,
        status="undelivered",
        rank=5,
        now=T0 + timedelta(minutes=1),
        error_code=code,
        failure=failure,
    )
    assert update.changed and update.notice_state is NoticeState.FAILED
    assert update.retry is (decision == "resend")
    entries = [e for e in await ledger.audit_entries() if e.event == "delivery_status"]
    assert len(entries) == 1
    (entry,) = entries
    assert entry.key == key and entry.at == T0 + timedelta(minutes=1)
    assert dict(entry.detail) == {
        "provider_id": sid,
        "status": "undelivered",
        "error_code": code,
        "attempt": 1,
        "notice_state": "failed",
        "decision": decision,
    }
    assert transitions(ledger_url, key) == [
        (None, "claimed", None),
        ("claimed", "delivered", outcome_entry.seq),
        ("delivered", "failed", entry.seq),
    ]
    assert (await ledger.verify_audit()).ok

    before = (list(await ledger.audit_entries()), transitions(ledger_url, key))
    for minute in (2, 3):
        replay = await ledger.record_delivery(
            sid,
            status="undelivered",
            rank=5,
            now=T0 + timedelta(minutes=minute),
            error_code=code,
            failure=failure,
        )
        assert replay.known and not replay.changed and not replay.retry
    assert (list(await ledger.audit_entries()), transitions(ledger_url, key)) == before
    report = await ledger.verify_audit()
    assert report.ok and report.entries == 2
