"""The typed pieces a compliance profile is made of.

A :class:`~notifysdk.policy.Profile`'s ``params`` hold these specs under fixed keys
(see :mod:`notifysdk.compliance.profiles`). Every spec carries the citation of the
limit it encodes and an evidence mark (P primary text, S secondary, R recalled).
Fields that an override may change say in their metadata which way is *tighter*
(``lower``, ``higher``, ``later``, ``earlier``, ``true``); see
:mod:`notifysdk.compliance.overrides`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Literal

__all__ = [
    "CONSUMER_ROLES",
    "CallCountSpec",
    "CapSpec",
    "CarrierLinks",
    "CarrierOptOut",
    "CarrierSign",
    "CreditReportSpec",
    "LintSpec",
    "QuietSpec",
    "ReachabilitySpec",
    "RecipientSpec",
    "Requirement",
    "RetentionSpec",
    "StateSpec",
    "WindowSpec",
    "ZoneSpec",
]

Evidence = Literal["P", "S", "R", "policy"]

CONTACT_MEDIA = frozenset({"sms", "email", "voice", "call_script"})
PHONE_MEDIA = frozenset({"sms", "voice", "call_script"})
CALL_MEDIA = frozenset({"voice", "call_script"})
CONSUMER_ROLES = frozenset({"debtor", "guarantor"})


@dataclass(frozen=True)
class WindowSpec:
    """Contact hours in the recipient's local time: ``start <= local < end``."""

    start: time = field(metadata={"tighter": "later"})
    end: time = field(metadata={"tighter": "earlier"})
    citation: str = ""
    evidence: Evidence = "S"
    media: frozenset[str] = CONTACT_MEDIA
    holiday_calendar: str | None = None
    """``cn`` (chinese-calendar working days) or an ISO country for ``holidays``."""
    holiday_media: frozenset[str] = frozenset()
    """Media for which non-working days are skipped (visits)."""


@dataclass(frozen=True)
class ZoneSpec:
    """Zones assumed when nothing about the recipient's location is known."""

    default_zones: tuple[str, ...]
    citation: str = ""


@dataclass(frozen=True)
class CapSpec:
    """At most ``limit`` contacts counted under ``counter`` per ``per`` in ``days``
    consecutive local days (today included)."""

    id: str
    counter: str
    per: Literal["debt", "debtor", "number", "person"]
    limit: int = field(metadata={"tighter": "lower"})
    days: int = field(metadata={"tighter": "higher"})
    citation: str = ""
    evidence: Evidence = "S"
    reserve_media: frozenset[str] = frozenset()
    """Media whose notices take a slot at claim time (the notice *is* the contact)."""
    check_media: frozenset[str] = frozenset()
    """Media checked by count only: the call-outcome API records the contact later."""
    roles: frozenset[str] = frozenset({"debtor", "guarantor"})
    line: Literal["any", "personal", "work"] = "any"
    """``personal``: only to mobile/landline numbers; ``work``: only to work numbers
    and work email."""
    cited: bool = True
    """False for lender soft caps with no cited limit (loosening them is free)."""
    consent_days: int | None = None
    """Calls placed within this many days after the consumer's direct prior consent
    (recorded for the debt) are not counted and not capped (Reg F 1006.14(b)(3)-(4))."""


@dataclass(frozen=True)
class QuietSpec:
    """No contact on ``media`` for ``days`` days after a ``counter`` event (day 1 is the
    event's own day)."""

    id: str
    counter: str
    per: Literal["debt", "debtor"]
    days: int = field(metadata={"tighter": "higher"})
    citation: str = ""
    evidence: Evidence = "S"
    media: frozenset[str] = CALL_MEDIA
    consent_days: int | None = None
    """A call placed within this many days after the consumer's direct prior consent
    (recorded for the debt) is not held by the quiet period (Reg F 1006.14(b)(3)-(4))."""


RecipientAction = Literal["full", "restrict", "restrict_if_unreachable", "location_once", "deny"]


@dataclass(frozen=True)
class RecipientSpec:
    """What each recipient role may receive."""

    roles: Mapping[str, RecipientAction]
    citation: str = ""
    evidence: Evidence = "S"
    variant: str = "limited_content"
    variant_media: frozenset[str] = CONTACT_MEDIA
    """Media on which the limited-content variant may be sent; elsewhere RESTRICT
    becomes DENY (Reg F: a limited-content message is a voicemail, never a text)."""
    restrict_lines: frozenset[str] = frozenset()
    """Debtor phone line types that get the limited-content variant on voice (a
    voicemail on a shared or work line)."""


@dataclass(frozen=True)
class StateSpec:
    """An account state that stops contact (``deny``) for some roles or kinds."""

    state: str
    citation: str
    evidence: Evidence = "S"
    roles: frozenset[str] = frozenset({"debtor", "guarantor", "emergency_contact", "third_party"})
    kinds: frozenset[str] | None = None
    """Only these notice kinds are stopped (``None``: every kind)."""
    exceptions: frozenset[str] = frozenset()
    """Values of ``notice.data["cease_exception"]`` that may still go."""


@dataclass(frozen=True)
class Requirement:
    """Text a rendered message must contain (any one pattern per group, every group)."""

    id: str
    media: frozenset[str]
    patterns: Mapping[str, tuple[tuple[str, ...], ...]]
    """Language (``en``, ``zh``) → groups of alternative regexes; every group must match."""
    citation: str
    evidence: Evidence = "S"
    roles: frozenset[str] = frozenset({"debtor", "guarantor"})
    when: Literal["always", "first", "later"] = "always"
    exempt_kinds: frozenset[str] = frozenset({"limited_content"})


