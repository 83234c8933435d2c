"""The memory ledger's ``finish`` writes the outcome's time out once, for the attempt's
end and the audit entry's hash (issue 13): ``hashed_rest_at`` is ``hashed_rest`` given
the time's text, and a finished notice's entry hashes, links and ends its attempt as
``entry_hash`` and the SQL ledgers' detail say, whatever zone the outcome's time is in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.ledger.audit import entry_hash, hashed_rest, hashed_rest_at, verify_chain
from notifysdk.ledger.base import AttemptEnd
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Outcome, OutcomeStatus, Receipt
from notifysdk.testing import sample_notice

_ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=8)),
        timezone(timedelta(hours=-5, minutes=-30)),
        ZoneInfo("Asia/Shanghai"),
        ZoneInfo("America/New_York"),
        ZoneInfo("UTC"),
    ]
)
_PLAIN = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6))
_DETAILS = st.dictionaries(
    st.text(max_size=5),
    st.one_of(_PLAIN, st.floats(), st.lists(_PLAIN, max_size=2)),
    max_size=5,
)


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    _ZONES,
    st.text(max_size=8),
    st.one_of(st.none(), st.text(max_size=8)),
    _DETAILS,
)
def test_hashed_rest_at_is_hashed_rest(
    naive: datetime, zone: Any, event: str, key: str | None, detail: dict[str, Any]
) -> None:
    at = naive.replace(tzinfo=zone)
    assert hashed_rest_at(at.isoformat(), event, key, detail) == hashed_rest(at, event, key, detail)


@settings(max_examples=40, deadline=None)
@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    _ZONES,
    st.booleans(),
)
async def test_finish_hashes_and_ends_as_written_out(
    naive: datetime, zone: Any, with_attempt: bool
) -> None:
    ledger = MemoryLedger()
    at = naive.replace(tzinfo=zone)
    for i in range(3):
        notice = sample_notice(i, idempotency_key=f"k{i}")
        claim = await ledger.claim(notice, owner="w", now=at, lease_seconds=60, to="+1")
        assert claim.attempt is not None
        receipt = Receipt(channel="mock", provider_id=f"p{i}", accepted_at=at)
        outcome = Outcome(
            idempotency_key=notice.idempotency_key,
            status=OutcomeStatus.DELIVERED,
            channel=notice.channel,
            at=at + timedelta(seconds=i),
            attempts=1,
            receipt=receipt,
        )
        ended = AttemptEnd(claim.attempt, receipt=receipt) if with_attempt else None
        assert await ledger.finish(notice, outcome, fence=claim.fence, ended=ended)
        record = await ledger.get(notice.idempotency_key)
        assert record is not None
        end_text = outcome.at.astimezone(UTC).isoformat()
        if with_attempt:
            assert record.attempts[0].detail["_ended_at"] == end_text
        else:
            assert "_ended_at" not in record.attempts[0].detail
    entries = list(await ledger.audit_entries())
    prev = ""
    for e in entries:
        assert e.at.tzinfo is UTC
        assert e.prev_hash == prev
        assert e.hash == entry_hash(prev, e.at, e.event, e.key, e.detail)
        prev = e.hash
    assert verify_chain(entries).ok
