"""Detectors for government-issued numbers other than the mainland resident ID: US Social
Security numbers, UK National Insurance numbers, Hong Kong, Macao and Taiwan identity
cards, and passports and travel permits. All report kind ``national_id``.

Where a number has a check digit or allocation rules it is checked (python-stdnum for
SSNs; the published HKID and Taiwan check digits and HMRC's NINO prefix rules, which
python-stdnum does not have). A shape is reported without a label only when it is
specific enough on its own (``123-45-6789``, ``AB 12 34 56 C``, ``A123456(3)``,
``A123456789`` with its check digit); everything else needs a label (``SSN``, ``护照``,
``澳门身份证`` ...). Patterns run on folded text; spans are the number's only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from stdnum.us import ssn

from .findings import Finding, KnownValues
from .labels import ASCII_ALNUM, Hit, labelled, standalone
from .prescan import Prescan
from .text import fold

_ID_SUFFIX = r"(?:号码|號碼|字号|字號|号|號|card|no\.?|number|num\.?|#)"
"""What follows an ID label: ``护照号码``, ``Macau ID card No.``, ``Passport #``."""


_NOT_COMPACT = re.compile(r"[\s()/-]")


def _compact(value: str) -> str:
    return _NOT_COMPACT.sub("", value).upper()


def _spans(kind: str, name: str, hits: Iterable[Hit]) -> Iterator[Finding]:
    """One finding per distinct value span (labelled and unlabelled paths may agree)."""
    seen: set[tuple[int, int]] = set()
    for h in hits:
        span = (h.start, h.end)
        if span not in seen:
            seen.add(span)
            yield Finding(kind, span[0], span[1], name)


# --- US Social Security numbers -------------------------------------------------------

_SSN_DASHED = re.compile(r"(?P<value>[0-9]{3}-[0-9]{2}-[0-9]{4})(?![0-9A-Za-z-])")
_SSN_LEFT = ASCII_ALNUM | {"-"}
_SSN_HINT = re.compile(r"-[0-9]{2}-[0-9]{4}")
"""Cheap (a literal first character) where the full pattern is not."""
_SSN_LABELLED = labelled(
    ("ssn", "social security", "社会安全号", "社會安全號", "社安号", "社会安全卡号"),
    r"[0-9]{3}[ -]?[0-9]{2}[ -]?[0-9]{4}(?![0-9])",
    suffix=r"(?:number|no\.?|#|码|碼)",
)


@lru_cache(maxsize=4096)
def is_ssn(digits: str) -> bool:
    """True for nine digits python-stdnum accepts as an SSN (area not 000, 666 or 9xx,
    group not 00, serial not 0000, not a known advertising number)."""
    return len(digits) == 9 and digits.isdigit() and ssn.is_valid(digits)


class UsSsnDetector:
    """US Social Security numbers: ``123-45-6789`` anywhere; nine digits, or other
    spacings, only after a label (``SSN``, ``Social Security No.``, ``社会安全号``)."""

    name = "us-ssn"
    kind = "national_id"

    def may_find(self, scan: Prescan) -> bool:
        """The dashed shape's hint, or a label."""
        return scan.shape(_SSN_HINT) or scan.labelled(_SSN_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid SSN in ``text``."""
        folded = fold(text)
        hint = _SSN_HINT.search(folded)
        dashed = standalone(_SSN_DASHED, folded, _SSN_LEFT) if hint else iter(())
        candidates = (*dashed, *_SSN_LABELLED.finditer(folded))
        valid = (h for h in candidates if is_ssn(_compact(h.value)))
        yield from _spans(self.kind, self.name, valid)


# --- UK National Insurance numbers ----------------------------------------------------

# HMRC: the first letter is not D, F, I, Q, U or V; the second not D, F, I, O, Q, U or V;
# the suffix is A-D.
_NINO_BODY = r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?: ?[0-9]{2}){3}"
_NINO = re.compile(rf"(?P<value>{_NINO_BODY} ?[A-D])(?![A-Za-z0-9])")
_NINO_LABELLED = labelled(
    ("national insurance", "nino", "ni number", "ni no", "国民保险号", "國民保險號"),
    rf"{_NINO_BODY}(?: ?[A-D])?(?![A-Za-z0-9])",
    suffix=r"(?:number|no\.?|#|码|碼)",
    value_flags="i",
)
_NINO_HINT = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2}")
"""How every bare number starts (the allocated prefix letters, then digits): order codes
such as ``DD2024…`` are not even looked at."""
_NINO_COMPACT = re.compile(_NINO_BODY.replace(" ?", "") + "[A-D]?")
_NINO_NOT_ALLOCATED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def is_nino(compact: str) -> bool:
    """True for a National Insurance number in HMRC's format (two prefix letters, six
    digits, an optional A-D suffix) whose prefix is allocated."""
    if _NINO_COMPACT.fullmatch(compact) is None:
        return False
    return compact[:2] not in _NINO_NOT_ALLOCATED


class UkNinoDetector:
    """UK National Insurance numbers: ``AB 12 34 56 C`` / ``AB123456C`` in capitals
    anywhere; any case, or without the suffix letter, after a label (``NI number``,
    ``National Insurance No.``, ``NINO``)."""

    name = "uk-nino"
    kind = "national_id"

    def may_find(self, scan: Prescan) -> bool:
        """Two capitals and two digits (how a bare NINO starts), or a label."""
        return scan.shape(_NINO_HINT) or scan.labelled(_NINO_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid NINO in ``text``."""
        folded = fold(text)
        bare = standalone(_NINO, folded)
        candidates = (*bare, *_NINO_LABELLED.finditer(folded))
        valid = (h for h in candidates if is_nino(_compact(h.value)))
        yield from _spans(self.kind, self.name, valid)


