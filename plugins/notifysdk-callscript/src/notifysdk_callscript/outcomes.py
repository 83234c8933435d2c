"""The call-outcome API: what happened on a call, written to the ledger.

An agent (or the call-centre system) reports each call once with
:func:`record_call_outcome`. It writes contacts under the compliance engine's scopes
(:func:`notifysdk.compliance.scopes.call_scopes`), so the counters follow: calls placed
per debt, conversations per debt (Reg F's 7-day quiet period), connected calls per
debtor (cn: 3 a day), unanswered dials per number (cn: 6 a day). It also sets states: a
dispute holds collection, a request to stop opts the number out of the phone media, a
booked appointment is recorded for the visit rules. One audit entry is appended, with
masked values only.

A booked appointment is read back with :func:`booked_appointments` (every booking for a
debt) or :func:`next_appointment` (the latest booking whose slot is still ahead): the
slot, the agreed place and the visiting staff, as a visit letter needs them.

The outcome is the SDK's one :class:`~notifysdk.compliance.scopes.CallOutcome` (imported
from :mod:`notifysdk.plugin`): how the call ended (``connected``, ``voicemail``,
``no_answer``, ``busy``, ``network_error``, ``wrong_party``, ``refused``,
``invalid_number``) or what a conversation led to (counted as ``connected``). The
profiles say what each counter counts (Reg F leaves out busy and network-error calls,
cn counts them as unanswered dials); the call also feeds reachability (runs of failed
attempts, invalid numbers). This plugin's former values still read: ``unanswered`` →
``no_answer``, ``voicemail_left`` → ``voicemail``, ``wrong_number`` → ``wrong_party``,
``refusal`` → ``refused``.

=====================  =========================================
outcome                also written
=====================  =========================================
promise_to_pay         date and amount audited
dispute                state ``dispute`` set (collection held)
refused                state ``refusal`` set (a debtor or guarantor)
request_to_stop        opt-out of ``stop_media`` at the number
appointment_booked     the slot (+ place, staff), for the visit rules
=====================  =========================================

``consent=True`` on a report records that the consumer gave direct prior consent on
this call to further calls about the debt: Reg F does not count calls placed in the
next 7 days (12 CFR 1006.14(b)(3)-(4)); the call carrying the consent still counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, Field

from notifysdk.plugin import (
    Account,
    AccountEvent,
    AccountEventKind,
    Amount,
    CallOutcome,
    InvalidInputError,
    Ledger,
    Person,
    PhoneNumber,
    Role,
    SDKModel,
    mask_value,
    record_account_event,
    record_call,
    record_call_consent,
)

from . import scopes

__all__ = [
    "APPOINTMENT_AUDIT_EVENT",
    "CONVERSATION_OUTCOMES",
    "AppointmentStaff",
    "BookedAppointment",
    "CallOutcome",
    "CallReport",
    "RecordedCall",
    "booked_appointments",
    "clear_state",
    "medium_stopped",
    "next_appointment",
    "record_call_outcome",
    "state_active",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


CONVERSATION_OUTCOMES = frozenset(o for o in CallOutcome if o.connected)
"""Outcomes in which the agent spoke with the person called."""

SOURCE = "callscript"
"""The ``source`` of the account events a call's result records."""

_STATES = {CallOutcome.DISPUTE: "dispute", CallOutcome.REFUSED: "refusal"}
"""Outcomes that set a state on the debt, and the state's (stored) name."""

APPOINTMENT_AUDIT_EVENT = "call_outcome"
"""The audit event :func:`record_call_outcome` appends (read back for appointments)."""


class AppointmentStaff(SDKModel):
    """A staff member who will go on a booked visit: a name and a staff ID, as the visit
    letter shows them to the borrower (staff data, never the borrower's)."""

    name: str = Field(min_length=1, max_length=100)
    staff_id: str = Field(min_length=1, max_length=50)


