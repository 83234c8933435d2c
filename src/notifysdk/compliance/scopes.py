"""Contact-history scopes: the strings under which the ledger counts contacts.

Every contact the frequency caps care about is stored with
``ledger.record_contact(scope, at, ...)`` (or taken as a reservation at claim time) and
counted with ``ledger.count(scope, start, end)``. A scope string is::

    COUNTER:PER:ID[:ID...]

- ``COUNTER`` says *what* happened (a :class:`Counter` value, e.g. ``call`` or
  ``call.unanswered``; ``notice.<kind>`` and ``optout.<medium>`` are families).
- ``PER`` says *whose* count it is (a :class:`Per` value): ``debt`` (institution,
  loan), ``debtor`` (institution, person), ``person`` (institution, person; any role),
  ``number`` (a phone number) or ``address`` (an email or postal address).
- the IDs are percent-quoted so that ``:`` inside an id can never forge another scope.

**Institution with its agencies.** Scopes carry ``account.institution`` and never
``account.agency``: an agency collecting for the institution writes into the same
scope, so the institution and all its agencies share one count (cn's 3 connected calls
a day "counting the institution and all its agencies together").

**Personal data.** In a scope string, phone numbers, addresses and loan ids are a
truncated SHA-256 of the normalized value (:func:`pseudonym`), so the string never
carries the value itself. That hash is unkeyed, so it is never what a durable ledger
stores: the SQLite and PostgreSQL ledgers store every scope as ``#`` and an
HMAC-SHA256 of the whole scope string under the ledger's pseudonym key
(``pseudonym.key`` / ``NOTIFYSDK_PSEUDONYM_KEY``, kept outside the database; see
:meth:`notifysdk.ledger.crypto.Vault.scope`), and they look scopes up by that HMAC.
Enumerating phone numbers against the database therefore needs the key. A ledger
written before schema 5 has its scopes re-keyed in place the first time it is opened
with the keys, so every counter counts the same contacts before and after. Scopes are
built by rules that hold no key, which is why the keying is the ledger's: one place,
the key of the ledger the contact is stored in. Person ids are the lender's internal
ids.

**Which counters a call writes.** Agents' calls are recorded after the fact by the
call-outcome API with :func:`record_call` (or the scopes from :func:`call_scopes`):

============== ==================================================================
outcome        counters written
============== ==================================================================
connected      ``call`` (debt), ``conversation`` (debt), ``call.connected``
               (debtor), ``phone.*`` (debt), ``contact`` (debtor), ``comm`` (person)
voicemail      ``call`` (debt), ``call.unanswered`` (number), ``phone.*`` (debt),
               ``contact`` (debtor)
no_answer      ``call`` (debt), ``call.unanswered`` (number)
answered_other ``call`` (debt); a third party picked up: no conversation with the debtor
busy, network  ``call.unanswered`` (number) only: Reg F does not count calls that never
_error,        connect to the dialed number (1006.14(b)(3)), cn counts every dial
invalid_number
============== ==================================================================

Connected and unanswered calls are separate counters: cn caps connected conversations
per debtor (3/day) and unanswered dials per number (6/day); Reg F counts every placed
call per debt (7 in 7 days) and starts a 7-day quiet period after a ``conversation``.
A ``location`` call (to a third party, US) is counted per called person.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from ..ledger.base import Ledger
    from ..models import Account, Person

__all__ = [
    "CallOutcome",
    "Counter",
    "Per",
    "address_scope",
    "call_scopes",
    "debt_scope",
    "debtor_scope",
    "notice_scope",
    "number_scope",
    "optin_scope",
    "optout_scope",
    "parse_scope",
    "person_scope",
    "pseudonym",
    "record_call",
    "record_optin",
    "record_optout",
    "scope",
]


class Counter(StrEnum):
    """What a contact was."""

    CALL = "call"
    """A placed call that reached the dialed number (answered or not, voicemail too)."""
    CALL_CONNECTED = "call.connected"
    """An effective conversation with the debtor (cn: AI voice counts)."""
    CALL_UNANSWERED = "call.unanswered"
    """A dial attempt nobody answered (no answer, busy, voicemail, network error)."""
    CONVERSATION = "conversation"
    """A telephone conversation with the consumer (starts Reg F's 7-day quiet period)."""
    PHONE_PERSONAL = "phone.personal"
    """A phone communication (call, text, recorded message) to a personal number (MA)."""
    PHONE_OTHER = "phone.other"
    """A phone communication to any other number, e.g. at work (MA)."""
    CONTACT = "contact"
    """Any contact with the debtor on any medium (WA)."""
    CONTACT_WORK = "contact.work"
    """A contact at the debtor's place of work (WA)."""
    LOCATION = "location"
    """A location call to a third party (US: once per person)."""
    COMM = "comm"
    """A communication delivered to a person (first vs later contact)."""
    MSG_SMS = "msg.sms"
    """A text message (electronic-message soft caps)."""
    MSG_EMAIL = "msg.email"
    """An email (electronic-message soft caps)."""


class Per(StrEnum):
    """Whose count a scope is."""

    DEBT = "debt"
    DEBTOR = "debtor"
    PERSON = "person"
    NUMBER = "number"
    ADDRESS = "address"


class CallOutcome(StrEnum):
    """How a phone call ended, as an agent or a voice provider reports it."""

    CONNECTED = "connected"
    """A conversation with the person called."""
    VOICEMAIL = "voicemail"
    ANSWERED_OTHER = "answered_other"
    """Someone else answered; no conversation with the person called."""
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    NETWORK_ERROR = "network_error"
    INVALID_NUMBER = "invalid_number"


# Every notice asks for the same few scopes several times (caps, quiet periods, opt-outs,
# the contact record), and a campaign for the same institutions, counters and numbers
# over and over: the quoting and hashing are memoised, bounded.
_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")
"""What ``quote(part, safe="")`` leaves as it is."""


@lru_cache(maxsize=4096)
def _q(part: str) -> str:
    return part if _SAFE.fullmatch(part) else quote(part, safe="")


@lru_cache(maxsize=16384)
def pseudonym(value: str) -> str:
    """A stable pseudonymous id for a loan id, phone number or address inside a scope
    string (never the value). Unkeyed: do not store it outside a scope; a durable
    ledger stores scopes keyed (see the module docstring)."""
    return hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:20]