# --- Hong Kong identity cards ---------------------------------------------------------

_ID_LABELS = ("身份证", "身份證", "身分證", "身分证", "证件", "證件", "id card", "identity card")
_HKID = re.compile(r"(?P<value>[A-Z]{1,2}[0-9]{6} ?\([0-9A]\))(?![A-Za-z0-9])")
_HKID_HINT = re.compile(r"\([0-9A]\)")
_HKID_LABELLED = labelled(
    (
        "hkid",
        "hk id",
        "hong kong id",
        "hong kong identity card",
        "香港身份证",
        "香港身份證",
        *_ID_LABELS,
    ),
    r"[A-Z]{1,2}[0-9]{6}(?: ?\([0-9A]\)|[0-9A])(?![A-Za-z0-9])",
    suffix=_ID_SUFFIX,
    value_flags="i",
)


_HKID_COMPACT = re.compile(r"([A-Z]{1,2})([0-9]{6})([0-9A])")


@lru_cache(maxsize=4096)
def is_hkid(compact: str) -> bool:
    """True when a Hong Kong identity card number (``A1234563``, ``AB9876543``, the
    check digit without brackets) has the right check digit: the weighted sum of the
    letters (A=10 ... Z=35, a missing first letter 36) and digits, weights 9 down to 2,
    plus the check digit (A=10) is a multiple of 11."""
    m = _HKID_COMPACT.fullmatch(compact)
    if m is None:
        return False
    letters = m.group(1).rjust(2)
    values = [36 if c == " " else ord(c) - 55 for c in letters] + [int(c) for c in m.group(2)]
    total = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True))
    check = m.group(3)
    return (total + (10 if check == "A" else int(check))) % 11 == 0


