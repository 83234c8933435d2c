"""Mainland China mobile numbers checked against phonenumbers' own metadata, unparsed.

``phonenumbers.parse`` then ``number_type`` costs about 20 µs a number, and messages
rarely repeat a number, so caches do not help. For eleven digits ``1[3-9]…`` (not
``179…``, a carrier prefix that parsing may strip), parsing with region ``CN`` gives
country code 86 and the digits themselves as the national number, so the type is
phonenumbers' own decision on those digits: :func:`is_mainland_mobile` takes it from
the same metadata patterns, in the same order, compiled once. Any other string gets
``None`` and goes to phonenumbers as before. ``tests/privacy/test_mainland.py`` holds
the two to the same answers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from phonenumbers import PhoneMetadata

_PLAIN = re.compile(r"1[3-9][0-9]{9}")
"""Eleven digits that parsing with region CN keeps as they are (see the module)."""
_WRITTEN = re.compile(r"(?P<cc>\+86[ -]?)?(?P<number>1[3-9][0-9](?:[ -]?[0-9]){8})")
"""A mobile number as people plainly write it: ``+86 138 0013 8000``, ``138-0013-8000``."""
_EARLIER_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
"""The types phonenumbers tries before fixed line and mobile (``_number_type_helper``)."""

_Desc = tuple[frozenset[int], re.Pattern[str]] | None


def _desc(desc: object) -> _Desc:
    """A number description as (possible lengths, pattern), or ``None`` when it has no
    pattern (phonenumbers then says it does not match)."""
    pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
    if not pattern:
        return None
    lengths = getattr(desc, "possible_length", ()) or ()
    return frozenset(lengths), re.compile(pattern)


def _matches(desc: _Desc, number: str) -> bool:
    """phonenumbers' ``_is_number_matching_desc``."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(number) not in lengths:
        return False
    return pattern.fullmatch(number) is not None


@lru_cache(maxsize=1)
def _metadata() -> tuple[_Desc, tuple[_Desc, ...], _Desc, _Desc, bool]:
    meta = PhoneMetadata.metadata_for_region("CN")
    if meta is None:  # pragma: no cover - phonenumbers always ships CN
        raise RuntimeError("phonenumbers has no metadata for CN")
    earlier = tuple(_desc(getattr(meta, name)) for name in _EARLIER_TYPES)
    same = bool(meta.same_mobile_and_fixed_line_pattern)
    return _desc(meta.general_desc), earlier, _desc(meta.fixed_line), _desc(meta.mobile), same


_Eleven = tuple[
    re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None
]


def _for_eleven(desc: _Desc) -> re.Pattern[str] | None:
    """``desc``'s pattern where :func:`_matches` would try it on eleven digits; ``None``
    where it says no to any (no description, or possible lengths without 11)."""
    if desc is None or (desc[0] and 11 not in desc[0]):
        return None
    return desc[1]


@lru_cache(maxsize=1)
def _eleven() -> tuple[_Eleven, bool]:
    """The descriptions :func:`is_mainland_mobile` reads, for eleven digits: general,
    the earlier types' patterns in one alternation (it matches when one of them does),
    fixed line and mobile, and whether the last two share one pattern."""
    general, earlier, fixed, mobile, same = _metadata()
    tried = [p.pattern for p in map(_for_eleven, earlier) if p is not None]
    before = re.compile("|".join(f"(?:{p})" for p in tried)) if tried else None
    return (_for_eleven(general), before, _for_eleven(fixed), _for_eleven(mobile)), same


def is_mainland_mobile(digits: str) -> bool | None:
    """Is ``digits`` a mainland mobile number (phonenumbers' type ``MOBILE`` or
    ``FIXED_LINE_OR_MOBILE``)? ``None`` when the answer needs phonenumbers' parser
    (anything but eleven ASCII digits ``1[3-9]…`` outside ``179…``). The descriptions
    are read as :func:`_eleven` has them (the same answers as :func:`_matches` on
    each, in the same order, with fewer calls)."""
    if _PLAIN.fullmatch(digits) is None or digits.startswith("179"):
        return None
    (general, before, fixed, mobile), same = _eleven()
    if general is None or general.fullmatch(digits) is None:
        return False
    if before is not None and before.fullmatch(digits) is not None:
        return False
    is_mobile = mobile is not None and mobile.fullmatch(digits) is not None
    if fixed is not None and fixed.fullmatch(digits) is not None:
        return same or is_mobile
    return not same and is_mobile


def written_mobile(folded: str) -> tuple[bool, str] | None:
    """For a plainly written mainland mobile number (``13800138000``, ``+86 138 0013
    8000``, ``138-0013-8000``; folded): whether it carries ``+86``, and its eleven
    digits. ``None`` for anything else, and for ``179…`` (see the module)."""
    m = _WRITTEN.fullmatch(folded)
    if m is None:
        return None
    digits = m["number"].replace(" ", "").replace("-", "")
    if digits.startswith("179"):
        return None
    return m["cc"] is not None, digits


__all__ = ["is_mainland_mobile", "written_mobile"]
