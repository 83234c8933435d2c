"""The known-value detector: an account's own values, found however they are written.

Both sides are in the normal form of :mod:`.normalize` (case, width, Traditional
characters, spacing between CJK characters, JSON escapes), so 張 偉, ＺＨＡＮＧ and
``\\u5f20\\u4f1f`` are 张伟, zhang and 张伟; spans map back to the original text.

- Names and other strings: plain substring search (``str.find``), Latin values not
  inside a longer word or number. A given name of one character (伟), or one that is
  an everyday word (国庆), only in context: 小伟, 阿伟, 伟哥, 伟伟.
- Amounts: any amount :mod:`.money` reads whose value is one of the account's (3500块,
  三千五百元, 1,234.5), and the bare number itself (1234.50, 1234.5; a whole amount of
  100 or more also as 5000 / 五千) unless it counts something (5000步, 第5000).
- Addresses: by components (:mod:`.addresses`).

Everything an account needs is built once per set of values (``lru_cache``); nothing
is compiled per account or per text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from .addresses import Address, ChineseAddress, EnglishAddress, normal_address_matchers
from .findings import Finding, KnownValues
from .labels import lowered
from .money import counts_after, scan
from .names import GIVEN_PREFIXES, GIVEN_SUFFIXES, WORD_GIVEN_NAMES
from .normalize import has_cjk, is_cjk, normalize, normalize_value, simplified_map
from .numerals import NUMERAL_CHARS, chinese_forms, parse_number
from .prescan import Prescan

DETECTOR = "known-values"
GIVEN_NAME_DETECTOR = "known-values/given-name"
"""The detector name on a finding of a given name alone (伟强, 小伟): its first
character is not a surname, so a mask that keeps the first character would show it."""


_DIGITS = frozenset(string.digits)
_WORD = frozenset(string.ascii_lowercase + string.digits)


_GUARDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(string.ascii_letters, _WORD),
    **dict.fromkeys(string.digits, _DIGITS),
}
"""Each ASCII letter or digit and the characters that must not touch it (a table: the
index asks for two per needle of every new account)."""


class _Needle(NamedTuple):
    """One plain value to look for (a tuple: a tenth of a frozen dataclass's cost to
    build, and ``find`` unpacks it)."""

    text: str
    kind: str
    left: frozenset[str] | None
    right: frozenset[str] | None
    detector: str = DETECTOR

    def __repr__(self) -> str:
        return object.__repr__(self)  # never the value


@dataclass(frozen=True, slots=True, repr=False)
class KnownIndex:
    """What the detector looks for on behalf of one set of known values."""

    needles: tuple[_Needle, ...] = ()
    """Plain values, longest first."""
    given: tuple[str, ...] = ()
    """Given names found only in context."""
    amounts: frozenset[Decimal] = frozenset()
    amount_forms: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    """The bare forms of each amount (1234.50, 1234.5, 1,234.50; 5000, 五千), after the
    strings one of which each form contains (the pre-filter)."""
    addresses: tuple[Address, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to look for."""
        return not (self.needles or self.given or self.amounts or self.addresses)


_PLAIN_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,14})\.[0-9]{2}")
"""An account's amount as :meth:`~.findings.KnownValues.from_account` writes it (1234.50):
normal form already, and :func:`~.money.scan` reads it as itself (checked for every such
value below 3,000.00 and 100,000 random ones up to 15 digits)."""


def _amount_value(value: str) -> Decimal | None:
    if _PLAIN_AMOUNT.fullmatch(value) is not None:
        return Decimal(value)
    norm = normalize_value(value)
    found = scan(norm)
    if found:
        return found[0].value
    parsed = parse_number(norm.replace(" ", ""))
    return parsed.value if parsed is not None and parsed.positional else None


_Forms = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


@lru_cache(maxsize=4096)
def _amount_forms(value: Decimal) -> _Forms:
    """The (keys, forms) groups of one amount (cached per value, bounded: equal Decimals
    such as 1234.5 and 1234.50 give the same forms)."""
    written = str(value)
    if _PLAIN_AMOUNT.fullmatch(written) is not None:  # as an account's amounts are
        return _plain_forms(written)
    return _decimal_forms(value)


def _decimal_forms(value: Decimal) -> _Forms:
    """:func:`_amount_forms` of any amount."""
    whole = int(value)
    keys = (str(whole), f"{whole:,}")
    forms = [f"{value:.2f}", f"{value:,.2f}"]
    if value == whole and whole >= 100:
        forms += [str(whole), f"{whole:,}"]
        chinese = [((f,), (f,)) for f in chinese_forms(whole, by_digit=False)]
    else:
        chinese = []
        if value != whole:
            short = format(value.normalize(), "f")
            forms += [short, f"{Decimal(short):,}"]
    arabic = tuple(sorted(dict.fromkeys(forms), key=len, reverse=True))
    return ((tuple(dict.fromkeys(keys)), arabic), *chinese)


def _plain_forms(written: str) -> _Forms:
    """:func:`_decimal_forms` of the amount ``written`` as :data:`_PLAIN_AMOUNT` (1234.50),
    from its digits: every account has new amounts, and formatting a Decimal five ways
    costs several times more (the same groups for every such amount up to 12,000.00
    and 900,000 random ones up to 15 digits; see the tests)."""
    units, cents = written.split(".")
    whole = int(units)
    grouped = f"{whole:,}"
    keys = (units, grouped) if whole >= 1000 else (units,)
    forms = [written, f"{grouped}.{cents}"]
    chinese: tuple[str, ...] = ()
    if cents == "00":
        if whole >= 100:
            forms += [units, grouped]
            chinese = chinese_forms(whole, by_digit=False)
    else:
        short = cents.rstrip("0")
        forms += [f"{units}.{short}", f"{grouped}.{short}"]
    arabic = tuple(sorted(dict.fromkeys(forms), key=len, reverse=True))
    return ((keys, arabic), *(((f,), (f,)) for f in chinese))


def _covers(a: Address, b: Address) -> bool:
    """True when matcher ``a`` finds everything ``b`` finds (so ``b`` can go)."""
    if isinstance(a, ChineseAddress) and isinstance(b, ChineseAddress):
        return a.covers(b)
    if isinstance(a, EnglishAddress) and isinstance(b, EnglishAddress):
        return a.covers(b)
    return False


class _Entry(NamedTuple):
    """What one (kind, value) pair adds to an index: an amount, a given name found only
    in context, or address matchers and a plain needle (named fields, built once per
    value)."""

    amount: Decimal | None
    given: str | None
    matchers: tuple[Address, ...]
    key: tuple[str, str] | None
    """(normal form, kind) of the needle: values that normalise alike share it."""
    needle: _Needle | None
    """The plain needle, its detector :data:`DETECTOR` (a name's may change with the
    account's other names, see :func:`_detector_of`)."""
    han_name: bool
    """A name with a CJK character: the one kind :func:`_detector_of` compares."""


_new = tuple.__new__


def normal_value(value: str) -> str:
    """:func:`~.normalize.normalize_value` of ``value``; a printable ASCII value without
    an escape or a double space (an account's ids, numbers, e-mails, English addresses)
    is only stripped and lower-cased, which is all the normal form does to one (no
    ASCII character folds, is Traditional or lowers to two; its only whitespace is the
    space, and no run of two), without the value cache: such values are new with every
    account."""
    if value.isascii() and value.isprintable() and "\\u" not in value and "  " not in value:
        return value.strip().lower()
    return normalize_value(value)


@lru_cache(maxsize=4096)
def _entry(pair: tuple[str, str]) -> _Entry | None:
    """The contribution of one pair to :func:`index_of` (cached per value, bounded:
    nearly every value of an account but its id and address, such as the amounts, the
    institution's hotline or a common name, was some earlier account's too), or
    ``None`` when it adds nothing."""
    kind, value = pair
    if kind == "amount":
        amount = _amount_value(value)
        if amount is not None and amount > 0:
            return _Entry(amount, None, (), None, None, False)
    norm = normal_value(value)
    if not norm:
        return None
    if kind == "name" and has_cjk(norm) and (len(norm) == 1 or norm in WORD_GIVEN_NAMES):
        return _Entry(None, norm, (), None, None, False)
    matchers: tuple[Address, ...] = ()
    if kind == "address":
        matchers = normal_address_matchers(norm)
        if len(norm) < 4:
            return _Entry(None, None, matchers, None, None, False) if matchers else None
    if len(norm) < 2:
        return _Entry(None, None, matchers, None, None, False) if matchers else None
    guard = _GUARDS.get
    # Both built from their fields in order (what their constructors do, without
    # reading arguments by name): a new account has several new values.
    needle = _new(_Needle, (norm, kind, guard(norm[0]), guard(norm[-1]), DETECTOR))
    han_name = kind == "name" and has_cjk(norm)
    return _new(_Entry, (None, None, matchers, (norm, kind), needle, han_name))


