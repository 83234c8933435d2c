"""Template filters for letters: the letter number and the visit time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_datetime

from notifysdk.plugin import Notice

from .visit import parse_slot

PREFIX = {"visit_letter": "VL", "summons_letter": "SL"}


def letter_number(notice: Notice) -> str:
    """A stable letter number from the notice: ``VL-20260105-3F2A9C1B``.

    The date is the account's as-of date; the suffix comes from the idempotency key, so
    re-rendering the same notice gives the same number.
    """
    from notifysdk_callscript.plans import as_of

    prefix = PREFIX.get(notice.kind.value, "LT")
    key = notice.idempotency_key.removeprefix("nk_")[:8].upper()
    return f"{prefix}-{as_of(notice.account):%Y%m%d}-{key}"


def visit_time(value: Any, locale: str = "en") -> str:
    """A slot (ISO string or aware datetime) in its own zone, in the locale's style."""
    slot: datetime = parse_slot(value)
    loc = locale.replace("-", "_")
    pattern = "y年M月d日 EEEE HH:mm" if loc.startswith("zh") else "EEEE d MMMM y, HH:mm"
    return format_datetime(slot, pattern, tzinfo=slot.tzinfo, locale=loc) + (
        f" (UTC{slot:%z})" if not loc.startswith("zh") else f"（UTC{slot:%z}）"
    )
