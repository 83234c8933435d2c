"""When a visit or a summons interview may take place: hours and working days.

Each profile has a window in local time and a holiday calendar. Under several profiles
the strictest wins (the latest start, the earliest end, every calendar's days off). The
local time is the debtor's zone, or, when unknown, every zone the profile assumes (the
slot must be allowed in all of them). Non-working days come from ``chinese-calendar``
for ``cn`` (statutory holidays and the adjusted weekends) and from ``holidays`` for the
US and the UK (public holidays and weekends).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from notifysdk.plugin import ConfigurationError

if TYPE_CHECKING:
    import holidays


@dataclass(frozen=True)
class VisitWindow:
    """Allowed local hours (``start <= t < end``), calendar and default zones, with citation."""

    profile: str
    start: time
    end: time
    calendar: str
    """``cn`` or an ISO country code for the ``holidays`` package (``US``, ``GB``)."""
    zones: tuple[str, ...]
    citation: str


WINDOWS: dict[str, VisitWindow] = {
    "cn": VisitWindow(
        "cn",
        time(8),
        time(22),
        "cn",
        ("Asia/Shanghai",),
        "NIFA 互联网金融贷后催收业务指引 (2024); CBA 2026: no visit 22:00–08:00",
    ),
    "us-regf": VisitWindow(
        "us-regf",
        time(8),
        time(21),
        "US",
        (
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
        ),
        "Reg F 12 CFR 1006.6(b)(1)(i): 08:00–21:00 local time",
    ),
    "us-wa": VisitWindow(
        "us-wa",
        time(7, 30),
        time(21),
        "US",
        ("America/Los_Angeles",),
        "RCW 19.16.250: none before 07:30 or after 21:00",
    ),
    "us-ma": VisitWindow(
        "us-ma",
        time(8),
        time(21),
        "US",
        ("America/New_York",),
        "Reg F 1006.6(b)(1)(i) (Massachusetts adds no earlier hour)",
    ),
    "uk-conc": VisitWindow(
        "uk-conc",
        time(8),
        time(21),
        "GB",
        ("Europe/London",),
        "FCA CONC 7.9: no contact at unreasonable times (lender default 08:00–21:00)",
    ),
}
"""Default windows by profile. A profile of the compliance engine whose params carry a
``visit_window`` (a :class:`VisitWindow`) replaces the default."""


@dataclass(frozen=True)
class SlotProblem:
    """Why a slot is refused: the profile, a reason and the numbers compared."""

    profile: str
    reason: str
    citation: str
    numbers: dict[str, str]


@lru_cache(maxsize=8)
def _country_holidays(country: str, year: int) -> holidays.HolidayBase:
    import holidays  # its country tables load on the first slot checked, not at registration

    return holidays.country_holidays(country, years=year)


def day_off(day: date, calendar: str) -> str | None:
    """Why ``day`` is not a working day under ``calendar``, or ``None``."""
    if calendar == "cn":
        import chinese_calendar  # type: ignore[import-untyped]

        try:
            working = chinese_calendar.is_workday(day)
            _, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            raise ConfigurationError(
                f"chinese-calendar has no data for {day.year}: upgrade the chinese-calendar package"
            ) from None
        if working:
            return None
        return f"statutory holiday ({name})" if name else "weekend"
    if day.weekday() >= 5:
        return "weekend"
    name = _country_holidays(calendar, day.year).get(day)
    return f"public holiday ({name})" if name else None


def check_slot(
    slot: datetime, windows: Sequence[VisitWindow], zone: str | None
) -> list[SlotProblem]:
    """Every reason ``slot`` is not allowed under ``windows`` (empty: allowed)."""
    problems: list[SlotProblem] = []
    for w in windows:
        zones: Iterable[str] = (zone,) if zone else w.zones
        for z in zones:
            local = slot.astimezone(ZoneInfo(z))
            nums = {
                "local_time": local.strftime("%Y-%m-%d %H:%M"),
                "zone": z,
                "window": f"{w.start:%H:%M}-{w.end:%H:%M}",
            }
            if not (w.start <= local.time().replace(tzinfo=None) < w.end):
                problems.append(
                    SlotProblem(
                        w.profile,
                        f"{local:%H:%M} {z} is outside the allowed hours "
                        f"{w.start:%H:%M}–{w.end:%H:%M}",
                        w.citation,
                        nums,
                    )
                )
            off = day_off(local.date(), w.calendar)
            if off:
                problems.append(
                    SlotProblem(
                        w.profile, f"{local:%Y-%m-%d} is not a working day: {off}", w.citation, nums
                    )
                )
    return problems
