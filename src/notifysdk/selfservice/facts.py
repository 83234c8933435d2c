"""What a visitor confirms before the page shows anything about the debt.

Each fact is read from the notice's stored account (never from the link) and compared
in constant time with what the visitor typed, after the same normalisation (spaces and
dashes dropped, upper case):

- ``national_id_last4``: the last four characters of the recipient's national ID;
- ``birth_year``: the year of birth in a Chinese resident ID (GB 11643, read with
  python-stdnum), else the notice's ``data["birth_year"]``;
- ``postal_code``: the postal code of the recipient's first address.

A fact the record does not hold makes online verification impossible for that notice
(the page then gives the hotline): a missing fact never lowers the bar.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping

from ..models import Notice, PostalAddress
from .settings import Fact

_NOISE = re.compile(r"[\s\-_.]+")
MAX_ANSWER = 32
"""A longer answer is wrong without comparing it."""


def _normal(text: str) -> str:
    return _NOISE.sub("", text).upper()


def _ric_year(value: str) -> str | None:
    # not cached: a cache would keep national IDs in memory for no gain
    from stdnum.cn import ric

    try:
        return str(ric.get_birth_date(ric.compact(value)).year) if ric.is_valid(value) else None
    except Exception:  # stdnum raises its own ValidationError subclasses
        return None


def expected(fact: Fact, notice: Notice) -> str | None:
    """The normalised value of ``fact`` for ``notice``'s recipient, or ``None``."""
    person = notice.recipient.person
    if fact == "national_id_last4":
        nid = _normal(person.national_id or "")
        return nid[-4:] if len(nid) >= 4 else None
    if fact == "birth_year":
        year = _ric_year(person.national_id) if person.national_id else None
        if year is None:
            raw = notice.data.get("birth_year")
            year = str(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
        return year if year is not None and len(year) == 4 else None
    if fact == "postal_code":
        for contact in person.contacts:
            if isinstance(contact, PostalAddress) and contact.postal_code:
                return _normal(contact.postal_code)
        return None
    raise ValueError(f"unknown fact {fact!r}")


def available(facts: tuple[Fact, ...], notice: Notice) -> bool:
    """Whether every fact in ``facts`` is on record for ``notice``."""
    return all(expected(f, notice) is not None for f in facts)


def matches(facts: tuple[Fact, ...], notice: Notice, answers: Mapping[str, str]) -> bool:
    """Whether ``answers`` (fact name → what the visitor typed) match every fact. Every
    fact is compared, in constant time, whatever the earlier ones gave."""
    ok = True
    for fact in facts:
        want = expected(fact, notice)
        given = _normal(answers.get(fact, "")[:MAX_ANSWER])
        same = want is not None and hmac.compare_digest(want.encode(), given.encode())
        ok = ok and same
    return ok
