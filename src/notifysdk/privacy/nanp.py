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


def is_nanp_number(nsn: str) -> bool:
    """``phonenumbers.is_valid_number`` of country code 1 and the national number
    ``nsn`` (ten ASCII digits, the first 2-9): the region is the first whose leading
    digits match, or (for regions without them) the first the number is valid in, as
    ``region_code_for_number`` picks it; then the number must have a type there."""
    for region in _regions():
        leading = region[0]
        if leading is not None:
            if leading.match(nsn):
                return _has_type(nsn, region)
        elif _has_type(nsn, region):
            return True
    return False


__all__ = ["WRITTEN", "is_nanp_number"]