@lru_cache(maxsize=16384)
def scope(counter: str, per: Per | str, *ids: str) -> str:
    """Build ``COUNTER:PER:ID...`` with every id percent-quoted."""
    return ":".join([_q(str(counter)), _q(str(per)), *(_q(i) for i in ids)])


def parse_scope(value: str) -> tuple[str, str, tuple[str, ...]]:
    """Split a scope string back into (counter, per, ids)."""
    parts = [unquote(p) for p in value.split(":")]
    if len(parts) < 3:
        from ..errors import InvalidInputError

        raise InvalidInputError("scope", "a scope has the form COUNTER:PER:ID[:ID...]")
    return parts[0], parts[1], tuple(parts[2:])


def debt_scope(counter: str, account: Account) -> str:
    """Per debt: the institution (agencies included) and the loan (pseudonymous: loan
    ids are personal data and scopes are stored in the ledger)."""
    return scope(counter, Per.DEBT, account.institution, pseudonym(account.loan_id))


def debtor_scope(counter: str, account: Account, person: Person | None = None) -> str:
    """Per debtor across every loan at the institution (agencies included)."""
    who = person if person is not None else account.debtor
    return scope(counter, Per.DEBTOR, account.institution, who.person_id)


def person_scope(counter: str, account: Account, person: Person) -> str:
    """Per person in any role (a third party called for location, a first contact)."""
    return scope(counter, Per.PERSON, account.institution, person.person_id)


def number_scope(counter: str, number: str) -> str:
    """Per contact number (pseudonymous), whoever's debt it was called about."""
    return scope(counter, Per.NUMBER, pseudonym(number))


def address_scope(counter: str, address: str) -> str:
    """Per email or postal address (pseudonymous)."""
    return scope(counter, Per.ADDRESS, pseudonym(address))


def notice_scope(kind: str, account: Account) -> str:
    """Delivered notices of one kind for a debt (e.g. the credit-report pre-notice)."""
    return debt_scope(f"notice.{kind}", account)


def optout_scope(medium: str, destination: str) -> str:
    """An opt-out of ``medium`` (``*`` for every medium) at one number or address.

    A channel that learns of an opt-out (Twilio error 21610, an unsubscribe) writes it
    with :func:`record_optout`; the ``ledger-opt-out`` rule then blocks that medium.
    """
    return scope(
        f"optout.{medium}",
        Per.NUMBER if destination.startswith("+") else Per.ADDRESS,
        pseudonym(destination),
    )