@dataclass(frozen=True)
class LintSpec:
    """Prohibited-phrase categories checked on the rendered text."""

    categories: frozenset[str]
    citation: str
    time_barred_categories: frozenset[str] = frozenset()
    """Categories prohibited only when the debt is time-barred (threats to sue)."""


@dataclass(frozen=True)
class CallCountSpec:
    """Which call outcomes a profile counts under ``counter`` (its reading of the cited
    text): a recorded call to a person in ``roles`` on a ``line`` whose outcome is in
    ``outcomes`` is written under ``counter`` per ``per``
    (:func:`notifysdk.compliance.scopes.call_scopes`).

    ``excluded`` are placed calls the citation leaves out (Reg F: calls that never
    connect): they are written under ``COUNTER.excluded`` so the record shows them,
    and no cap counts them. With ``consent_days``, a call placed within that many days
    after the consumer's direct prior consent (recorded for the debt) is written under
    ``COUNTER.consented`` instead of ``counter``."""

    counter: str
    per: Literal["debt", "debtor", "number", "person"]
    outcomes: frozenset[str]
    citation: str
    evidence: Evidence = "S"
    roles: frozenset[str] = CONSUMER_ROLES
    line: Literal["any", "personal", "work"] = "any"
    excluded: frozenset[str] = frozenset()
    consent_days: int | None = None


@dataclass(frozen=True)
class ReachabilitySpec:
    """When the debtor counts as unreachable, derived from the contact history
    (:mod:`notifysdk.compliance.reachability`): every debtor phone number has an
    ``invalid_number`` result (or a ``number_invalid`` account event) with no connected
    call after it, or the last ``failed_attempts`` calls to the debtor within
    ``window_days`` all ended in one of ``failures`` -- unless the debtor had a connected
    conversation within ``connected_within_days``."""

    failed_attempts: int = field(metadata={"tighter": "higher"})
    failures: frozenset[str]
    window_days: int = field(metadata={"tighter": "lower"})
    """Only attempts this recent say anything about reaching the debtor now."""
    connected_within_days: int = field(metadata={"tighter": "higher"})
    """A connected conversation this recent means the debtor can be reached."""
    citation: str = ""
    evidence: Evidence = "S"
    connected_resets: bool = True
    """A connected conversation ends a run of failures (they must be consecutive)."""


@dataclass(frozen=True)
class CarrierSign:
    """An SMS sent through a domestic carrier route must reach the handset signed
    【sign】 (the registered sender's name): the body's own leading 【…】, or the one the
    channel adds (an approved-template channel's ``sign_name``); no other 【…】 in the
    text, where it passes for a sign
    (:class:`notifysdk.compliance.rules.carrier.CarrierSignRule`). A channel is on a
    domestic route when it says so (``content_traits``: ``carrier_route = "cn"`` or a
    ``sign_name``) or is named in ``channels`` (a lender's plain gateway channel)."""

    citation: str
    evidence: Evidence = "S"
    channels: frozenset[str] = frozenset()
    """Channels that declare nothing yet deliver through a domestic port, so the body
    itself must carry the sign."""
    media: frozenset[str] = frozenset({"sms"})
    destinations: tuple[str, ...] = ("+86",)
    """Number prefixes the carriers' rules cover (mainland China's domestic SMS)."""
    min_chars: int = 2
    max_chars: int = 16


@dataclass(frozen=True)
class CarrierOptOut:
    """The carriers' opt-out wording (拒收请回复R, 退订回T...) on the notice kinds that
    need it: ``kinds`` empty by default, because a collection notice is a notification
    (通知类), not a commercial SMS; a lender's profile lists its marketing kinds
    (:class:`notifysdk.compliance.rules.carrier.CarrierOptOutRule`)."""

    patterns: tuple[str, ...]
    """Regexes of accepted wordings (any one)."""
    citation: str
    evidence: Evidence = "S"
    kinds: frozenset[str] = frozenset()
    media: frozenset[str] = frozenset({"sms"})
    destinations: tuple[str, ...] = ("+86",)
    """Number prefixes the carriers' rules cover (mainland China's domestic SMS)."""


@dataclass(frozen=True)
class CarrierLinks:
    """Links in an SMS only to domains registered for it: ``registered_domains`` here
    (the lender's) and the channel's own (its ``content_traits``); subdomains count
    (:class:`notifysdk.compliance.rules.carrier.CarrierLinksRule`)."""

    citation: str
    evidence: Evidence = "S"
    registered_domains: tuple[str, ...] = ()
    media: frozenset[str] = frozenset({"sms"})
    destinations: tuple[str, ...] = ("+86",)
    """Number prefixes the carriers' rules cover (mainland China's domestic SMS)."""


@dataclass(frozen=True)
class CreditReportSpec:
    """The credit-report step (kind ``credit_report``) needs a delivered
    ``credit_report_prenotice`` for the same debt on record, and where ``wait_days`` is
    set, ``wait_days`` whole days after the date it went (in every plausible zone)
    (:class:`notifysdk.compliance.rules.states.CreditReportPrenoticeRule`)."""

    citation: str
    evidence: Evidence = "P"
    wait_days: int = field(default=0, metadata={"tighter": "higher"})
    """Whole days after the pre-notice's date before the report may go (0: once it is
    delivered)."""
    wait_citation: str = ""
    conversation_satisfies: bool = False
    """A telephone conversation about the debt on record is the prior communication too,
    with no wait (Reg F 1006.30(a)(1)(i))."""


@dataclass(frozen=True)
class RetentionSpec:
    """How long a credit bureau keeps adverse information, as the pre-notice tells the
    borrower (the number its wording states; a test holds the templates to it)."""

    years: int
    citation: str
    evidence: Evidence = "S"
