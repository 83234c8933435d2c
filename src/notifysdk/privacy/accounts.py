"""Detectors for bank accounts (kind ``bank_account``): IBANs, checked with python-stdnum
(country format and ISO 7064 mod 97-10), and other account numbers where a label says
what they are (``银行账号``, ``账户``, ``Account No.``, ``Acct #``, ``sort code ... account``).

An account number has no check digit, so only a label makes one: digits after ``账号``
that another built-in detector already reads as something else (a Luhn-valid card, a
resident ID, a mobile number) are left to that detector.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from stdnum import iban

from .findings import Finding, KnownValues
from .labels import labelled, standalone
from .numbers import BankCardDetector, ResidentIdDetector
from .phones import ChineseMobileDetector
from .prescan import Prescan
from .text import fold

_IBAN_VALUE = (
    r"[A-Z][A-Z][0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)"
    r"(?![A-Za-z0-9])"
)
"""The country code is written ``[A-Z][A-Z]``, not ``[A-Z]{2}``: a pattern whose first
item is a single character class lets the engine skip in C to its characters (a
repeat does not), which the gate's whole-text search needs; the two match alike."""
_IBAN = re.compile(rf"(?P<value>{_IBAN_VALUE})")
_IBAN_LABELLED = labelled(("iban",), _IBAN_VALUE, value_flags="i")
_MIN_IBAN = 15  # Norway's


@lru_cache(maxsize=4096)
def is_iban(value: str) -> bool:
    """True for an IBAN python-stdnum accepts: a known country, that country's length
    and format, and the mod 97-10 check digits (spaces and case do not matter)."""
    return iban.is_valid(value)


def _valid_prefix(value: str) -> int:
    """The length of the longest whole-group prefix of ``value`` that is a valid IBAN
    (a word written after a grouped IBAN may have been swallowed as its last group),
    or 0."""
    while len(value.replace(" ", "")) >= _MIN_IBAN:
        if is_iban(value):
            return len(value)
        cut = value.rfind(" ")
        if cut < 0:
            return 0
        value = value[:cut]
    return 0


class IbanDetector:
    """IBANs, compact (``GB29NWBK60161331926819``) or grouped in fours
    (``DE89 3704 0044 0532 0130 00``), in capitals anywhere, any case after ``IBAN``."""

    name = "iban"
    kind = "bank_account"

    def may_find(self, scan: Prescan) -> bool:
        """A bare IBAN's shape (the whole pattern, one search: order codes such as
        ``DD2024…`` start like one but are too short), or the label."""
        return scan.shape(_IBAN) or scan.labelled(_IBAN_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid IBAN in ``text``."""
        folded = fold(text)
        seen: set[int] = set()
        bare = standalone(_IBAN, folded)
        for h in (*bare, *_IBAN_LABELLED.finditer(folded)):
            start = h.start
            length = _valid_prefix(h.value)
            if length and start not in seen:
                seen.add(start)
                yield Finding(self.kind, start, start + length, self.name)


_ACCOUNT_LABELLED = labelled(
    (
        "账号",
        "帐号",
        "账户",
        "帐户",
        "賬號",
        "帳號",
        "賬戶",
        "帳戶",
        "卡号",
        "卡號",
        "存折",
        "account",
        "acct",
        "a/c",
    ),
    # One block of 8-30 digits, or groups of 3-6 (``6222 0213 8001 3800 123``); a group
    # of two (a sort code ``12-34-56``, a date ``2026-03-07``) does not continue a value.
    r"(?:[0-9]{3,6}(?:[ -][0-9]{3,6})+|[0-9]{8,30})(?![0-9])",
    suffix=r"(?:号码|號碼|号|號|number|no\.?|num\.?|#)",
    # ``QQ账号`` / ``微信账号`` name an IM account: the IM detector's.
    not_after=("qq", "qq ", "微信", "wechat", "wechat ", "抖音"),
)
_MIN_DIGITS, _MAX_DIGITS = 8, 30
_OTHERS = (BankCardDetector(), ResidentIdDetector(), ChineseMobileDetector())
_NO_KNOWN = KnownValues()


@lru_cache(maxsize=4096)
def claimed_elsewhere(value: str) -> bool:
    """True when a card, resident-ID or mobile detector reads the whole of ``value``:
    a number after ``账号`` that is one of those is reported as that, not twice."""
    return any(
        f.start == 0 and f.end == len(value)
        for detector in _OTHERS
        for f in detector.find(value, _NO_KNOWN)
    )


class BankAccountDetector:
    """Bank account numbers after an account label (``银行账号``, ``收款账户``,
    ``卡号``, ``Account No.``, ``Acct #``, ``A/C``): 8-30 digits, in one block or in
    groups; not Luhn cards, resident IDs or mobiles (their own detectors report those)."""

    name = "bank-account"
    kind = "bank_account"

    def may_find(self, scan: Prescan) -> bool:
        """An account label (there is no bare form)."""
        return scan.labelled(_ACCOUNT_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every labelled account number in ``text``."""
        for h in _ACCOUNT_LABELLED.finditer(fold(text)):
            value = h.value
            digits = sum(c.isdigit() for c in value)
            if _MIN_DIGITS <= digits <= _MAX_DIGITS and not claimed_elsewhere(value):
                yield Finding(self.kind, h.start, h.end, self.name)