class CallReport(SDKModel):
    """What the agent reports about one call. Bad input raises a typed error naming the
    field (``call_report.promise_amount``...) and never its value."""

    outcome: CallOutcome
    at: AwareDatetime
    """When the call ended."""
    number: PhoneNumber
    """The number dialled (E.164)."""
    role: Role = Role.DEBTOR
    """Who was called."""
    stop_media: tuple[str, ...] = Field(default=("call_script", "voice"), min_length=1)
    """For ``request_to_stop``: the media the person asked us to stop using at this
    number (``*`` for every medium)."""
    line_type: Literal["mobile", "landline", "work", "unknown"] = "mobile"
    location: bool = False
    """A location call to a third party (US): counted once per person called."""
    promise_date: date | None = None
    promise_amount: Amount | None = None
    appointment_slot: AwareDatetime | None = None
    appointment_place: str | None = Field(default=None, max_length=200)
    """For ``appointment_booked``: where the visit takes place when it is not the
    borrower's address on record (an office, a branch). Leave it unset for a home visit:
    the letter then says "your address on record" and no address is audited."""
    appointment_staff: tuple[AppointmentStaff, ...] = ()
    """For ``appointment_booked``: who will visit (the visit rules want at least two)."""
    notice_key: str | None = None
    """The idempotency key of the call script's notice, when there was one."""
    agent_id: str | None = None
    consent: bool = False
    """The consumer gave direct prior consent, on this call, to further calls about the
    debt (recorded at ``at``; Reg F then excludes the next 7 days' calls)."""

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        self._check_outcome_fields()

    def _check_outcome_fields(self) -> None:
        def bad(field: str, reason: str) -> InvalidInputError:
            return InvalidInputError(f"call_report.{field}", reason)

        if self.outcome is CallOutcome.PROMISE_TO_PAY:
            if self.promise_date is None:
                raise bad("promise_date", "required for a promise to pay")
            if self.promise_amount is None:
                raise bad("promise_amount", "required for a promise to pay")
            if self.promise_amount <= 0:
                raise bad("promise_amount", "must be more than zero")
            if self.promise_date < self.at.date():
                raise bad("promise_date", "must not be before the call")
        if self.outcome is CallOutcome.APPOINTMENT_BOOKED:
            if self.appointment_slot is None:
                raise bad("appointment_slot", "required when an appointment is booked")
            if self.appointment_slot <= self.at:
                raise bad("appointment_slot", "must be after the call")
        elif self.appointment_place is not None:
            raise bad("appointment_place", "only for an appointment_booked outcome")
        elif self.appointment_staff:
            raise bad("appointment_staff", "only for an appointment_booked outcome")
        place = self.appointment_place
        if place is not None and (not place.strip() or any(c in place for c in "\r\n\x00")):
            raise bad("appointment_place", "must be a single, non-empty line")
        ids = [s.staff_id for s in self.appointment_staff]
        if len(set(ids)) != len(ids):
            raise bad("appointment_staff", "the same staff ID appears twice")


@dataclass(frozen=True)
class RecordedCall:
    """What :func:`record_call_outcome` wrote: the scopes counted and the states set."""

    outcome: CallOutcome
    scopes: tuple[str, ...]
    states: tuple[str, ...]
    audit_detail: dict[str, Any]


def slot_key(slot: datetime) -> str:
    """The canonical (UTC, seconds) form of an appointment slot used in scope names."""
    return slot.astimezone(UTC).replace(microsecond=0).isoformat()


