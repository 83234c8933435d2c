"""A reusable scanner: is any raw personal value present in a pile of texts?

Build a :class:`PiiScanner` from the raw values (or from accounts), feed it every text
an observer could see — log lines, audit entries, ledger records, outcome reasons,
exception messages, CLI output — each under a source label, and assert
``scanner.hits == []``. A hit names the source and the kind of value, never the value.

The lead extends the end-to-end scan to more sources (the campaign CLI) with
``scanner.add(source, text)`` or the ``add_*`` helpers.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from notifysdk.ledger.base import Ledger
from notifysdk.models import Account, Outcome, Person, PostalAddress


@dataclass(frozen=True)
class Hit:
    """A raw value of ``kind`` found in ``source`` (the value itself is not kept)."""

    source: str
    kind: str
    context: str
    """The surrounding text with the value replaced by ``<KIND>``."""


def spellings(kind: str, value: str) -> set[str]:
    """The ways one raw value may be written: as given, and for phones E.164, national
    digits, 3-4-4 with spaces or dashes; IDs in both cases of ``X``."""
    out = {value}
    if kind == "phone":
        try:
            number = phonenumbers.parse(value, "CN")
        except phonenumbers.NumberParseException:
            return out
        nsn = str(number.national_number)
        out |= {nsn, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}
        if len(nsn) == 11:
            out |= {f"{nsn[:3]} {nsn[3:7]} {nsn[7:]}", f"{nsn[:3]}-{nsn[3:7]}-{nsn[7:]}"}
    elif kind == "national_id":
        out |= {value.upper(), value.lower()}
    return {s for s in out if len(s) >= 2}


def person_values(person: Person) -> list[tuple[str, str]]:
    """A person's raw values: name, national ID, every contact point, address lines."""
    values = [("name", person.name)]
    if person.national_id:
        values.append(("national_id", person.national_id))
    for c in person.contacts:
        if isinstance(c, PostalAddress):
            values.extend(("address", line) for line in c.lines)
        else:
            values.append((c.kind, c.value))
    return values


def account_values(account: Account, *, amounts: bool = True) -> list[tuple[str, str]]:
    """An account's raw values: its people's, the loan id, and (optionally) amounts."""
    values = [("loan_id", account.loan_id)]
    for person in (account.debtor, *(p.person for p in account.parties)):
        values.extend(person_values(person))
    if amounts:
        for amount in (account.overdue_amount, account.total_due, account.principal):
            values.extend([("amount", f"{amount:,.2f}"), ("amount", f"{amount:.2f}")])
    return values


@dataclass
class PiiScanner:
    """Collects texts by source and reports where raw values appear."""

    values: Sequence[tuple[str, str]]
    hits: list[Hit] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)
    """How many texts were scanned per source (so a test can check it saw something)."""

    def __post_init__(self) -> None:
        needles: dict[str, str] = {}
        for kind, value in self.values:
            for s in spellings(kind, value):
                needles.setdefault(s.lower(), kind)
        # Longest first, so a hit inside a longer hit is reported once.
        self._needles = sorted(needles.items(), key=lambda kv: -len(kv[0]))

    @classmethod
    def for_accounts(cls, accounts: Iterable[Account], *, amounts: bool = True) -> PiiScanner:
        """A scanner for every raw value of ``accounts``."""
        return cls([v for a in accounts for v in account_values(a, amounts=amounts)])

    def add(self, source: str, text: str | None) -> None:
        """Scan one text seen by an observer under ``source``."""
        self.sources[source] = self.sources.get(source, 0) + 1
        if not text:
            return
        # Plain substring search (Latin names in any case); a number must not be part of
        # a longer number.
        lowered = text.lower()
        taken: list[tuple[int, int]] = []
        for needle, kind in self._needles:
            start = lowered.find(needle)
            while start != -1:
                end = start + len(needle)
                if not (
                    _digit_joined(lowered, start, end, needle)
                    or any(a <= start < b for a, b in taken)
                ):
                    taken.append((start, end))
                    context = text[max(0, start - 30) : start] + f"<{kind.upper()}>"
                    self.hits.append(Hit(source, kind, context + text[end : end + 30]))
                start = lowered.find(needle, start + 1)

    def add_log_records(self, records: Iterable[logging.LogRecord], source: str = "log") -> None:
        """Every record as a handler would print it: message, exception and stack text."""
        formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
        for record in records:
            self.add(source, formatter.format(record))

    def add_outcomes(self, outcomes: Iterable[Outcome], source: str = "outcome") -> None:
        """Every outcome in full (reason, rule, receipt...)."""
        for outcome in outcomes:
            self.add(source, outcome.model_dump_json())

    async def add_ledger(self, ledger: Ledger, keys: Iterable[str], source: str = "ledger") -> None:
        """Every audit entry, and each key's record — except the attempts' destination
        (``to``), which the ledger holds by design to deliver and reconcile."""
        for entry in await ledger.audit_entries():  # type: ignore[attr-defined]
            self.add(f"{source}.audit", json.dumps(_plain(entry), ensure_ascii=False, default=str))
        for key in keys:
            record = await ledger.get(key)
            if record is None:
                continue
            doc = _plain(record)
            for attempt in doc.get("attempts", []):
                attempt.pop("to", None)
            self.add(f"{source}.record", json.dumps(doc, ensure_ascii=False, default=str))

    def report(self) -> str:
        """One line per hit (no values), for assertion messages."""
        return "\n".join(f"{h.source}: {h.kind} in …{h.context}…" for h in self.hits)


def _digit_joined(text: str, start: int, end: int, needle: str) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return (needle[0].isdigit() and before.isdigit()) or (needle[-1].isdigit() and after.isdigit())


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj
