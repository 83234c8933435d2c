"""What a visit or summons letter needs beyond the account: the slot and the staff.

Read from ``notice.data``::

    {"visit": {"slot": "2026-01-12T10:00:00+08:00", "place": "..."},
     "staff": [{"name": "王强", "staff_id": "S-1001"}, {"name": "李娜", "staff_id": "S-1002"}]}

Malformed data raises a typed :class:`~notifysdk.errors.InvalidInputError` naming the
field (``notice.data.staff[1].staff_id``) and never its value. *Fewer than two* staff
is not malformed: it is refused by the ``visit-staff`` rule with its citation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notifysdk.plugin import InvalidInputError, NaiveDatetimeError

MIN_STAFF = 2
"""At least two named collectors on a visit (CBA 2026 Art. 22)."""


@dataclass(frozen=True)
class StaffMember:
    """One visiting staff member: a name and a staff ID (shown to the borrower)."""

    name: str
    staff_id: str


@dataclass(frozen=True)
class VisitDetails:
    """The slot (time-zone aware), optional place, and the staff."""

    slot: datetime
    place: str | None
    staff: tuple[StaffMember, ...]


def _text(value: Any, field: str, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInputError(field, "required and must not be empty")
        return None
    if not isinstance(value, str):
        raise InvalidInputError(field, "must be a string")
    if any(c in value for c in "\r\n\x00"):
        raise InvalidInputError(field, "must be a single line")
    return value.strip()


def parse_slot(value: Any, field: str = "notice.data.visit.slot") -> datetime:
    """An aware datetime from a datetime or an ISO 8601 string."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(field, "must be an ISO 8601 date and time") from None
    if not isinstance(value, datetime):
        raise InvalidInputError(field, "required: an ISO 8601 date and time with a time zone")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(field, "must carry a time zone (naive datetimes are refused)")
    return value


def parse_staff(raw: Any) -> tuple[StaffMember, ...]:
    """The staff list; each entry needs a name and a unique staff ID."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidInputError("notice.data.staff", "must be a list of {name, staff_id}")
    out: list[StaffMember] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        field = f"notice.data.staff[{i}]"
        if not isinstance(entry, Mapping):
            raise InvalidInputError(field, "must be an object with name and staff_id")
        name = _text(entry.get("name"), f"{field}.name")
        sid = _text(entry.get("staff_id"), f"{field}.staff_id")
        assert name is not None and sid is not None
        if sid in seen:
            raise InvalidInputError(f"{field}.staff_id", "the same staff ID appears twice")
        seen.add(sid)
        out.append(StaffMember(name, sid))
    return tuple(out)


def parse_visit(data: Mapping[str, Any]) -> VisitDetails:
    """Read and check the visit details of a notice's ``data``."""
    visit = data.get("visit")
    if not isinstance(visit, Mapping):
        raise InvalidInputError("notice.data.visit", "required: an object with slot (and place)")
    return VisitDetails(
        slot=parse_slot(visit.get("slot")),
        place=_text(visit.get("place"), "notice.data.visit.place", required=False),
        staff=parse_staff(data.get("staff")),
    )