def optin_scope(medium: str, destination: str) -> str:
    """An opt-in (e.g. an SMS ``START``) to ``medium`` at one number or address.

    The ``ledger-opt-out`` rule ignores opt-outs of the same medium recorded before the
    latest opt-in (on a ledger with ``last_contact``, see
    :class:`notifysdk.ledger.receipts.ReceiptLedger`).
    """
    return scope(
        f"optin.{medium}",
        Per.NUMBER if destination.startswith("+") else Per.ADDRESS,
        pseudonym(destination),
    )


_PLACED = {
    CallOutcome.CONNECTED,
    CallOutcome.VOICEMAIL,
    CallOutcome.NO_ANSWER,
    CallOutcome.ANSWERED_OTHER,
}
_UNANSWERED = {
    CallOutcome.VOICEMAIL,
    CallOutcome.NO_ANSWER,
    CallOutcome.BUSY,
    CallOutcome.NETWORK_ERROR,
    CallOutcome.INVALID_NUMBER,
}


def call_scopes(
    account: Account,
    person: Person,
    number: str,
    outcome: CallOutcome | str,
    *,
    role: str = "debtor",
    line_type: str = "mobile",
    location: bool = False,
) -> tuple[str, ...]:
    """The scopes one call writes (see the table in this module's docstring).

    ``role`` is the called person's role, ``line_type`` the number's (``work`` counts as
    "other"/"at work"), ``location`` marks a US location call to a third party.
    """
    out = CallOutcome(outcome)
    scopes: list[str] = []
    consumer = role in ("debtor", "guarantor")
    if out in _UNANSWERED:
        scopes.append(number_scope(Counter.CALL_UNANSWERED, number))
    if location:
        if out in _PLACED:
            scopes.append(person_scope(Counter.LOCATION, account, person))
        return tuple(scopes)
    if out in _PLACED and consumer:
        scopes.append(debt_scope(Counter.CALL, account))
    if out is CallOutcome.CONNECTED:
        scopes.append(person_scope(Counter.COMM, account, person))
        if consumer:
            scopes.append(debt_scope(Counter.CONVERSATION, account))
            scopes.append(debtor_scope(Counter.CALL_CONNECTED, account, person))
    if out in (CallOutcome.CONNECTED, CallOutcome.VOICEMAIL) and consumer:
        phone = Counter.PHONE_OTHER if line_type == "work" else Counter.PHONE_PERSONAL
        scopes.append(debt_scope(phone, account))
        scopes.append(debtor_scope(Counter.CONTACT, account, person))
        if line_type == "work":
            scopes.append(debtor_scope(Counter.CONTACT_WORK, account, person))
    return tuple(scopes)


async def record_call(
    ledger: Ledger,
    account: Account,
    person: Person,
    number: str,
    outcome: CallOutcome | str,
    at: datetime,
    *,
    key: str | None = None,
    role: str = "debtor",
    line_type: str = "mobile",
    location: bool = False,
    detail: dict[str, Any] | None = None,
) -> tuple[str, ...]:
    """Write one call into every scope it counts under; returns the scopes written.

    ``detail`` must not carry personal data in clear (it is stored as given).
    """
    scopes = call_scopes(
        account, person, number, outcome, role=role, line_type=line_type, location=location
    )
    info = {"outcome": CallOutcome(outcome).value, **(detail or {})}
    for s in scopes:
        await ledger.record_contact(s, at, key=key, detail=info)
    return scopes


async def record_optout(
    ledger: Ledger,
    destination: str,
    at: datetime,
    *,
    media: Iterable[str] = ("*",),
    key: str | None = None,
) -> None:
    """Record that the owner of ``destination`` opted out of ``media`` (``*``: all)."""
    await _record_per_medium(ledger, optout_scope, destination, at, media, key, "opt_out")


async def record_optin(
    ledger: Ledger,
    destination: str,
    at: datetime,
    *,
    media: Iterable[str] = ("*",),
    key: str | None = None,
) -> None:
    """Record that the owner of ``destination`` opted back in to ``media`` (``*``: all)."""
    await _record_per_medium(ledger, optin_scope, destination, at, media, key, "opt_in")


async def _record_per_medium(
    ledger: Ledger,
    scope_of: Callable[[str, str], str],
    destination: str,
    at: datetime,
    media: Iterable[str],
    key: str | None,
    event: str,
) -> None:
    for medium in media:
        await ledger.record_contact(
            scope_of(medium, destination), at, key=key, detail={"event": event}
        )
