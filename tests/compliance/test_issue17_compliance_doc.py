"""Issue 17 QA: docs/compliance.md's "Not enforced" list says what the code does.

Each test drives the behaviour a row describes through the dispatcher and holds the
row's words to it, so a row cannot claim a gap the code has closed (or the reverse).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from notifysdk.account_events import AccountEvent, record_account_event
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus, Role

from .conftest import cn_account, notice_for, utc, with_party

DOC = Path(__file__).resolve().parents[2] / "docs" / "compliance.md"
NOON = utc("2026-01-05T12:00:00+08:00")


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _row(startswith: str) -> str:
    rows = [
        line for line in _section("Not enforced").splitlines() if line.startswith(f"| {startswith}")
    ]
    assert len(rows) == 1, startswith
    return rows[0]


async def test_a_deceased_debtor_opens_the_emergency_contact_as_the_row_says(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    """cn: emergency contacts when the debtor "cannot be reached ..., dead or
    incapacitated": a ``deceased`` event opens them (limited content only), so the row
    must not say that death opens nothing."""
    fake_clock.set(NOON)
    d = build()
    account, person = with_party(cn_account(), Role.EMERGENCY_CONTACT)
    await record_account_event(
        d.ledger, account, AccountEvent("deceased", NOON - timedelta(days=1))
    )
    out = await d.send(notice_for(account, "sms", role=Role.EMERGENCY_CONTACT, person=person))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    sent = d.channel("sms").sent[-1]
    assert sent.metadata["template"] == "limited_content/sms.zh-CN.txt.j2"
    row = _row("cn who may be contacted")
    assert "opens nothing" not in row
    assert "`deceased`" in row and "debtor_incapacitated" in row


def test_rules_that_hold_under_every_profile_name_the_account_events() -> None:
    """``paid``/``settled`` deny and ``promise_to_pay`` defers under profile ``*``
    (evidence ``policy``): the enforced half must say so, since the generated table
    lists profile parameters only."""
    enforced = _section("Enforced, by profile")
    for word in ("`paid`", "`settled`", "`promise_to_pay`"):
        assert word in enforced, word


def test_the_records_row_covers_us_call_recordings() -> None:
    """COMPLIANCE.md: 1006.100 call recordings 3 years; the SDK stores no recording."""
    row = _row("records")
    assert "1006.100" in row and "recording" in row
