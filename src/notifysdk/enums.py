"""The SDK's enumerations (roles, media, notice kinds, states, outcome statuses).

Plain :class:`~enum.StrEnum` classes with no dependency, so the command line can declare
options over them without importing the pydantic models; :mod:`notifysdk.models`
re-exports every one (``from notifysdk.models import Medium`` is the same class).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["AccountState", "ConsentBasis", "Medium", "NoticeKind", "OutcomeStatus", "Role"]


class Role(StrEnum):
    """Who a recipient is in relation to the debt."""

    DEBTOR = "debtor"
    GUARANTOR = "guarantor"
    EMERGENCY_CONTACT = "emergency_contact"
    ATTORNEY = "attorney"
    THIRD_PARTY = "third_party"


class ConsentBasis(StrEnum):
    """Why we may use a contact point."""

    NONE = "none"
    CONTRACT = "contract"
    """Given in the loan agreement."""
    EXPRESS = "express"
    """Prior express consent (required for autodialed or prerecorded calls in the US)."""
    WRITTEN = "written"
    DEBTOR_PROVIDED = "debtor_provided"
    """The debtor gave this contact (e.g. an emergency contact's number)."""


class Medium(StrEnum):
    """What kind of thing a channel produces. Templates are chosen by medium."""

    SMS = "sms"
    EMAIL = "email"
    VOICE = "voice"
    CALL_SCRIPT = "call_script"
    LETTER = "letter"


class NoticeKind(StrEnum):
    """The notices the escalation ladder sends."""

    PRE_DUE_REMINDER = "pre_due_reminder"
    OVERDUE_NOTICE = "overdue_notice"
    APPOINTMENT_CALL = "appointment_call"
    VISIT_LETTER = "visit_letter"
    SUMMONS_LETTER = "summons_letter"
    FINAL_DEMAND = "final_demand"
    CREDIT_REPORT_PRENOTICE = "credit_report_prenotice"
    CREDIT_REPORT = "credit_report"
    """The lender's report of the debt to a credit bureau: a step, not a message (it goes
    to a record-only channel such as ``credit-bureau``), blocked without a delivered
    pre-notice on record."""
    LOCATION_CALL = "location_call"
    LIMITED_CONTENT = "limited_content"


class AccountState(StrEnum):
    """States that stop or restrict contact."""

    DISPUTE = "dispute"
    CEASE = "cease"
    ATTORNEY = "attorney"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    TIME_BARRED = "time_barred"


class OutcomeStatus(StrEnum):
    """Every notice ends in exactly one of these."""

    DELIVERED = "delivered"
    DEFERRED = "deferred"
    BLOCKED = "blocked"
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"
