"""Account events: what happened to a debt, recorded in the ledger, read by the rules.

A lender's platform (or an operator, ``notifysdk account event record``) records that
an account was paid, settled, promised to pay, disputed, sent a cease letter, is
represented by an attorney, is in bankruptcy, that the debtor died, or that a number
or address is invalid. The compliance rules read the record at every decision (so a
notice deferred overnight and sent by ``run-due`` sees a payment recorded in between),
not only the flags of the account snapshot the notice carries.

Storage (every ledger: memory, SQLite, PostgreSQL): an event is keyed by the account's
keyed pseudonym (never the account id); its ``note`` (masked with the SDK's redactor
before it is stored) and ``contact`` are encrypted under the account's data key like
every other personal value, so ``notifysdk ledger erase`` of the account makes them
unreadable (they then read as ``[erased]``) while the kind and instants stay, and keep
stopping contact. Each event is audited in the same transaction (``account_event``:
kind, instants, source, whether there is a note, the contact's medium; never the note
or the number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import InvalidInputError, LedgerError

if TYPE_CHECKING:
    from .ledger.base import Ledger
    from .models import Account
    from .privacy import KnownValues, Redactor

__all__ = [
    "NOTE_LIMIT",
    "AccountEvent",
    "AccountEventKind",
    "account_events",
    "event_detail",
    "record_account_event",
]

NOTE_LIMIT = 2000
"""Characters of a note kept (after masking)."""

_SOURCE = re.compile(r"[a-z][a-z0-9_.-]{0,39}")


class AccountEventKind(StrEnum):
    """What happened to an account."""

    PAID = "paid"
    """The debt was paid in full: no collection notice for it any more."""
    SETTLED = "settled"
    """The debt was settled: no collection notice for it any more."""
    PROMISE_TO_PAY = "promise_to_pay"
    """The debtor promised to pay by ``until``: collection waits until then."""
    DISPUTE = "dispute"
    CEASE = "cease"
    ATTORNEY = "attorney"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    NUMBER_INVALID = "number_invalid"
    """``contact`` (an E.164 number or an address) does not reach the debtor."""


@dataclass(frozen=True)
class AccountEvent:
    """One event of an account.

    ``at``: when it happened (an aware instant); ``until``: for ``promise_to_pay`` the
    promised date (collection resumes then); ``contact``: for ``number_invalid`` the
    number (kept as E.164: ``+86 138 0013 8000`` reads as ``+8613800138000``, a number
    without its country code is refused) or address it concerns; ``note``: free text,
    masked before it is
    stored; ``source``: who recorded it (``api``, ``cli``, a platform's name: lower
    case letters, digits, ``_.-``).
    """

    kind: AccountEventKind
    at: datetime
    until: datetime | None = None
    contact: str | None = None
    note: str | None = None
    source: str = "api"

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", AccountEventKind(self.kind))
        except ValueError:
            known = ", ".join(k.value for k in AccountEventKind)
            raise InvalidInputError(
                "event.kind", f"unknown account event (known: {known})"
            ) from None
        for name in ("at", "until"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise InvalidInputError(f"event.{name}", "an aware datetime (with a zone)")
        if self.kind is AccountEventKind.PROMISE_TO_PAY and self.until is None:
            raise InvalidInputError("event.until", "a promise to pay needs the promised date")
        if self.kind is AccountEventKind.NUMBER_INVALID and not self.contact:
            raise InvalidInputError("event.contact", "an invalid number needs the number")
        if self.contact is not None:
            object.__setattr__(self, "contact", _contact(self.contact))
        if not _SOURCE.fullmatch(self.source):
            raise InvalidInputError("event.source", "lower case letters, digits and _.- (<= 40)")


_PHONE_LIKE = re.compile(r"[+\uff0b]?[0-9 ()./\-]+")
"""A contact written as a phone number (digits and separators, maybe a leading plus)."""


def _contact(value: str) -> str:
    """A phone number as the E.164 string notices and the call record use (so the
    reachability test finds it under the debtor's number however it was written); an
    email or postal address as given. A number without its country code is refused: it
    would never match a debtor's E.164 number."""
    if not _PHONE_LIKE.fullmatch(value.strip()):
        return value
    from .validation import normalize_phone, validate_field

    return validate_field(normalize_phone, value, "event.contact")


def account_id_of(account: Account | str) -> str:
    """The account id of an :class:`~notifysdk.models.Account` or of an id."""
    return account if isinstance(account, str) else account.account_id


@lru_cache(maxsize=1)
def _default_redactor() -> Redactor:
    from .privacy import Redactor, default_detectors

    return Redactor(default_detectors())


def _medium(contact: str) -> str:
    return "phone" if contact.startswith("+") else "email" if "@" in contact else "address"


def event_detail(event: AccountEvent) -> dict[str, Any]:
    """The ``account_event`` audit entry's detail: masked values only (the contact's
    medium, whether there is a note; never the note or the number)."""
    return {
        "kind": event.kind.value,
        "at": event.at.astimezone(UTC).isoformat(),
        "until": None if event.until is None else event.until.astimezone(UTC).isoformat(),
        "source": event.source,
        "contact": None if event.contact is None else _medium(event.contact),
        "note": event.note is not None,
    }


async def record_account_event(
    ledger: Ledger,
    account: Account | str,
    event: AccountEvent,
    *,
    redactor: Redactor | None = None,
    now: datetime | None = None,
) -> AccountEvent:
    """Store ``event`` for ``account`` (an :class:`~notifysdk.models.Account` or its id)
    with its ``account_event`` audit entry, in one transaction; returns the event as
    stored (its note masked).

    The note is masked with ``redactor`` (default: the built-in detectors) and the
    account's own names and numbers: an :class:`~notifysdk.models.Account`'s, or for an
    id those of the newest notice the ledger stores for it (a name is found by no
    detector, only as a known value). Raises :class:`~notifysdk.errors.LedgerError` on
    a ledger that does not store account events (see
    :class:`~notifysdk.ledger.base.EventLedger`)."""
    from .ledger.base import EventLedger

    if not isinstance(ledger, EventLedger):
        raise LedgerError(f"{type(ledger).__name__} does not store account events")
    _check_fields(event)
    if event.note is not None:
        from .privacy import KnownValues

        known = (
            await _stored_known(ledger, account)
            if isinstance(account, str)
            else KnownValues.from_account(account)
        )
        masked = (redactor or _default_redactor()).mask_for_log(event.note, known)
        event = AccountEvent(
            event.kind, event.at, event.until, event.contact, masked[:NOTE_LIMIT], event.source
        )
    await ledger.record_event(
        account_id_of(account),
        event,
        detail=event_detail(event),
        now=now or datetime.now(UTC),
    )
    return event


def _check_fields(event: AccountEvent) -> None:
    """What only some kinds carry, checked before an event is stored (not when one is
    read back: a stored event always reads): a promised date only on a promise, after
    it was made; a contact only on ``number_invalid``."""
    promise = event.kind is AccountEventKind.PROMISE_TO_PAY
    if event.until is not None and not promise:
        raise InvalidInputError("event.until", "only a promise to pay has a promised date")
    if promise and event.until is not None and event.until <= event.at:
        raise InvalidInputError("event.until", "the promised date must be after the promise")
    if event.contact is not None and event.kind is not AccountEventKind.NUMBER_INVALID:
        raise InvalidInputError("event.contact", "only number_invalid names a contact")


async def _stored_known(ledger: Ledger, account_id: str) -> KnownValues:
    """The known values of the newest notice ``ledger`` stores for ``account_id`` (none
    on a ledger that cannot find an account's notices, or once it was erased)."""
    from .privacy import KnownValues

    find = getattr(ledger, "account_notices", None)
    if find is None:
        return KnownValues()
    for key, _state in reversed(await find(account_id)):
        try:
            stored = await ledger.load(key)  # type: ignore[attr-defined]
        except LedgerError:  # erased: nothing left to know
            continue
        if stored is not None:
            return KnownValues.from_account(stored.notice.account)
    return KnownValues()


async def account_events(
    ledger: Ledger, account: Account | str, *, before: datetime
) -> tuple[AccountEvent, ...]:
    """The events of ``account`` that happened strictly before ``before``, oldest first
    (``()`` on a ledger that does not store account events). A note or contact whose
    data key was erased reads as ``[erased]``."""
    if not _stores_events(type(ledger)):
        return ()
    events: tuple[AccountEvent, ...] = await ledger.events(  # type: ignore[attr-defined]
        account_id_of(account), before=before
    )
    return events


@lru_cache(maxsize=64)
def _stores_events(cls: type) -> bool:
    """Whether ledgers of ``cls`` store account events (a protocol check costs more
    than the lookup, and the rules ask once per notice)."""
    from .ledger.base import EventLedger

    return issubclass(cls, EventLedger)


def just_after(at: datetime) -> datetime:
    """The first instant after ``at`` (to read events up to and including ``at``)."""
    return at + timedelta(microseconds=1)