@lru_cache(maxsize=1024)
def index_of(values: tuple[tuple[str, str], ...]) -> KnownIndex:
    """The index for a set of (kind, value) pairs (cached: an account's values are
    asked for on every text of every notice)."""
    plain: dict[tuple[str, str], _Needle] = {}
    given: dict[str, None] = {}
    amounts: dict[Decimal, None] = {}
    addresses: dict[Address, None] = {}
    han_names: list[str] = []
    names = 0
    for pair in values:
        entry = _entry(pair)
        if entry is None:
            continue
        amount, name, matchers, key, needle, han_name = entry
        if amount is not None:
            amounts[amount] = None
            continue
        if name is not None:
            given[name] = None
            continue
        for matcher in matchers:
            addresses[matcher] = None
        if needle is not None and key is not None and key not in plain:
            plain[key] = needle
            if key[1] == "name":
                names += 1
                if han_name:
                    han_names.append(key[0])
    ordered = sorted(plain.values(), key=_needle_length, reverse=True)  # stable
    if han_names and names > 1:  # only a name can end another, longer one
        ordered = [_given_detector(n, han_names) for n in ordered]
    forms: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for a in amounts:
        forms += _amount_forms(a)
    matchers = tuple(addresses)
    if len(matchers) < 2:
        kept = matchers
    elif len(matchers) == 2:
        kept = _uncovered_pair(*matchers)
    else:
        # Covering needs two matchers of one language: skip the pairwise loop without them.
        zh = sum(isinstance(a, ChineseAddress) for a in matchers)
        kept = matchers if zh < 2 and len(matchers) - zh < 2 else _uncovered(list(matchers))
    return KnownIndex(
        tuple(ordered),
        tuple(given),
        frozenset(amounts),
        tuple(forms),
        kept,
    )


def _needle_length(needle: _Needle) -> int:
    return len(needle[0])


def _given_detector(needle: _Needle, han_names: list[str]) -> _Needle:
    """``needle`` with the detector :func:`_detector_of` gives it among ``han_names``."""
    if needle.kind != "name":
        return needle
    detector = _detector_of(needle.text, "name", han_names)
    if detector == needle.detector:
        return needle
    return needle._replace(detector=detector)


def _uncovered_pair(a: Address, b: Address) -> tuple[Address, ...]:
    """:func:`_uncovered` of two matchers (an account's address and its street line)."""
    if type(a) is not type(b):
        return (a, b)
    if _covers(a, b):
        return (a,)
    if _covers(b, a):
        return (b,)
    return (a, b)


def _uncovered(matchers: list[Address]) -> tuple[Address, ...]:
    """The matchers no other one covers (of two that cover each other, the first)."""
    kept = []
    for i, a in enumerate(matchers):
        for j, b in enumerate(matchers):
            if j != i and type(b) is type(a) and _covers(b, a) and (j < i or not _covers(a, b)):
                break
        else:
            kept.append(a)
    return tuple(kept)


def _detector_of(text: str, kind: str, han_names: list[str]) -> str:
    """A Han name that ends a longer known name (伟强 of 张伟强) is a given name: its
    findings say so, so the mask does not keep its first character."""
    if kind == "name" and any(len(n) > len(text) and n.endswith(text) for n in han_names):
        return GIVEN_NAME_DETECTOR
    return DETECTOR


# -- the pre-filter ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Probe:
    """What a text must hold for the detector to find anything in it: one of ``pieces``
    in its folded, lower-cased form, or one of the characters of ``chars``. ``always``:
    no cheap test (addresses, a value with neither a CJK character nor a Latin piece)."""

    always: bool
    pieces: tuple[str, ...] = ()
    chars: re.Pattern[str] | None = None
    few: tuple[str, ...] | None = None
    """The characters of ``chars`` when they are :data:`_FEW` or fewer (a name's
    first character and its Traditional forms): a substring test for each is cheaper
    than the search, whose class of a few CJK characters the engine checks one by one."""


