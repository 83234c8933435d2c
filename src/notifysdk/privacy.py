"""Privacy: find personal data in text, mask it to what a channel and role may carry,
and refuse (fail closed) any message that still carries more.

Detectors are plugins (``notifysdk_register_detectors``). The :class:`Redactor` runs
every detector, masks each finding according to the disclosure level, and the leak guard
runs the detectors again on the result: anything still found that the level does not
allow blocks the notice with reason ``privacy``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .channels import DISCLOSURE_ORDER, Disclosure
from .models import Account, Role


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text: its kind and span (never its value)."""

    kind: str
    start: int
    end: int
    detector: str


@dataclass(frozen=True)
class KnownValues:
    """Values known to be personal for one account, found verbatim by the known-values
    detector: names, national IDs, numbers, addresses, loan ids, amounts."""

    values: tuple[tuple[str, str], ...] = ()
    """(kind, value) pairs."""

    @classmethod
    def from_account(cls, account: Account | None) -> KnownValues:
        """Collect the personal values of an account, its debtor and its parties."""
        if account is None:
            return cls()
        pairs: list[tuple[str, str]] = [("loan_id", account.loan_id)]
        people = [account.debtor, *(p.person for p in account.parties)]
        for person in people:
            pairs.append(("name", person.name))
            if person.national_id:
                pairs.append(("national_id", person.national_id))
            for c in person.contacts:
                pairs.append((c.kind, c.value))
        for amount in {account.overdue_amount, account.principal, account.total_due}:
            if amount > 0:
                pairs.append(("amount", f"{amount:.2f}"))
                pairs.append(("amount", f"{amount:,.2f}"))
        return cls(tuple((k, v) for k, v in pairs if v and len(v) >= 2))


@runtime_checkable
class Detector(Protocol):
    """Finds personal data in text."""

    name: str

    def find(self, text: str, known: KnownValues) -> Iterable[Finding]:
        """Every finding in ``text`` (spans into ``text``)."""
        ...


# What each disclosure level may carry unmasked. Everything else is masked.
ALLOWED_KINDS: dict[Disclosure, frozenset[str]] = {
    Disclosure.FULL: frozenset({"name", "address", "loan_id", "amount", "phone", "email"}),
    Disclosure.LIMITED: frozenset({"amount"}),
    Disclosure.NONE: frozenset(),
}

# Kinds whose mere presence (even masked) is a leak at a level: a third party must not
# learn an amount or a loan exists at all.
FORBIDDEN_EVEN_MASKED: dict[Disclosure, frozenset[str]] = {
    Disclosure.FULL: frozenset(),
    Disclosure.LIMITED: frozenset(),
    Disclosure.NONE: frozenset({"amount", "loan_id", "national_id", "card"}),
}

ROLE_DISCLOSURE: dict[Role, Disclosure] = {
    Role.DEBTOR: Disclosure.FULL,
    Role.GUARANTOR: Disclosure.FULL,
    Role.ATTORNEY: Disclosure.FULL,
    Role.EMERGENCY_CONTACT: Disclosure.NONE,
    Role.THIRD_PARTY: Disclosure.NONE,
}


def effective_disclosure(channel_level: Disclosure, role: Role) -> Disclosure:
    """The lower of what the channel tolerates and what the recipient's role may know."""
    role_level = ROLE_DISCLOSURE.get(role, Disclosure.NONE)
    return min(channel_level, role_level, key=DISCLOSURE_ORDER.index)


def mask_value(kind: str, value: str) -> str:
    """Mask one value in the house style: 张**, 138****8000, **** **** **** 1234."""
    compact = value.replace(" ", "").replace("-", "")
    if kind == "name":
        return value[:1] + "*" * max(1, len(value) - 1) if value else value
    if kind == "phone":
        digits = [c for c in compact if c.isdigit()]
        if len(digits) >= 7:
            return "".join(digits[-11:-8]) + "****" + "".join(digits[-4:])
        return "****"
    if kind == "card":
        return "**** **** **** " + compact[-4:]
    if kind == "national_id":
        return compact[:1] + "*" * (len(compact) - 2) + compact[-1:] if len(compact) > 2 else "**"
    if kind == "email":
        local, _, domain = value.partition("@")
        return (local[:1] + "***@" + domain) if domain else "***"
    if kind == "loan_id":
        return "*" * max(0, len(value) - 4) + value[-4:]
    return "*" * len(value) if len(value) <= 8 else "********"


@dataclass(frozen=True)
class Redaction:
    """The result of masking one text."""

    text: str
    findings: tuple[Finding, ...]
    leaks: tuple[Finding, ...] = field(default=())

    @property
    def clean(self) -> bool:
        """True when the leak guard found nothing this level may not carry."""
        return not self.leaks


def _merge(findings: Iterable[Finding]) -> list[Finding]:
    """Drop findings overlapping a longer (earlier-starting) one."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


class Redactor:
    """Masks text down to a disclosure level using a set of detectors."""

    def __init__(self, detectors: Sequence[Detector]) -> None:
        self.detectors = tuple(detectors)

    def find(self, text: str, known: KnownValues | None = None) -> list[Finding]:
        """Every finding, overlaps resolved."""
        known = known or KnownValues()
        return _merge(f for d in self.detectors for f in d.find(text, known))

    def mask(
        self, text: str, level: Disclosure, known: KnownValues | None = None
    ) -> Redaction:
        """Mask everything ``level`` may not carry, then run the leak guard on the result."""
        known = known or KnownValues()
        findings = self.find(text, known)
        allowed = ALLOWED_KINDS[level]
        parts: list[str] = []
        pos = 0
        for f in findings:
            if f.kind in allowed:
                continue
            parts.append(text[pos : f.start])
            parts.append(mask_value(f.kind, text[f.start : f.end]))
            pos = f.end
        parts.append(text[pos:])
        masked = "".join(parts)
        # A third party must not learn that an amount or a loan exists, masked or not.
        forbidden = FORBIDDEN_EVEN_MASKED[level]
        leaks = [f for f in findings if f.kind in forbidden]
        leaks.extend(self.leaks(masked, level, known))
        return Redaction(masked, tuple(findings), tuple(leaks))

    def leaks(self, text: str, level: Disclosure, known: KnownValues | None = None) -> list[Finding]:
        """Findings in ``text`` that ``level`` may not carry (the fail-closed guard)."""
        allowed = ALLOWED_KINDS[level]
        forbidden = FORBIDDEN_EVEN_MASKED[level]
        out = []
        for f in self.find(text, known):
            if f.kind in forbidden or f.kind not in allowed:
                out.append(f)
        return out

    def mask_for_log(self, text: str, known: KnownValues | None = None) -> str:
        """Mask every finding (logs and the audit trail carry no raw personal data)."""
        return self.mask(text, Disclosure.NONE, known).text


class KnownValuesDetector:
    """Finds an account's own values (names, ids, numbers, amounts) verbatim in text."""

    name = "known-values"

    def find(self, text: str, known: KnownValues) -> Iterable[Finding]:
        """Every occurrence of every known value."""
        for kind, value in known.values:
            start = text.find(value)
            while start != -1:
                yield Finding(kind, start, start + len(value), self.name)
                start = text.find(value, start + len(value))
