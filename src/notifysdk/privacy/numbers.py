"""Detectors for numbers with a checksum or a structure: Chinese resident IDs, bank cards.

Every pattern runs on :func:`~notifysdk.privacy.text.fold`-ed text (full-width digits
become ASCII, spans unchanged) and bounds numbers with digit look-arounds — ``\\b`` does
not work next to Chinese characters, which are word characters too. Groups joined by
wider separators (``110101/19900307/1234``, ``6222  0213  8001  3800``) come from
:func:`~notifysdk.privacy.text.spaced_stretches`.

**Cards fail closed in card context.** Outside any context a card needs both an issuer
prefix that fits its length and a valid Luhn digit (precision: order and tracking numbers
are 13–19 digits too). Right after a card word (``卡号``, ``银行卡``, ``信用卡``,
``储蓄卡``, ``card``, ``card no.``, ``card number``, ``UnionPay``... at most
:data:`CONTEXT_WINDOW` characters before the digits, none of them a digit or the end of a
sentence) the Luhn check is enough, in any grouping (:func:`is_card_in_context`):
UnionPay issues 16–19 digits under prefixes no table is complete for. A number failing
Luhn after ``卡号`` is still masked, as the account number the label makes it
(:mod:`.accounts`). A resident ID stays a resident ID wherever it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate

from stdnum import luhn, numdb
from stdnum.cn import ric

from .birth_dates import is_birth_date
from .findings import Finding, KnownValues
from .prescan import Prescan, may_space, number_stretches
from .text import CASE_ODD, fold, spaced_stretches

# Province-level prefixes of the administrative division code (GB/T 2260), plus the
# residence permits of Hong Kong (81), Macao (82) and Taiwan (71, 83) residents.
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36"}
    | {"37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62"}
    | {"63", "64", "65", "71", "81", "82", "83"}
)
_SEP = "[ -]?"
_ID18 = re.compile(rf"(?<![0-9])[1-9](?:{_SEP}[0-9]){{16}}{_SEP}[0-9Xx](?![0-9])")
_ID15 = re.compile(rf"(?<![0-9])[1-9](?:{_SEP}[0-9]){{14}}(?![0-9Xx])")
_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[ -][0-9]+)*(?![0-9])")
# Where an ID (15+ characters) or a card (13+) can be: one character-class scan, far
# cheaper than the patterns above, which then run only inside what it finds. They are
# searched only inside the prescan's number stretches (see _STRETCH_TAIL).
_ID_AREA = re.compile(r"[0-9][0-9 -]{13,}[0-9Xx]")
_CARD_AREA = re.compile(r"[0-9][0-9 -]{11,}[0-9]")
_GROUP = re.compile(r"[0-9]+")
_STRETCH_TAIL = frozenset(" \t()+./-")
"""The number punctuation a stretch of :func:`~.prescan.number_stretches` may go on with
after its last digit (the prescan's separators).

The area patterns are searched only inside those stretches (the prescan measured them:
a text's prose costs no scan). Every area is digits, spaces and dashes from a digit, all
of it number punctuation, so it lies in one stretch from the stretch's first digit on
and has no more digits than the stretch; the ID area may end with an ``X`` just after
the stretch's punctuation, so its search reads up to the character after that. Neither
pattern looks behind: searched from a stretch's first digit, they find what a search of
the whole text finds there."""

_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
CONTEXT_WINDOW = 16
"""How many characters may stand between a card word and the digits it names."""
_CONTEXT_WORDS = (
    r"卡号|卡號|银行卡|銀行卡|信用卡|储蓄卡|儲蓄卡|借记卡|借記卡|贷记卡|貸記卡|银联|銀聯"
    r"|(?i:card|union\s*pay|visa|amex|\bpan\b)"
)
# A card word, then up to CONTEXT_WINDOW characters that are neither digits nor the end
# of a sentence, up to the digits (searched with ``endpos`` at their start, so ``\Z`` is
# right before them).
_CARD_CONTEXT = re.compile(rf"(?:{_CONTEXT_WORDS})[^0-9。；;！？!?\n]{{0,{CONTEXT_WINDOW}}}\Z")
_CONTEXT_REACH = CONTEXT_WINDOW + 12  # the longest card word ("union pay") and then some
_ID_LENGTHS = frozenset({15, 18})
_CARD_LENGTHS = frozenset(range(13, 20))
_DOUBLED = str.maketrans("0123456789", "0246813579")
"""Each digit doubled, its two digits summed (Luhn's step for every second digit)."""


def _luhn(digits: str) -> bool:
    """``luhn.is_valid(digits)``, several times as fast for ASCII digits (stdnum builds a
    tuple of alphabet indexes and sums generators); anything else goes to stdnum. The
    digits are summed as their ASCII codes, each 48 more than the digit (one ``sum``
    over bytes, not an ``int`` per digit)."""
    if not (digits.isascii() and digits.isdigit()):
        return bool(luhn.is_valid(digits))
    back = digits[::-1]
    total = sum(back[::2].encode()) + sum(back[1::2].translate(_DOUBLED).encode())
    return (total - 48 * len(back)) % 10 == 0


def _compact(s: str) -> str:
    return s.replace(" ", "").replace("-", "").upper()


@lru_cache(maxsize=4096)
def is_resident_id(number: str) -> bool:
    """True for a valid 18-character Chinese resident ID (compact form): province,
    birth date and ISO 7064 check digit (``X`` included), via python-stdnum."""
    if len(number) != 18 or number[:2] not in _PROVINCES or not number[:17].isdigit():
        return False
    if not is_birth_date(int(number[6:10]), int(number[10:12]), int(number[12:14])):
        return False
    return ric.calc_check_digit(number) == number[-1]


@lru_cache(maxsize=4096)
def county_in_use(area: str, first: int = 1984, last: int = 1999) -> bool:
    """True when python-stdnum's division-code table has ``area`` (6 digits) as a county
    in use at some point between ``first`` and ``last`` (legacy IDs were issued then; the
    code is where the person registered, so their birth year does not matter)."""
    try:
        results = numdb.get("cn/loc").info(area)
    except (KeyError, ValueError):
        return False
    counties = [props["county"] for _part, props in results if "county" in props]
    for county in ",".join(counties).split(","):
        if not county:
            continue
        if not county.startswith("["):
            return True
        start, _, end = county[1:].split("]", 1)[0].partition("-")
        if (not start or int(start) <= last) and (not end or int(end) >= first):
            return True
    return False


@lru_cache(maxsize=4096)
def is_legacy_resident_id(number: str) -> bool:
    """True for a plausible 15-digit resident ID (issued 1984–1999): province, a
    19YYMMDD birth date and a county code in use while such IDs were issued. There is
    no check digit, so the county code carries the weight."""
    if len(number) != 15 or not number.isdigit() or number[:2] not in _PROVINCES:
        return False
    if not is_birth_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])):
        return False
    return county_in_use(number[:6])


