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
    "CapSpec",
    "LintSpec",
    "QuietSpec",
    "RecipientSpec",
    "Requirement",
    "StateSpec",
    "WindowSpec",
    "ZoneSpec",
]

Evidence = Literal["P", "S", "R", "policy"]

CONTACT_MEDIA = frozenset({"sms", "email", "voice", "call_script"})
PHONE_MEDIA = frozenset({"sms", "voice", "call_script"})
CALL_MEDIA = frozenset({"voice", "call_script"})


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
