"""An account's values expanded into the forms people write them in.

One expansion for every path: the dispatcher (``KnownValues.from_account`` and
``from_notice``) and ``notifysdk redact --known`` (``KnownValues.expand``) both call
:func:`expand`, so a preview finds exactly what a send finds.

- a name: also its given name (张伟 → 伟, matched only in context; 欧阳娜娜 → 娜娜), the
  parts of a dotted minority name (阿依·古丽 → 阿依, 古丽), the parts of a Latin name
  (Alex Smith → Alex, Smith);
- a phone number in E.164: also its national number (+8613800138000 → 13800138000).

Forms that need no new string are the matcher's business, not this module's: case,
width, Traditional characters, spacing, JSON escapes (:mod:`.normalize`), the
components of an address (:mod:`.addresses`), the many ways to write an amount
(:mod:`.money`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

from .names import name_variants


def expand(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``pairs`` (kind, value) followed by the variants of each."""
    out: list[tuple[str, str]] = []
    for kind, value in pairs:
        out.append((kind, value))
        if kind == "name" or kind == "phone":
            out += variants(kind, value)
    return out


@lru_cache(maxsize=4096)
def variants(kind: str, value: str) -> tuple[tuple[str, str], ...]:
    """The variants :func:`expand` adds after a name or a phone number (cached per
    value, bounded: the name and the number of one person are asked for with each of
    the person's accounts and notices)."""
    if kind == "name":
        return tuple(("name", v) for v in name_variants(value))
    national = national_number(value)
    return (("phone", national),) if national else ()


_MAINLAND_MOBILE = re.compile(r"\+861[3-9][0-9]{9}")
"""A mainland mobile number in E.164, as written on nearly every account: its national
number is the 11 digits after +86 (phonenumbers strips no prefix from them: CN's only
candidate, the carrier code 179xx, would leave six digits, a length no CN number has;
checked against phonenumbers for every seven-digit prefix, see the tests)."""


@lru_cache(maxsize=4096)
def national_number(e164: str) -> str:
    """The national significant number of an international number (+8613800138000 →
    13800138000), or '' when ``e164`` is not one."""
    if _MAINLAND_MOBILE.fullmatch(e164) is not None:
        return e164[3:]  # without parsing: a tenth of the time
    if not e164.strip().startswith("+"):
        return ""
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        return ""
