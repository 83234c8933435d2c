"""North American numbers (country code 1) checked against phonenumbers' own metadata,
unparsed: ``phonenumbers.is_valid_number`` on ``+1`` and ten digits costs about 30 µs
(it tries the number against up to 25 regions' patterns through many small calls), and
messages rarely repeat a number. :func:`is_nanp_number` makes the same decision from the
same metadata, in the same order, with the patterns compiled once;
``tests/privacy/test_nanp.py`` holds the two to the same answers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from .mainland import _EARLIER_TYPES, _Desc, _desc, _matches

_Region = tuple[re.Pattern[str] | None, _Desc, tuple[_Desc, ...], _Desc, _Desc, bool]
"""(leading digits, general, the types tried before fixed line, fixed line, mobile,
whether mobile and fixed line share one pattern)."""

WRITTEN = re.compile(r"\+1[ -]?([2-9][0-9]{2})[ -]?([0-9]{3})[ -]?([0-9]{4})")
"""A North American number as plainly written (``+1 415-555-0143``). An area code
starts with 2-9, so parsing strips no national prefix: the number is country code 1
and these ten digits."""


@lru_cache(maxsize=1)
def _regions() -> tuple[_Region, ...]:
    out: list[_Region] = []
    for code in COUNTRY_CODE_TO_REGION_CODE[1]:
        meta = PhoneMetadata.metadata_for_region(code.upper(), None)
        if meta is None:  # pragma: no cover - phonenumbers ships every NANP region
            continue
        leading = re.compile(meta.leading_digits) if meta.leading_digits is not None else None
        out.append(
            (
                leading,
                _desc(meta.general_desc),
                tuple(_desc(getattr(meta, name)) for name in _EARLIER_TYPES),
                _desc(meta.fixed_line),
                _desc(meta.mobile),
                bool(meta.same_mobile_and_fixed_line_pattern),
            )
        )
    return tuple(out)


def _has_type(nsn: str, region: _Region) -> bool:
    """phonenumbers' ``_number_type_helper(nsn, metadata) != UNKNOWN``."""
    _leading, general, earlier, fixed, mobile, same = region
    if not _matches(general, nsn):
        return False
    if any(_matches(d, nsn) for d in earlier) or _matches(fixed, nsn):
        return True
    return not same and _matches(mobile, nsn)


_Ten = tuple[re.Pattern[str] | None, tuple[int, ...], tuple[re.Pattern[str] | None, ...]]


@lru_cache(maxsize=1)
def _ten() -> _Ten:
    """For ten digits, what :func:`is_nanp_number` reads, in fewer calls: every leading
    digits pattern in one alternation (each region's a group named by its place, so
    the group that matched is the first region in order whose pattern matches, as the
    loop finds it), the places of the regions without leading digits, and for each
    region one alternation of the patterns of the types tried before fixed line, fixed
    line and (where it has a pattern of its own) mobile that allow ten digits: it
    matches when one of them does (``None``: none can)."""
    regions = _regions()
    led = [(i, r[0]) for i, r in enumerate(regions) if r[0] is not None]
    leading = re.compile("|".join(f"(?P<r{i}>{p.pattern})" for i, p in led)) if led else None
    unled = tuple(i for i, r in enumerate(regions) if r[0] is None)
    typed: list[re.Pattern[str] | None] = []
    for _leading, _general, earlier, fixed, mobile, same in regions:
        descs = [*earlier, fixed] + ([] if same else [mobile])
        patterns = [d[1].pattern for d in descs if d is not None and (not d[0] or 10 in d[0])]
        typed.append(re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None)
    return leading, unled, tuple(typed)


def _ten_has_type(nsn: str, i: int, typed: tuple[re.Pattern[str] | None, ...]) -> bool:
    """:func:`_has_type` of ten digits in region ``i``, its type patterns in one."""
    pattern = typed[i]
    return (
        pattern is not None
        and _matches(_regions()[i][1], nsn)
        and pattern.fullmatch(nsn) is not None
    )


def is_nanp_number(nsn: str) -> bool:
    """``phonenumbers.is_valid_number`` of country code 1 and the national number
    ``nsn`` (ten ASCII digits, the first 2-9): the region is the first whose leading
    digits match, or (for regions without them) the first the number is valid in, as
    ``region_code_for_number`` picks it; then the number must have a type there.

    Ten digits are read through :func:`_ten` (what the loop below decides: a region
    without leading digits before the first whose leading digits match answers yes if
    the number has a type there, and that first region answers)."""
    if len(nsn) == 10:
        leading, unled, typed = _ten()
        m = leading.match(nsn) if leading is not None else None
        if m is None or m.lastgroup is not None:
            first = len(typed) if m is None or m.lastgroup is None else int(m.lastgroup[1:])
            for i in unled:
                if i < first and _ten_has_type(nsn, i, typed):
                    return True
            return first < len(typed) and _ten_has_type(nsn, first, typed)
    for region in _regions():
        leading = region[0]
        if leading is not None:
            if leading.match(nsn):
                return _has_type(nsn, region)
        elif _has_type(nsn, region):
            return True
    return False


__all__ = ["WRITTEN", "is_nanp_number"]
