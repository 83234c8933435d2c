"""The summons interview (约谈) a campaign's summons letter invites the borrower to.

A summons is an invitation to the institution's office, not a booking made by call, so a
campaign takes its interview from configuration: the visitletter channel's section of
the settings (``[notifysdk.channels.visitletter]``)::

    summons_office = "上海市浦东新区世纪大道100号 12楼 客户服务中心"
    summons_staff = [
        {name = "李明", staff_id = "S-3001"},
        {name = "王强", staff_id = "S-3002"},
    ]
    summons_lead_days = 7        # default 7: the interview is at least this many days ahead
    summons_time = "10:00"       # default 10:00, local to the debtor

The slot is the first working day at least ``summons_lead_days`` after the run's local
date in the debtor's zone, at ``summons_time``, that passes :func:`~.hours.check_slot`
under the default window (:data:`~.hours.WINDOWS`) of each of the notice's profiles:
inside the hours, not a weekend or holiday. The ``visit-hours`` rule checks it again at
send time with the compliance engine's windows and any overrides. Two staff of the
roster attend, chosen by the account so that the roster shares the interviews.

Settings errors name the setting, never its value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifysdk.plugin import Account, ConfigurationError

from .hours import VisitWindow, check_slot
from .visit import MIN_STAFF, StaffMember

SECTION = "visitletter"
"""The channel section read when the notice's own channel section has no summons keys."""
DEFAULT_LEAD_DAYS = 7
DEFAULT_TIME = time(10, 0)
SEARCH_DAYS = 60
"""How many days past the lead a working day inside the hours is looked for."""
KEYS = ("summons_office", "summons_staff", "summons_lead_days", "summons_time")


@dataclass(frozen=True)
class SummonsConfig:
    """Where and when summons interviews take place, and who may attend."""

    office: str
    staff: tuple[StaffMember, ...]
    lead_days: int = DEFAULT_LEAD_DAYS
    at: time = DEFAULT_TIME

    def attending(self, account: Account) -> tuple[StaffMember, ...]:
        """The :data:`~.visit.MIN_STAFF` staff for ``account``'s interview: consecutive
        roster entries from a stable, account-derived start."""
        digest = hashlib.sha256(account.account_id.encode()).digest()
        start = int.from_bytes(digest[:4], "big") % len(self.staff)
        count = min(MIN_STAFF, len(self.staff))
        return tuple(self.staff[(start + i) % len(self.staff)] for i in range(count))


def _line(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{field}: required, a non-empty string")
    if any(c in value for c in "\r\n\x00"):
        raise ConfigurationError(f"{field}: must be a single line")
    return value.strip()


def _staff(raw: Any, field: str) -> tuple[StaffMember, ...]:
    if not isinstance(raw, list | tuple):
        raise ConfigurationError(f"{field}: must be a list of {{name, staff_id}} tables")
    out: list[StaffMember] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            raise ConfigurationError(f"{field}[{i}]: must be a table with name and staff_id")
        name = _line(entry.get("name"), f"{field}[{i}].name")
        sid = _line(entry.get("staff_id"), f"{field}[{i}].staff_id")
        if sid in seen:
            raise ConfigurationError(f"{field}[{i}].staff_id: the same staff ID appears twice")
        seen.add(sid)
        out.append(StaffMember(name, sid))
    if len(out) < MIN_STAFF:
        raise ConfigurationError(
            f"{field}: lists {len(out)} staff; an interview needs at least {MIN_STAFF} "
            "named staff with staff IDs (CBA 2026 Art. 22)"
        )
    return tuple(out)


def _lead_days(raw: Any, field: str) -> int:
    if raw is None:
        return DEFAULT_LEAD_DAYS
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 90:
        raise ConfigurationError(f"{field}: must be a whole number 1-90")
    return raw


def _time(raw: Any, field: str) -> time:
    if raw is None:
        return DEFAULT_TIME
    if isinstance(raw, time):
        value = raw
    elif isinstance(raw, str):
        try:
            value = time.fromisoformat(raw)
        except ValueError:
            raise ConfigurationError(f"{field}: must be HH:MM") from None
    else:
        raise ConfigurationError(f"{field}: must be HH:MM")
    if value.tzinfo is not None:
        raise ConfigurationError(f"{field}: local time, without a zone")
    return value


def read_summons_config(section: Mapping[str, Any], name: str = SECTION) -> SummonsConfig | None:
    """The summons settings of the channel section ``name``; ``None`` when neither the
    office nor the staff is set. Anything else malformed or incomplete is a
    :class:`ConfigurationError` naming the setting (``channels.visitletter.summons_staff[1]
    .staff_id``), never its value."""
    office, staff = section.get("summons_office"), section.get("summons_staff")
    if office is None and staff is None:
        return None

    def field(key: str) -> str:
        return f"channels.{name}.{key}"

    return SummonsConfig(
        office=_line(office, field("summons_office")),
        staff=_staff(staff, field("summons_staff")),
        lead_days=_lead_days(section.get("summons_lead_days"), field("summons_lead_days")),
        at=_time(section.get("summons_time"), field("summons_time")),
    )


@dataclass(frozen=True)
class SlotRefused:
    """No slot fits: the reason and the numbers compared (no personal data)."""

    profile: str
    reason: str
    numbers: dict[str, str]


def summons_slot(
    now: datetime,
    account: Account,
    windows: Sequence[VisitWindow],
    *,
    lead_days: int = DEFAULT_LEAD_DAYS,
    at: time = DEFAULT_TIME,
) -> datetime | SlotRefused:
    """The interview slot: ``at`` local time on the first working day at least
    ``lead_days`` after ``now``'s date in the debtor's zone (else the first window's first
    zone) that :func:`~.hours.check_slot` allows under ``windows``."""
    if not windows:
        return SlotRefused("*", "no visit hours are known for the account's profiles", {})
    zone = account.debtor.time_zone or next((z for w in windows for z in w.zones), None)
    if zone is None:
        return SlotRefused("*", "no time zone is known for the debtor", {})
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return SlotRefused("*", "the debtor's time zone is unknown", {"zone": zone})
    first = now.astimezone(tz).date() + timedelta(days=lead_days)
    problem = None
    for offset in range(SEARCH_DAYS + 1):
        slot = datetime.combine(first + timedelta(days=offset), at, tzinfo=tz)
        problems = check_slot(slot, windows, account.debtor.time_zone)
        if not problems:
            return slot
        problem = problems[0]
    assert problem is not None
    return SlotRefused(
        problem.profile,
        f"no interview slot at {at:%H:%M} on a working day within {SEARCH_DAYS} days "
        f"from {first.isoformat()}: {problem.reason}",
        problem.numbers,
    )