async def record_call_outcome(
    ledger: Ledger, account: Account, person: Person, report: CallReport
) -> RecordedCall:
    """Write one call's outcome to ``ledger``: contacts, states and an audit entry."""
    if report.role is Role.DEBTOR and person.person_id != account.debtor.person_id:
        raise InvalidInputError("call_report.role", "the person called is not the account's debtor")
    o = report.outcome
    consumer = report.role in (Role.DEBTOR, Role.GUARANTOR)
    if report.consent and not consumer:
        raise InvalidInputError("call_report.consent", "only the consumer's consent counts")
    detail_of_call = {"outcome": o.value}
    counted = await record_call(
        ledger,
        account,
        person,
        report.number,
        o,
        report.at,
        key=report.notice_key,
        role=report.role.value,
        line_type=report.line_type,
        location=report.location,
        detail=detail_of_call,
    )
    written: list[str] = []
    states: list[str] = []
    state = _STATES.get(o)
    if state is not None and consumer:
        written.append(scopes.state_set(account, state))
        states.append(state)
    if o is CallOutcome.REQUEST_TO_STOP:
        written.extend(scopes.optout_scope(m, report.number) for m in report.stop_media)
        states.extend(f"opt_out:{m}" for m in report.stop_media)
    if o is CallOutcome.APPOINTMENT_BOOKED:
        assert report.appointment_slot is not None
        written.append(scopes.appointment(account, slot_key(report.appointment_slot)))
    for scope in written:
        await ledger.record_contact(scope, report.at, key=report.notice_key, detail=detail_of_call)
    if report.consent:
        await record_call_consent(ledger, account, report.at, key=report.notice_key)
    event = _account_event(report) if consumer else None
    if event is not None:  # the record every rule reads (the ladder waits, a dispute holds)
        await record_account_event(ledger, account, event, now=report.at)
        states.append(f"event:{event.kind.value}")
    written = [*counted, *written]
    detail: dict[str, Any] = {
        "outcome": o.value,
        "account": account.account_id,
        "person": person.person_id,
        "role": report.role.value,
        "number": mask_value("phone", report.number),
        "agent": report.agent_id,
        "counted_as": o.counted_as.value,
        "scopes": len(written),
        "states": states,
        "consent": report.consent,
    }
    if o is CallOutcome.PROMISE_TO_PAY:
        detail["promise_date"] = report.promise_date.isoformat() if report.promise_date else None
        # The audit trail carries no amount tied to a person; the caller keeps its report.
        detail["promise_amount"] = mask_value("amount", str(report.promise_amount))
    if report.appointment_slot is not None:
        detail["appointment_slot"] = slot_key(report.appointment_slot)
        detail["appointment_slot_local"] = report.appointment_slot.isoformat()
        detail["appointment_place"] = report.appointment_place
        detail["appointment_staff"] = [
            {"name": s.name, "staff_id": s.staff_id} for s in report.appointment_staff
        ]
    if o is CallOutcome.REQUEST_TO_STOP:
        detail["stop_media"] = list(report.stop_media)
    await ledger.audit("call_outcome", report.notice_key, detail, now=report.at)
    return RecordedCall(o, tuple(written), tuple(states), detail)


def _account_event(report: CallReport) -> AccountEvent | None:
    """The account event a consumer's call result records: a promise to pay waits until
    the promised day has ended everywhere on Earth (12:00 UTC the next day: the agent
    reports a date, not the debtor's zone). A dispute stays the plugin's own state, which
    :func:`clear_state` lifts once verified (no account event lifts a dispute yet)."""
    if report.outcome is CallOutcome.PROMISE_TO_PAY and report.promise_date is not None:
        day = report.promise_date + timedelta(days=1)
        until = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        if until > report.at:
            return AccountEvent(AccountEventKind.PROMISE_TO_PAY, report.at, until, source=SOURCE)
    return None


async def state_active(ledger: Ledger, account: Account, state: str, now: datetime) -> bool:
    """True when ``state`` was set on the debt more often than it was cleared."""
    end = _after(now)
    set_ = await ledger.count(scopes.state_set(account, state), EPOCH, end)
    cleared = await ledger.count(scopes.state_cleared(account, state), EPOCH, end)
    return set_ > cleared


async def clear_state(
    ledger: Ledger, account: Account, state: str, at: datetime, *, reason: str
) -> None:
    """Clear ``state`` (e.g. a dispute once the debt is verified); audited with ``reason``."""
    if not await state_active(ledger, account, state, at):
        raise InvalidInputError("state", f"state {state!r} is not set on this account")
    await ledger.record_contact(scopes.state_cleared(account, state), at)
    await ledger.audit(
        "state_cleared",
        None,
        {"account": account.account_id, "state": state, "reason": reason},
        now=at,
    )