class ResidentIdDetector:
    """Chinese resident ID numbers: 18 characters with a valid date and check digit
    (``X`` included), and the legacy 15-digit form; spaces or dashes may split them, and
    wider separators (two spaces, ``/``, ``.``) between whole groups — any grouping of an
    18-character ID (the check digit carries it), 6-6-3 for a legacy one."""

    name = "cn-resident-id"
    kind = "national_id"

    def may_find(self, scan: Prescan) -> bool:
        """An ID has fifteen digits at least (seventeen and an ``X``, or a legacy ID)."""
        return scan.digits >= 15

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid ID number in ``text``."""
        folded = fold(text)
        n = len(folded)
        for first, last, digits in number_stretches(folded):
            if digits < 15:  # an 18-character ID has seventeen and its check character
                continue
            until = last
            while until < n and folded[until] in _STRETCH_TAIL:
                until += 1
            for area in _ID_AREA.finditer(folded, first, until + 1):  # + 1: a final X
                lo, hi = area.start(), area.end() + 1  # + 1: the look-ahead sees what follows
                for m in _ID18.finditer(folded, lo, hi):
                    if is_resident_id(_compact(m.group())):
                        yield Finding(self.kind, m.start(), m.end(), self.name)
                for m in _ID15.finditer(folded, lo, hi):
                    if is_legacy_resident_id(_compact(m.group())):
                        yield Finding(self.kind, m.start(), m.end(), self.name)
        if not may_space(folded):
            return
        for s in spaced_stretches(folded, _ID_LENGTHS):
            if (
                is_resident_id(s.digits)
                if len(s.digits) == 18
                else s.sizes == (6, 6, 3) and is_legacy_resident_id(s.digits)
            ):
                yield Finding(self.kind, s.start, s.end, self.name)


def _iin_length_ok(d: str) -> bool:
    """Does the issuer prefix go with this length? (Visa, Mastercard, Amex, JCB, Diners,
    UnionPay and other 6-series, Maestro, and the 95-prefixed Chinese domestic cards.)

    The prefixes by first digit (each range has one first digit, so the rules are
    those of the one table, in its order, read only as far as they can apply)."""
    n = len(d)
    first = d[0]
    if first == "4":
        return n in (13, 16, 19)
    if first == "6":
        return 13 <= n <= 19
    if first == "5":
        p2 = int(d[:2])
        if 51 <= p2 <= 55:
            return n == 16
        return (p2 == 50 or 56 <= p2 <= 58) and 13 <= n <= 19
    if first == "2":
        return 2221 <= int(d[:4]) <= 2720 and n == 16
    if first == "3":
        p2 = int(d[:2])
        if p2 in (34, 37):
            return n == 15
        if 3528 <= int(d[:4]) <= 3589:
            return 16 <= n <= 19
        return (p2 == 36 or 300 <= int(d[:3]) <= 305) and n in (14, 16)
    if first == "9":
        return d[:2] == "95" and n == 19
    return False


def _card_like(sizes: list[int]) -> bool:
    """Groupings people write cards in: one block, fours (the last shorter), 4-6-5/4-6-4,
    or a 6-digit issuer block then the rest."""
    if len(sizes) == 1:
        return True
    if sizes[:-1].count(4) == len(sizes) - 1 and 1 <= sizes[-1] <= 4:
        return True
    if sizes[:2] == [4, 6] and len(sizes) == 3 and sizes[2] in (4, 5):
        return True
    return len(sizes) == 2 and sizes[0] == 6


@lru_cache(maxsize=4096)
def is_card_number(digits: str) -> bool:
    """13–19 digits with an issuer prefix that fits the length and a valid Luhn check
    digit (python-stdnum); a valid 18-digit resident ID is not a card."""
    if not 13 <= len(digits) <= 19 or not _iin_length_ok(digits):
        return False
    if not _luhn(digits):
        return False
    return not (len(digits) == 18 and is_resident_id(digits))


@lru_cache(maxsize=4096)
def is_card_in_context(digits: str) -> bool:
    """A card number where the text says it is one: 13–19 digits with a valid Luhn digit,
    whatever the issuer prefix; never a valid resident ID (18 characters, or a legacy
    15-digit one: their own detector reports them)."""
    if not 13 <= len(digits) <= 19 or not digits.isdigit():
        return False
    if is_resident_id(digits) or is_legacy_resident_id(digits):
        return False
    return _luhn(digits)


def in_card_context(folded: str, start: int) -> bool:
    """True when a card word stands within :data:`CONTEXT_WINDOW` characters before
    ``start`` in ``folded`` text, with no digit or sentence end in between."""
    lo = max(0, start - _CONTEXT_REACH)
    w = folded[lo:start].lower()
    # Substring checks first: the pattern runs only where a card word may be. 联 or 聯
    # alone (联系方式, 聯絡: contact, in most Chinese texts) is in no card word but 银联;
    # the pattern still runs there where a letter that IGNORECASE matches to an ASCII one
    # besides its two cases stands (a ``visa`` with a dotless i or a long s lower-cases
    # to no ``visa``), as it always has.
    if (
        not ("卡" in w or "card" in w or "银联" in w or "銀聯" in w or "pay" in w or "visa" in w)
        and not ("amex" in w or "pan" in w)
        and not (("联" in w or "聯" in w) and CASE_ODD.search(w) is not None)
    ):
        return False
    return _CARD_CONTEXT.search(folded, lo, start) is not None


class BankCardDetector:
    """Bank card numbers: 13–19 digits passing Luhn, grouped by spaces or dashes or not,
    or by wider separators (two spaces, ``/``, ``.``) in a card's usual groupings; after a
    card word, any grouping of 13–19 digits that passes Luhn or fits an issuer prefix
    (:func:`is_card_in_context`)."""

    name = "bank-card"
    kind = "card"

    def may_find(self, scan: Prescan) -> bool:
        """A card has thirteen digits at least."""
        return scan.digits >= 13

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every card number in ``text``; a run of digit groups is searched for the
        longest card-shaped stretch of whole groups."""
        folded = fold(text)
        for first, last, digits in number_stretches(folded):
            if digits < 13:  # only a run of thirteen digits or more can be a card (below)
                continue
            for area in _CARD_AREA.finditer(folded, first, last):
                for run in _RUN.finditer(folded, area.start(), area.end() + 1):
                    start, end = run.span()
                    if end - start < 13:  # fewer than 13 characters: fewer than 13 digits
                        continue
                    if start and folded[start - 1] in _LETTERS:
                        continue  # JT5014503861557: a tracking number, however Luhn it is
                    body = run.group()
                    if body.isdigit():  # one group (a bare ID or card): what _in_groups decides
                        if end - start <= 19 and (
                            is_card_number(body)
                            or (in_card_context(folded, start) and is_card_in_context(body))
                        ):
                            yield Finding(self.kind, start, end, self.name)
                        continue
                    if len(body) - body.count(" ") - body.count("-") < 13:  # a time stamp, say
                        continue
                    groups = [(m.start() + start, m.end() + start) for m in _GROUP.finditer(body)]
                    yield from self._in_groups(folded, groups)
        if not may_space(folded):
            return
        for s in spaced_stretches(folded, _CARD_LENGTHS):
            if not s.digits.isdigit():
                continue
            if (_card_like(list(s.sizes)) and is_card_number(s.digits)) or (
                in_card_context(folded, s.start) and is_card_in_context(s.digits)
            ):
                yield Finding(self.kind, s.start, s.end, self.name)

    def _in_groups(self, text: str, groups: list[tuple[int, int]]) -> Iterator[Finding]:
        """The longest card stretch of whole groups from each group on. In card context
        (the run's first stretch only), when no stretch is a card by the strict test, the
        longest stretch :func:`is_card_in_context` accepts, in any grouping."""
        context: bool | None = None  # looked up once, when the strict test found nothing
        # Every group's size and digits once; a stretch's are slices of them.
        all_sizes = [e - s for s, e in groups]
        all_digits = "".join([text[s:e] for s, e in groups])
        offsets = list(accumulate(all_sizes, initial=0))
        total_digits = offsets[-1]
        i = 0
        while i < len(groups):
            if total_digits - offsets[i] < 13:
                break  # no stretch from here on has thirteen digits
            best: int | None = None
            loose: int | None = None
            for j in range(i, len(groups)):
                total = offsets[j + 1] - offsets[i]
                if total > 19:
                    break
                if total < 13:
                    continue
                sizes = all_sizes[i : j + 1]
                digits = all_digits[offsets[i] : offsets[j + 1]]
                if _card_like(sizes) and is_card_number(digits):
                    best = j
                elif i == 0 and best is None:
                    if context is None:
                        context = in_card_context(text, groups[0][0])
                    if context and is_card_in_context(digits):
                        loose = j
            if best is None:
                best = loose
            if best is None:
                i += 1
                continue
            yield Finding(self.kind, groups[i][0], groups[best][1], self.name)
            i = best + 1