_FEW = 4


@lru_cache(maxsize=1)
def _traditional_of() -> dict[str, str]:
    """For each Simplified character, the Traditional ones :func:`~.normalize.normalize`
    maps to it (its only way to turn one CJK character into another)."""
    out: dict[str, str] = {}
    for a, b in simplified_map().items():
        out[chr(b)] = out.get(chr(b), "") + chr(a)
    return out


def _written_as(ch: str) -> str:
    """Every character that normalises to the CJK character ``ch`` (itself and its
    Traditional forms: folding and lower case leave CJK characters alone)."""
    return ch + _traditional_of().get(ch, "")


_ASCII_DIGITS = "0123456789" + "".join(chr(0xFF10 + i) for i in range(10))  # and full-width


def _probe_for(index: KnownIndex) -> _Probe:
    """The pre-filter of ``index``. Exact, never an estimate: the normal form changes
    a text one character for one (folding, Traditional to Simplified, lower case), turns
    whitespace runs into one space, drops whitespace and dots between CJK characters,
    and decodes JSON escapes (texts with ``\\u`` are always searched). So a needle's
    CJK character stands in the text as itself or a Traditional form, and a Latin piece
    of a needle without whitespace stands in the text folded and lower-cased as it is
    (no character of it was dropped, and only ASCII letters, full-width forms, the
    Kelvin sign and a dotted capital I lower-case or fold to ASCII: :func:`str.lower`
    maps them alike or to more)."""
    if index.addresses:
        return _Probe(always=True)
    pieces: list[str] = []
    chars: list[str] = []
    for text in [n.text for n in index.needles] + list(index.given):
        han = next((c for c in text if is_cjk(c)), None)
        if han is not None:
            chars.append(_written_as(han))
            continue
        latin = max(re.findall(r"[!-~]+", text), key=len, default="")
        if not latin:
            return _Probe(always=True)
        pieces.append(latin)
    if index.amounts:  # money needs a digit or a Chinese numeral
        chars.append(_ASCII_DIGITS)
        chars.extend(_written_as(c) for c in NUMERAL_CHARS if is_cjk(c))
        chars.extend(c for c in NUMERAL_CHARS if not is_cjk(c))
    found = "".join(sorted(set("".join(chars))))
    pattern = re.compile("[" + re.escape(found) + "]") if found else None
    few = tuple(found) if found and len(found) <= _FEW else None
    return _Probe(False, tuple(dict.fromkeys(pieces)), pattern, few)


@lru_cache(maxsize=1024)
def probe_of(values: tuple[tuple[str, str], ...]) -> _Probe:
    """:func:`_probe_for` the index of ``values`` (cached like :func:`index_of`)."""
    return _probe_for(index_of(values))


_Values = tuple[tuple[str, str], ...]

_last_probe: tuple[_Values, _Probe] | None = None
"""The values the gate last asked about and their probe: the same values object on
every text of a notice, found by identity (the cache hashes the whole tuple)."""

_last_index: tuple[_Values, KnownIndex] | None = None
"""Likewise the values ``find`` last searched for and their index (the leak guard
searches each window it looks at again)."""


def _probe_for_values(values: _Values) -> _Probe:
    """:func:`probe_of` ``values``, the last answer kept by identity (see
    :data:`_last_probe`)."""
    global _last_probe
    last = _last_probe  # one read: another thread may replace it
    if last is not None and last[0] is values:
        return last[1]
    probe = probe_of(values)
    _last_probe = (values, probe)
    return probe


def _index_for_values(values: _Values) -> KnownIndex:
    """:func:`index_of` ``values``, the last answer kept by identity (see
    :data:`_last_index`)."""
    global _last_index
    last = _last_index
    if last is not None and last[0] is values:
        return last[1]
    index = index_of(values)
    _last_index = (values, index)
    return index


