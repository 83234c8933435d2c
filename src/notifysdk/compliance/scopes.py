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
call-outcome API with :func:`record_call` (or the scopes from :func:`call_scopes` and
:func:`history_scopes`). Which outcomes each counter counts is profile data: the
``call_counts`` of each profile (:class:`~notifysdk.compliance.specs.CallCountSpec`, its
citation next to its outcomes, in :mod:`notifysdk.compliance.profiles`). With the default
profiles:

============== ==================================================================
outcome        counters written
============== ==================================================================
connected,     ``call`` (debt), ``conversation`` (debt), ``call.connected``
refused        (debtor), ``phone.*`` (debt), ``contact`` (debtor), ``comm`` (person)
voicemail      ``call`` (debt), ``call.unanswered`` (number), ``phone.*`` (debt),
               ``contact`` (debtor)
no_answer      ``call`` (debt), ``call.unanswered`` (number)
wrong_party    ``call`` (debt); a third party picked up: no conversation with the debtor
busy, network  ``call.unanswered`` (number) only: Reg F does not count calls that never
_error,        connect to the dialed number (1006.14(b)(3)); they are kept as
invalid_number ``call.excluded`` (debt) for the record; cn counts every unanswered dial
============== ==================================================================

A conversation result (``promise_to_pay``, ``dispute``, ``request_to_stop``,
``appointment_booked``) counts as ``connected``. A call to the consumer placed within 7
days after their direct prior consent to calls about the debt
(:func:`record_call_consent`) is written as ``call.consented`` instead of ``call``
(1006.14(b)(3)-(4)): no cap counts it.

Connected and unanswered calls are separate counters: cn caps connected conversations
per debtor (3/day) and unanswered dials per number (6/day); Reg F counts every placed
call per debt (7 in 7 days) and starts a 7-day quiet period after a ``conversation``.
A ``location`` call (to a third party, US) is counted per called person.

**The record.** Besides its counters a call leaves ``attempt.<outcome>`` per debtor (calls
to the debtor by how they ended) and ``number.invalid`` / ``number.connected`` per number:
:mod:`notifysdk.compliance.reachability` derives from them whether the debtor can be
reached.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from ..ledger.base import Ledger
    from ..models import Account, Person
    from .specs import CallCountSpec

