"""What a detector returns, what it knows about an account, and the detector contract."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

from ..models import Account, Notice, Person, PostalAddress
from .known import expand, variants
from .normalize import has_cjk

KINDS = (
    "name",
    "national_id",
    "phone",
    "email",
    "card",
    "bank_account",
    "address",
    "loan_id",
    "amount",
    "birth_date",
    "im_handle",
)
"""The kinds of personal data the built-in detectors report. ``national_id`` covers every
government-issued number (resident IDs, SSNs, NI numbers, HK/Macao/Taiwan IDs, passports);
``bank_account`` IBANs and account numbers; ``im_handle`` WeChat/QQ/Telegram handles.
Plugins may add others; an unknown kind is masked wherever it is not explicitly allowed."""


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text: its kind and span (never its value)."""

    kind: str
    start: int
    end: int
    detector: str


@dataclass(frozen=True)
class KnownValues:
    """Values known to be personal for one account, found by the known-values detector
    in whatever form they are written: names, national IDs, numbers, addresses, loan
    ids, amounts. Build it with :meth:`expand` (or :meth:`from_account` /
    :meth:`from_notice`, which call it) so the variants people write are included."""

    values: tuple[tuple[str, str], ...] = ()
    """(kind, value) pairs."""

    @classmethod
    def expand(cls, pairs: Iterable[tuple[str, str]]) -> KnownValues:
        """The values ``pairs`` (kind, value) and their variants (a Chinese name's given
        name, a Latin name's parts, a phone number's national form; see
        :mod:`notifysdk.privacy.known`): the one expansion the dispatcher and
        ``notifysdk redact --known`` share."""
        return cls(_dedupe(expand(pairs)))

    @classmethod
    def from_account(cls, account: Account | None) -> KnownValues:
        """Collect the personal values of an account, its debtor and its parties."""
        if account is None:
            return cls()
        return _account_values(account)

    @classmethod
    def _collect(cls, account: Account) -> KnownValues:
        pairs: list[tuple[str, str]] = [("loan_id", account.loan_id)]
        pairs += _person_pairs(account.debtor)
        for party in account.parties:  # most accounts have none: no tuple, no generator
            pairs += _person_pairs(party.person)
        amounts = {
            account.overdue_amount,
            account.principal,
            account.total_due,
            account.penalty_interest,
        }
        for amount in amounts:
            if amount > 0:
                pairs.append(("amount", f"{amount:.2f}"))
        return cls(_expanded(pairs))

    @classmethod
    def from_notice(cls, notice: Notice) -> KnownValues:
        """The account's values plus the recipient's own (who need not be a party)."""
        base = cls.from_account(notice.account)
        return base.merged(cls.expand(_person_pairs(notice.recipient.person)))

    def merged(self, other: KnownValues | None) -> KnownValues:
        """Both sets of values."""
        if not other or not other.values:
            return self
        return KnownValues(_dedupe([*self.values, *other.values]))


@lru_cache(maxsize=1024)
def _account_values(account: Account) -> KnownValues:
    # Accounts are frozen (hashable); each notice asks for its account's values several
    # times (masking, the leak guard, log redaction, outcome reasons).
    return KnownValues._collect(account)


def _person_pairs(person: Person) -> list[tuple[str, str]]:
    """One person's values as registered (:meth:`KnownValues.expand` adds variants)."""
    pairs = [("name", person.name)]
    if person.national_id:
        pairs.append(("national_id", person.national_id))
    for c in person.contacts:
        if isinstance(c, PostalAddress):
            pairs.append(("address", c.value))
            pairs.extend(("address", line) for line in c.lines if len(line) >= 4)
            chinese = _chinese_order(c)
            if chinese:
                pairs.append(("address", chinese))
            continue
        pairs.append((c.kind, c.value))
    return pairs


def _chinese_order(address: PostalAddress) -> str:
    """A Chinese address the way it is written, province first (广东省深圳市南山区…), or
    '' for an address that is not Chinese."""
    for line in address.lines:  # a loop, not any(): no generator per address
        if has_cjk(line):
            break
    else:
        return ""
    city = address.city
    if has_cjk(city) and city[-1] not in "市州盟区县":
        city += "市"  # 深圳 → 深圳市, so the city parses as one
    region = address.region or ""
    if region and (region in city or city.startswith(region)):
        region = ""  # 北京 / 北京市: a municipality is its own province
    return region + (city if has_cjk(city) else "") + "".join(address.lines)


def _expanded(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """``_dedupe(expand(pairs))`` in one pass, without the list between them (the same
    pairs in the same order: each pair, then its variants, each kept where it is first
    set, the same ones left out)."""
    out: dict[tuple[str, str], None] = {}
    for pair in pairs:
        kind, value = pair
        if value and (len(value) >= 2 or (kind == "name" and has_cjk(value))):
            out[pair] = None
        if kind == "name" or kind == "phone":
            for variant in variants(kind, value):
                v = variant[1]
                if v and (len(v) >= 2 or (kind == "name" and has_cjk(v))):
                    out[variant] = None
    return tuple(out)


def _dedupe(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    out: dict[tuple[str, str], None] = {}  # in order, each once (a key set again stays)
    for kind, value in pairs:
        if not value:
            continue
        # one character says nothing, except a given name (matched only in context)
        if len(value) < 2 and not (kind == "name" and has_cjk(value)):
            continue
        out[(kind, value)] = None
    return tuple(out)


@runtime_checkable
class Detector(Protocol):
    """Finds personal data in text.

    Two optional attributes make a detector cheaper to run (the built-in ones have them;
    see :class:`~notifysdk.privacy.redactor.Redactor`): ``may_find(scan)``, False only
    when ``find`` would find nothing in ``scan.text`` (:mod:`.prescan`), and ``kinds``,
    every kind it reports."""

    name: str

    def find(self, text: str, known: KnownValues) -> Iterable[Finding]:
        """Every finding in ``text`` (spans into ``text``)."""
        ...