class KnownValuesDetector:
    """Finds an account's own values (names, ids, numbers, addresses, amounts) in
    whatever form they are written (see the module)."""

    name = DETECTOR

    def may_find(self, scan: Prescan) -> bool:
        """Some value's CJK character or Latin piece (or an amount's digit) in the text;
        always when the known values were not given to the scan."""
        known = scan.known
        if known is None:
            return True
        if not known.values:
            return False
        probe = _probe_for_values(known.values)
        text = scan.text
        if probe.always or ("\\" in text and "\\u" in text):
            return True
        if probe.few is not None:
            for c in probe.few:
                if c in text:
                    return True
        elif probe.chars is not None and probe.chars.search(text) is not None:
            return True
        if probe.pieces:
            low = lowered(scan.folded)
            for piece in probe.pieces:  # a loop, not any(): no generator per text
                if piece in low:
                    return True
        return False

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every occurrence of every known value, spans into ``text``."""
        index = _index_for_values(known.values)
        if index.empty:
            return
        norm = normalize(text)
        hay = norm.text
        size = len(hay)
        spans: list[tuple[str, int, int, str]] = []
        for value, kind, left, right, detector in index.needles:  # inline: most are absent
            at = hay.find(value)
            while at != -1:
                end = at + len(value)
                if not (
                    (left and at > 0 and hay[at - 1] in left)
                    or (right and end < size and hay[end] in right)
                ):
                    spans.append((kind, at, end, detector))
                at = hay.find(value, at + 1)
        for name in index.given:
            at = hay.find(name)
            while at != -1:
                end = at + len(name)
                if at > 0 and hay[at - 1] in GIVEN_PREFIXES:
                    spans.append(("name", at - 1, end, GIVEN_NAME_DETECTOR))
                elif hay.startswith(GIVEN_SUFFIXES, end) or hay.startswith(name, end):
                    spans.append(("name", at, end + 1, GIVEN_NAME_DETECTOR))
                at = hay.find(name, at + 1)
        if index.amounts:
            self._amounts(hay, index, spans)
        for address in index.addresses:
            spans.extend(("address", s, e, DETECTOR) for s, e in address.find(hay))
        for kind, start, end, detector in spans:
            s, e = norm.span(start, end)
            yield Finding(kind, s, e, detector)

    def _amounts(self, hay: str, index: KnownIndex, spans: list[tuple[str, int, int, str]]) -> None:
        for amount in scan(hay):
            if amount.value in index.amounts:
                spans.append(("amount", amount.start, amount.end, DETECTOR))
        for keys, forms in index.amount_forms:
            for key in keys:  # a loop, not any(): this runs on every text
                if key in hay:
                    break
            else:
                continue
            for form in forms:
                at = hay.find(form)
                while at != -1:
                    end = at + len(form)
                    if _bare_amount(hay, at, end, numeral=form[0] in NUMERAL_CHARS):
                        spans.append(("amount", at, end, DETECTOR))
                    at = hay.find(form, at + 1)


def _groups_on(hay: str, at: int, end: int) -> bool:
    """Could the comma before ``hay[at:end]`` group thousands into it (``1,234.50``)?
    Only when a digit stands before the comma and the value starts with at most three
    digits before its own comma or decimal point."""
    if at < 2 or not hay[at - 2].isdigit():
        return False
    lead = 0
    while at + lead < end and hay[at + lead].isdigit():
        lead += 1
    return lead <= 3


def _grouping_follows(hay: str, at: int, end: int) -> bool:
    """Could the comma after ``hay[at:end]`` continue it (``1,234`` then ``,567``)? Not
    after a decimal part, and only before exactly three digits."""
    if "." in hay[at:end]:
        return False
    group = hay[end + 1 : end + 4]
    return len(group) == 3 and group.isdigit() and not hay[end + 4 : end + 5].isdigit()


def _bare_amount(hay: str, at: int, end: int, *, numeral: bool) -> bool:
    """True when ``hay[at:end]`` is the whole number, and not a count or an ordinal."""
    before = hay[at - 1] if at else ""
    after = hay[end] if end < len(hay) else ""
    if numeral:
        if (before and before in NUMERAL_CHARS) or (
            after and (after in NUMERAL_CHARS or after == "点")
        ):
            return False
    else:
        if before == "," and not _groups_on(hay, at, end):
            before = ""  # a CSV cell's separator, not a thousands separator
        if before and (before in "0123456789.,*" or (before.isascii() and before.isalpha())):
            return False
        if after and (after.isdigit() or after == "*"):
            return False
        if after == "." and end + 1 < len(hay) and hay[end + 1].isdigit():
            return False
        if after == "," and _grouping_follows(hay, at, end):
            return False
    if before == "第":
        return False
    return not counts_after(hay, end)