__all__ = [
    "CALL_OUTCOMES",
    "CONNECTED_OUTCOMES",
    "LEGACY_OUTCOMES",
    "NOT_CONNECTED",
    "CallOutcome",
    "Counter",
    "Per",
    "address_scope",
    "attempt_scope",
    "call_scopes",
    "consent_age",
    "consent_scope",
    "debt_scope",
    "debtor_scope",
    "default_call_counts",
    "e164",
    "history_scopes",
    "notice_scope",
    "number_scope",
    "optin_scope",
    "optout_scope",
    "parse_scope",
    "person_scope",
    "pseudonym",
    "record_call",
    "record_call_consent",
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
    CALL_CONSENT = "consent.call"
    """The consumer's direct prior consent to calls about a debt (Reg F excludes calls
    placed within 7 days after it)."""
    NUMBER_INVALID = "number.invalid"
    """An ``invalid_number`` result for a number (reachability)."""
    NUMBER_CONNECTED = "number.connected"
    """A connected call on a number: an earlier invalid result no longer holds."""
    REFUSED = "refused"
    """A person (any role) answered and refused: cn stops contacting an emergency
    contact who refused."""
    ATTEMPT = "attempt"
    """A family: ``attempt.<outcome>`` per debtor, every call to the debtor by how it
    ended (reachability reads runs of failures from it)."""


class Per(StrEnum):
    """Whose count a scope is."""

    DEBT = "debt"
    DEBTOR = "debtor"
    PERSON = "person"
    NUMBER = "number"
    ADDRESS = "address"


class CallOutcome(StrEnum):
    """How a phone call ended, as an agent, the call-outcome API or a voice provider
    reports it: the one enum of the SDK (the call-script plugin uses it too).

    The first eight members are how the call itself ended; the last four are what a
    conversation with the person called led to (the call-script plugin's agent
    outcomes) and count as ``connected`` (:attr:`counted_as`). Older values still read
    (``answered_other``, ``wrong_number`` → ``wrong_party``; ``unanswered`` →
    ``no_answer``; ``voicemail_left`` → ``voicemail``; ``refusal`` → ``refused``), both
    as values (``CallOutcome("answered_other")``) and as member names
    (``CallOutcome.ANSWERED_OTHER``), so stored history and old callers keep working.
    """

    CONNECTED = "connected"
    """A conversation with the person called."""
    VOICEMAIL = "voicemail"
    """The call reached a voicemail box (a message may have been left)."""
    NO_ANSWER = "no_answer"
    """It rang; nobody answered."""
    BUSY = "busy"
    """The line was busy: the call never connected to the dialed number."""
    NETWORK_ERROR = "network_error"
    """The network failed the call: it never connected to the dialed number."""
    WRONG_PARTY = "wrong_party"
    """Someone other than the person called answered; no conversation with them."""
    REFUSED = "refused"
    """The person called answered and refused (to talk, to pay, to be called again)."""
    INVALID_NUMBER = "invalid_number"
    """The number is not in service (feeds reachability)."""
    PROMISE_TO_PAY = "promise_to_pay"
    """A conversation in which the person promised to pay."""
    DISPUTE = "dispute"
    """A conversation in which the person disputed the debt."""
    REQUEST_TO_STOP = "request_to_stop"
    """A conversation in which the person asked us to stop calling (this medium)."""
    APPOINTMENT_BOOKED = "appointment_booked"
    """A conversation in which an on-site visit was booked."""

    # Former names (aliases: the same members).
    ANSWERED_OTHER = "wrong_party"
    WRONG_NUMBER = "wrong_party"
    UNANSWERED = "no_answer"
    VOICEMAIL_LEFT = "voicemail"
    REFUSAL = "refused"

    @classmethod
    def _missing_(cls, value: object) -> CallOutcome | None:
        """Read a former value (``answered_other``...) as the member it became."""
        if isinstance(value, str):
            new = LEGACY_OUTCOMES.get(value.strip().lower())
            if new is not None:
                return cls(new)
        return None

    @property
    def counted_as(self) -> CallOutcome:
        """How the call itself ended: a conversation result counts as ``connected``."""
        return CallOutcome.CONNECTED if self in _RESULTS else self

    @property
    def connected(self) -> bool:
        """True when the person called was spoken with (``connected``, ``refused`` and
        every conversation result)."""
        return self.counted_as in (CallOutcome.CONNECTED, CallOutcome.REFUSED)


LEGACY_OUTCOMES: dict[str, str] = {
    "answered_other": "wrong_party",
    "wrong_number": "wrong_party",
    "unanswered": "no_answer",
    "voicemail_left": "voicemail",
    "refusal": "refused",
}
"""Former outcome values (the engine's and the call-script plugin's) and what they are
now."""

_RESULTS = frozenset(
    {
        CallOutcome.PROMISE_TO_PAY,
        CallOutcome.DISPUTE,
        CallOutcome.REQUEST_TO_STOP,
        CallOutcome.APPOINTMENT_BOOKED,
    }
)

CALL_OUTCOMES: tuple[CallOutcome, ...] = tuple(o for o in CallOutcome if o not in _RESULTS)
"""The eight ways a call itself ends (what profiles count)."""

CONNECTED_OUTCOMES = frozenset(o for o in CallOutcome if o.connected)
"""Every outcome in which the person called was spoken with."""

NOT_CONNECTED = frozenset({CallOutcome.BUSY, CallOutcome.NETWORK_ERROR, CallOutcome.INVALID_NUMBER})
"""Calls that never connected to the dialed number."""


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


# The PER parts as plain strings (``_q`` leaves each as it is): an enum member in a
# cache key (``Per.DEBT``, ``Counter.COMM``) hashes in Python and keeps the key tracked
# by the garbage collector.
_DEBT, _DEBTOR, _PERSON, _NUMBER, _ADDRESS = (
    str(p) for p in (Per.DEBT, Per.DEBTOR, Per.PERSON, Per.NUMBER, Per.ADDRESS)
)


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


# The per-account helpers below build their string directly (what ``scope`` returns for
# the same parts) instead of through ``scope``'s cache: every notice of a campaign is
# another account, so each of their keys was a miss that evicted another (about 1.3 us
# each, seven a notice). The parts that repeat (counters, institutions) still go
# through ``_q``'s cache; a pseudonym is hexadecimal, which ``_q`` leaves as it is.


def debt_scope(counter: str, account: Account) -> str:
    """Per debt: the institution (agencies included) and the loan (pseudonymous: loan
    ids are personal data and scopes are stored in the ledger)."""
    return f"{_q(str(counter))}:{_DEBT}:{_q(account.institution)}:{pseudonym(account.loan_id)}"


def debtor_scope(counter: str, account: Account, person: Person | None = None) -> str:
    """Per debtor across every loan at the institution (agencies included)."""
    who = person if person is not None else account.debtor
    return f"{_q(str(counter))}:{_DEBTOR}:{_q(account.institution)}:{_q(who.person_id)}"


def person_scope(counter: str, account: Account, person: Person) -> str:
    """Per person in any role (a third party called for location, a first contact)."""
    return f"{_q(str(counter))}:{_PERSON}:{_q(account.institution)}:{_q(person.person_id)}"


def number_scope(counter: str, number: str) -> str:
    """Per contact number (pseudonymous), whoever's debt it was called about."""
    return f"{_q(str(counter))}:{_NUMBER}:{pseudonym(number)}"


def address_scope(counter: str, address: str) -> str:
    """Per email or postal address (pseudonymous)."""
    return f"{_q(str(counter))}:{_ADDRESS}:{pseudonym(address)}"


def notice_scope(kind: str, account: Account) -> str:
    """Delivered notices of one kind to the debtor of a debt (e.g. the credit-report
    pre-notice; the ``contact-record`` rule writes it for deliveries to the debtor)."""
    return debt_scope(f"notice.{kind}", account)


def optout_scope(medium: str, destination: str) -> str:
    """An opt-out of ``medium`` (``*`` for every medium) at one number or address.

    A channel that learns of an opt-out (Twilio error 21610, an unsubscribe) writes it
    with :func:`record_optout`; the ``ledger-opt-out`` rule then blocks that medium.
    """
    per = _NUMBER if destination.startswith("+") else _ADDRESS
    return f"{_q(f'optout.{medium}')}:{per}:{pseudonym(destination)}"


def optin_scope(medium: str, destination: str) -> str:
    """An opt-in (e.g. an SMS ``START``) to ``medium`` at one number or address.

    The ``ledger-opt-out`` rule ignores opt-outs of the same medium recorded before the
    latest opt-in (on a ledger with ``last_contact``, see
    :class:`notifysdk.ledger.receipts.ReceiptLedger`).
    """
    per = _NUMBER if destination.startswith("+") else _ADDRESS
    return f"{_q(f'optin.{medium}')}:{per}:{pseudonym(destination)}"


@lru_cache(maxsize=1)
def default_call_counts() -> tuple[CallCountSpec, ...]:
    """Every :class:`~notifysdk.compliance.specs.CallCountSpec` of the default profiles
    (their ``call_counts``): what a recorded call is written under."""
    from .profiles import DEFAULT_PROFILES

    seen: dict[tuple[str, str, str], CallCountSpec] = {}
    for profile in DEFAULT_PROFILES:
        for spec in profile.params.get("call_counts", ()):
            seen.setdefault((spec.counter, spec.per, spec.line), spec)
    return tuple(seen.values())


def _per_scope(counter: str, per: str, account: Account, person: Person, number: str) -> str:
    if per == "debt":
        return debt_scope(counter, account)
    if per == "debtor":
        return debtor_scope(counter, account, person)
    if per == "person":
        return person_scope(counter, account, person)
    return number_scope(counter, number)


def _line_matches(line: str, line_type: str) -> bool:
    return line == "any" or (line == "work") == (line_type == "work")


def _consented(spec: CallCountSpec, consent_age: timedelta | None) -> bool:
    if spec.consent_days is None or consent_age is None:
        return False
    return timedelta(0) <= consent_age < timedelta(days=spec.consent_days)


def call_scopes(
    account: Account,
    person: Person,
    number: str,
    outcome: CallOutcome | str,
    *,
    role: str = "debtor",
    line_type: str = "mobile",
    location: bool = False,
    consent_age: timedelta | None = None,
) -> tuple[str, ...]:
    """The counters one call is counted under (see the table in this module's docstring):
    the profiles' :class:`~notifysdk.compliance.specs.CallCountSpec` say which outcomes
    each counter counts.

    ``role`` is the called person's role, ``line_type`` the number's (``work`` counts as
    "other"/"at work"), ``location`` marks a US location call to a third party (counted
    per called person, and per number). ``consent_age``: how long before this call the
    consumer's latest direct prior consent to calls about the debt was given (``None``:
    none on record); a counter with ``consent_days`` writes a call within that many
    days of it under ``COUNTER.consented`` instead.
    """
    out = CallOutcome(outcome)
    base = out.counted_as
    scopes: list[str] = []
    for spec in default_call_counts():
        if location and spec.per != "number":
            continue
        if role not in spec.roles or not _line_matches(spec.line, line_type):
            continue
        if base in spec.outcomes:
            counter = f"{spec.counter}.consented" if _consented(spec, consent_age) else spec.counter
            scopes.append(_per_scope(counter, spec.per, account, person, number))
    if location:
        if base not in NOT_CONNECTED:
            scopes.append(person_scope(Counter.LOCATION, account, person))
    elif out.connected:
        scopes.append(person_scope(Counter.COMM, account, person))
    return tuple(scopes)


def history_scopes(
    account: Account,
    person: Person,
    number: str,
    outcome: CallOutcome | str,
    *,
    role: str = "debtor",
    line_type: str = "mobile",
    location: bool = False,
) -> tuple[str, ...]:
    """The record a call leaves besides its counters, which reachability and ``explain``
    read: ``attempt.<outcome>`` per debtor (calls to the debtor), ``number.invalid`` /
    ``number.connected`` per number, ``refused`` per person (any role), and
    ``COUNTER.excluded`` for placed calls a counter's citation leaves out (Reg F: calls
    that never connect)."""
    out = CallOutcome(outcome)
    base = out.counted_as
    scopes: list[str] = []
    if role == "debtor" and not location:
        scopes.append(attempt_scope(account, person, base))
    if base is CallOutcome.REFUSED:
        scopes.append(person_scope(Counter.REFUSED, account, person))
    if base is CallOutcome.INVALID_NUMBER:
        scopes.append(number_scope(Counter.NUMBER_INVALID, number))
    elif out.connected:
        scopes.append(number_scope(Counter.NUMBER_CONNECTED, number))
    if not location:
        for spec in default_call_counts():
            applies = role in spec.roles and _line_matches(spec.line, line_type)
            if applies and base in spec.excluded:
                scopes.append(
                    _per_scope(f"{spec.counter}.excluded", spec.per, account, person, number)
                )
    return tuple(scopes)


def attempt_scope(account: Account, person: Person, outcome: CallOutcome | str) -> str:
    """Calls to the debtor ``person`` that ended as ``outcome`` (its ``counted_as``)."""
    base = CallOutcome(outcome).counted_as
    return debtor_scope(f"{Counter.ATTEMPT.value}.{base.value}", account, person)


def consent_scope(account: Account) -> str:
    """The consumer's direct prior consents to calls about one debt."""
    return debt_scope(Counter.CALL_CONSENT, account)


async def record_call_consent(
    ledger: Ledger, account: Account, at: datetime, *, key: str | None = None
) -> None:
    """Record that the consumer gave the collector direct prior consent, at ``at``, to
    calls about this debt: calls placed in the next 7 days are not counted toward Reg
    F's 7-in-7 (12 CFR 1006.14(b)(3)-(4); the days are the profile's
    ``CallCountSpec.consent_days``). A consent for another debt does not count."""
    _aware(at)
    await ledger.record_contact(consent_scope(account), at, key=key, detail={"event": "consent"})


async def consent_age(ledger: Ledger, account: Account, at: datetime) -> timedelta | None:
    """How long before ``at`` the latest consent on record for the debt was given
    (``None``: none, or a ledger that cannot say: every call then counts)."""
    from ..ledger.receipts import ReceiptLedger

    if not isinstance(ledger, ReceiptLedger):
        return None
    last = await ledger.last_contact(consent_scope(account), at)
    return None if last is None else at - last


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
    """Write one call into every scope it counts under and into its record
    (:func:`call_scopes` + :func:`history_scopes`); returns the scopes written. A
    consent to calls recorded for the debt before ``at`` (:func:`record_call_consent`)
    is applied.

    ``detail`` must not carry personal data in clear (it is stored as given).

    ``number`` is read as the E.164 number a notice's destination is (``+86 138 0013
    8000`` counts as ``+8613800138000``: a cap or reachability keyed by another spelling
    would never see the call); a number that is not E.164, an unknown ``outcome`` or a
    naive ``at`` raise :class:`~notifysdk.errors.InvalidInputError`.
    """
    out = _outcome(outcome)
    number = e164(number, "number")
    _aware(at)
    age = await consent_age(ledger, account, at) if role in ("debtor", "guarantor") else None
    scopes = call_scopes(
        account,
        person,
        number,
        out,
        role=role,
        line_type=line_type,
        location=location,
        consent_age=age,
    )
    scopes += history_scopes(
        account, person, number, out, role=role, line_type=line_type, location=location
    )
    info = {"outcome": out.value, **(detail or {})}
    for s in scopes:
        await ledger.record_contact(s, at, key=key, detail=info)
    return scopes


def e164(number: str, field: str) -> str:
    """``number`` as the E.164 string the record is keyed by (a notice's destination is
    one), or :class:`~notifysdk.errors.InvalidPhoneNumberError` naming ``field``."""
    from ..validation import normalize_phone, validate_field

    return validate_field(normalize_phone, number, field)


def _destination(value: str) -> str:
    """An opt-out's number as E.164 (an email or postal address as given). A number the
    numbering plan does not know is kept as written: an opt-out is never dropped."""
    raw = value.strip()
    if raw[:1] not in ("+", "\uff0b"):
        return value
    from ..errors import InvalidInputError

    try:
        return e164(raw, "destination")
    except InvalidInputError:
        return value


def _outcome(value: CallOutcome | str) -> CallOutcome:
    try:
        return CallOutcome(value)
    except ValueError:
        from ..errors import InvalidInputError

        known = ", ".join(o.value for o in CallOutcome)
        raise InvalidInputError("outcome", f"unknown call outcome (known: {known})") from None


def _aware(at: datetime) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None:
        from ..errors import NaiveDatetimeError

        raise NaiveDatetimeError("at", "an aware datetime (with a zone)")


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
    destination = _destination(destination)
    _aware(at)
    for medium in media:
        await ledger.record_contact(
            scope_of(medium, destination), at, key=key, detail={"event": event}
        )
