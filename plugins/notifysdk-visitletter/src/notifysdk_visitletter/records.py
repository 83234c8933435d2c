"""The visit-record API: what happened on an on-site visit, written to the ledger.

:func:`record_visit` writes one contact under the debt's ``visit`` scope and one audit
entry. The audit names who was present by **role** only (never a name), the recording
reference, the staff IDs, and any breach of the visit checklist (no recording, no
identification shown, the debt discussed in front of others), so a compliance review
can find them. Bad input raises a typed error naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field

from notifysdk.plugin import Account, Ledger, SDKModel
from notifysdk_callscript import scopes

from .visit import MIN_STAFF, parse_staff

__all__ = [
    "PresentParty",
    "RecordedVisit",
    "StaffEntry",
    "VisitOutcome",
    "VisitReport",
    "record_visit",
]


class VisitOutcome(StrEnum):
    """How a visit ended."""

    MET_DEBTOR = "met_debtor"
    PROMISE_TO_PAY = "promise_to_pay"
    PLAN_AGREED = "plan_agreed"
    DISPUTE = "dispute"
    REFUSAL = "refusal"
    NOT_HOME = "not_home"
    WRONG_ADDRESS = "wrong_address"
    ABANDONED = "abandoned"
    """Stopped early (e.g. others present and the debtor could not talk in private)."""


class PresentParty(SDKModel):
    """Someone present at the visit other than the staff (only the role is audited)."""

    role: str = Field(min_length=1, description="debtor, family, neighbour, colleague, ...")


class StaffEntry(SDKModel):
    """A staff member on the visit."""

    name: str = Field(min_length=1)
    staff_id: str = Field(min_length=1)


class VisitReport(SDKModel):
    """What the visiting staff report after a visit."""

    outcome: VisitOutcome
    at: AwareDatetime
    staff: tuple[StaffEntry, ...] = Field(min_length=1)
    present: tuple[PresentParty, ...] = ()
    recording_ref: str | None = None
    """The reference of the audio/video recording of the whole visit."""
    identification_shown: bool = False
    disclosed_to_others: bool = False
    """True if the debt was mentioned in front of anyone but the debtor (a breach)."""
    notice_key: str | None = None
    """The idempotency key of the visit letter's notice."""


@dataclass(frozen=True)
class RecordedVisit:
    """What :func:`record_visit` wrote."""

    scope: str
    breaches: tuple[str, ...]
    audit_detail: dict[str, Any]


async def record_visit(ledger: Ledger, account: Account, report: VisitReport) -> RecordedVisit:
    """Write one visit to ``ledger``: a contact under the debt's visit scope and an audit."""
    staff = parse_staff([s.model_dump() for s in report.staff])
    breaches: list[str] = []
    if len(staff) < MIN_STAFF:
        breaches.append(f"fewer than {MIN_STAFF} staff")
    if not (report.recording_ref and report.recording_ref.strip()):
        breaches.append("no recording reference")
    if not report.identification_shown:
        breaches.append("identification not shown")
    others = [p.role for p in report.present if p.role != "debtor"]
    if report.disclosed_to_others:
        breaches.append("debt disclosed in front of others")
    scope = scopes.visit(account)
    await ledger.record_contact(
        scope, report.at, key=report.notice_key, detail={"outcome": report.outcome.value}
    )
    if report.outcome in (VisitOutcome.DISPUTE, VisitOutcome.REFUSAL):
        await ledger.record_contact(
            scopes.state_set(account, report.outcome.value), report.at, key=report.notice_key
        )
    detail: dict[str, Any] = {
        "outcome": report.outcome.value,
        "account": account.account_id,
        "staff_ids": [s.staff_id for s in staff],
        "present_roles": sorted(p.role for p in report.present),
        "others_present": len(others),
        "recording_ref": report.recording_ref,
        "identification_shown": report.identification_shown,
        "breaches": breaches,
    }
    await ledger.audit("visit_record", report.notice_key, detail, now=report.at)
    return RecordedVisit(scope, tuple(breaches), detail)