async def medium_stopped(ledger: Ledger, number: str, medium: str, now: datetime) -> bool:
    """True when the owner of ``number`` asked us to stop using ``medium`` (or every one)."""
    end = _after(now)
    for m in (medium, "*"):
        if await ledger.count(scopes.optout_scope(m, number), EPOCH, end) > 0:
            return True
    return False


@dataclass(frozen=True)
class BookedAppointment:
    """An on-site appointment booked by a call, as read back from the ledger."""

    account_id: str
    slot: datetime
    """The slot, in the zone the agent booked it in (else the debtor's, else UTC)."""
    booked_at: datetime
    """When the call that booked it ended."""
    place: str | None
    staff: tuple[AppointmentStaff, ...]
    notice_key: str | None

    def visit_data(self) -> dict[str, Any]:
        """The ``notice.data`` entries a visit letter reads: ``visit`` (slot, place) and,
        when the booking named them, ``staff``."""
        visit: dict[str, Any] = {"slot": self.slot.isoformat()}
        if self.place:
            visit["place"] = self.place
        data: dict[str, Any] = {"visit": visit}
        if self.staff:
            data["staff"] = [{"name": s.name, "staff_id": s.staff_id} for s in self.staff]
        return data


async def booked_appointments(
    ledger: Ledger, account: Account, now: datetime
) -> list[BookedAppointment]:
    """Every appointment booked by call for ``account`` up to ``now``, oldest booking first.

    Read from the audit trail (event :data:`APPOINTMENT_AUDIT_EVENT`, outcome
    ``appointment_booked``), keeping only bookings whose appointment contact is still in
    the ledger (the scope the ``visit-appointment`` rule counts). This reads the whole
    audit trail: call it once per account and stage, not in a tight loop.
    """
    end = _after(now)
    found: list[BookedAppointment] = []
    for entry in await ledger.audit_entries():
        detail = entry.detail
        if (
            entry.event != APPOINTMENT_AUDIT_EVENT
            or entry.at >= end
            or detail.get("outcome") != CallOutcome.APPOINTMENT_BOOKED.value
            or detail.get("account") != account.account_id
        ):
            continue
        booked = _appointment(entry.at, entry.key, detail, account)
        if booked is None:
            continue
        scope = scopes.appointment(account, slot_key(booked.slot))
        if await ledger.count(scope, EPOCH, end) > 0:
            found.append(booked)
    found.sort(key=lambda b: b.booked_at)
    return found


async def next_appointment(
    ledger: Ledger, account: Account, now: datetime
) -> BookedAppointment | None:
    """The latest booking for ``account`` whose slot is after ``now`` (a re-booking
    replaces an earlier one), or ``None`` when no visit is booked ahead."""
    ahead = [b for b in await booked_appointments(ledger, account, now) if b.slot > now]
    return ahead[-1] if ahead else None


def _appointment(
    at: datetime, key: str | None, detail: Mapping[str, Any], account: Account
) -> BookedAppointment | None:
    raw = detail.get("appointment_slot_local") or detail.get("appointment_slot")
    if not isinstance(raw, str):
        return None
    try:
        slot = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if slot.tzinfo is None:
        return None
    if "appointment_slot_local" not in detail and account.debtor.time_zone:
        slot = slot.astimezone(ZoneInfo(account.debtor.time_zone))
    place = detail.get("appointment_place")
    staff: list[AppointmentStaff] = []
    for s in detail.get("appointment_staff") or ():
        if isinstance(s, Mapping) and s.get("name") and s.get("staff_id"):
            staff.append(AppointmentStaff(name=str(s["name"]), staff_id=str(s["staff_id"])))
    return BookedAppointment(
        account_id=account.account_id,
        slot=slot,
        booked_at=at,
        place=place if isinstance(place, str) and place else None,
        staff=tuple(staff),
        notice_key=key,
    )


def _after(now: datetime) -> datetime:
    return now + timedelta(microseconds=1)