class HongKongIdDetector:
    """Hong Kong identity cards: ``A123456(3)`` with its check digit anywhere; without
    the brackets, or in lower case, after a label (``HKID``, ``香港身份证``, ``身份证``)."""

    name = "hk-id"
    kind = "national_id"

    def may_find(self, scan: Prescan) -> bool:
        """A bracketed check digit, or a label."""
        return scan.shape(_HKID_HINT) or scan.labelled(_HKID_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every Hong Kong ID number with a valid check digit in ``text``."""
        folded = fold(text)
        bare = standalone(_HKID, folded) if _HKID_HINT.search(folded) else iter(())
        candidates = (*bare, *_HKID_LABELLED.finditer(folded))
        valid = (h for h in candidates if is_hkid(_compact(h.value)))
        yield from _spans(self.kind, self.name, valid)


# --- Macao identity cards -------------------------------------------------------------

# 1234567(8) or 1/234567/8: the first digit is 1, 5 or 7; the check digit's rule is not
# published, so a label is required.
_MACAO_LABELLED = labelled(
    (
        "澳门身份证",
        "澳門身份證",
        "澳门居民身份证",
        "澳門居民身份證",
        "macau id",
        "macao id",
        "macau identity card",
        "macao identity card",
        "bir",
        *_ID_LABELS,
    ),
    r"[157](?:[0-9]{6} ?\([0-9]\)|/[0-9]{6}/[0-9]|[0-9]{7})(?![0-9])",
    suffix=_ID_SUFFIX,
)


class MacaoIdDetector:
    """Macao resident identity cards after a label (``澳门身份证``, ``Macau ID``, ``BIR``,
    ``身份证``): ``1234567(8)``, ``1/234567/8`` or eight digits."""

    name = "mo-id"
    kind = "national_id"

    def may_find(self, scan: Prescan) -> bool:
        """A label (there is no bare form)."""
        return scan.labelled(_MACAO_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every labelled Macao ID number in ``text``."""
        yield from _spans(self.kind, self.name, _MACAO_LABELLED.finditer(fold(text)))


# --- Taiwan identity cards and resident certificates ----------------------------------

_TW_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
"""The published letter codes: A=10 ... H=17, then J=18 ... skipping I, O, W, Z, which
were added later (W=32, Z=33, I=34, O=35)."""
_TW = re.compile(r"(?P<value>[A-Z][12][0-9]{8})(?![A-Za-z0-9])")
_TW_LABELLED = labelled(
    (
        "台湾身份证",
        "臺灣身分證",
        "台灣身分證",
        "统一证号",
        "統一證號",
        "居留证",
        "居留證",
        "taiwan id",
        "national id",
        "arc",
        "ui no",
        *_ID_LABELS,
    ),
    r"[A-Z][1289A-D][0-9]{8}(?![A-Za-z0-9])",
    suffix=_ID_SUFFIX,
    value_flags="i",
)
_TW_DATE_CODE = re.compile(r"[A-Z](?:19[5-9][0-9]|20[0-3][0-9])(?:0[1-9]|1[0-2])")
"""A letter and a year-month (``A2024031501``): a batch or order code as likely as an
ID, so only reported after a label."""


_TW_COMPACT = re.compile(r"[A-Z][1289A-D][0-9]{8}")


@lru_cache(maxsize=4096)
def is_taiwan_id(compact: str) -> bool:
    """True when a Taiwan national ID (``A123456789``), new-style resident certificate
    (second digit 8 or 9) or old-style resident certificate (second character A-D) has
    the right check digit: the letter's two-digit code (weights 1 and 9), the next eight
    characters (weights 8 down to 1; an old-style second letter counts as its code's last
    digit) and the check digit sum to a multiple of 10."""
    if _TW_COMPACT.fullmatch(compact) is None:
        return False
    code = _TW_LETTERS[compact[0]]
    second = compact[1]
    digits = [_TW_LETTERS[second] % 10 if second.isalpha() else int(second)]
    digits += [int(c) for c in compact[2:]]
    total = code // 10 + (code % 10) * 9
    total += sum(d * w for d, w in zip(digits[:8], range(8, 0, -1), strict=True))
    return (total + digits[8]) % 10 == 0


class TaiwanIdDetector:
    """Taiwan national IDs and resident certificates with a valid check digit:
    ``A123456789`` anywhere (unless it reads as a letter and a year-month); old-style
    certificates (``AB12345678``), lower case and year-month look-alikes after a label
    (``身分證``, ``居留證``, ``ARC``)."""

    name = "tw-id"
    kind = "national_id"

    def may_find(self, scan: Prescan) -> bool:
        """The bare shape, or a label."""
        return scan.shape(_TW) or scan.labelled(_TW_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid Taiwan ID number in ``text``."""
        folded = fold(text)
        bare = (h for h in standalone(_TW, folded) if not _TW_DATE_CODE.match(h.value))
        candidates = (*bare, *_TW_LABELLED.finditer(folded))
        valid = (h for h in candidates if is_taiwan_id(_compact(h.value)))
        yield from _spans(self.kind, self.name, valid)


# --- Passports and travel permits -----------------------------------------------------

_PASSPORT_LABELLED = labelled(
    (
        "护照",
        "護照",
        "passport",
        "travel document",
        "travel permit",
        "通行证",
        "通行證",
        "台胞证",
        "台胞證",
        "回乡证",
        "回鄉證",
        "旅行证",
        "旅行證",
    ),
    r"(?:[A-Z]{1,2}[0-9]{6,10}|[0-9]{8,10})(?![A-Za-z0-9])",
    suffix=_ID_SUFFIX,
    value_flags="i",
)


class PassportDetector:
    """Passport and travel-permit numbers after a label (``护照号``, ``Passport No.``,
    ``港澳通行证``, ``台胞证``): one or two letters and 6-10 digits (E12345678,
    EA1234567, PE1234567, K12345678, H1234567801) or 8-10 digits (US, UK, Taiwan)."""

    name = "passport"
    kind = "national_id"

    def may_find(self, scan: Prescan) -> bool:
        """A label (there is no bare form)."""
        return scan.labelled(_PASSPORT_LABELLED)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every labelled passport number in ``text``."""
        yield from _spans(self.kind, self.name, _PASSPORT_LABELLED.finditer(fold(text)))
