"""Contact windows in local time, across every plausible zone, with zoneinfo.

An instant is allowed when, in **every** zone of the set, its local wall-clock time is
in ``[start, end)`` (and, when a holiday calendar applies, its local date is a working
day). The next allowed instant is computed, never assumed: the earliest of "now" and
every window opening in every zone over the coming days that satisfies all zones.
Openings are built with zoneinfo from local dates, so a spring-forward or fall-back day
shifts them correctly; no fixed offsets anywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import ConfigurationError

__all__ = [
    "day_bounds",
    "in_window",
    "in_window_at",
    "local_times",
    "next_allowed",
    "workday_checker",
]

HORIZON_DAYS = 14
"""How far ahead a next allowed instant is searched (long holidays included)."""


def _local_ok(local: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # a window that crosses midnight


def in_window(
    instant: datetime,
    zones: Sequence[ZoneInfo],
    start: time,
    end: time,
    workday: Callable[[date], bool] | None = None,
) -> bool:
    """True when ``instant`` is inside ``[start, end)`` local time in every zone."""
    return in_window_at((instant.astimezone(zone) for zone in zones), start, end, workday)


def in_window_at(
    local_times: Iterable[datetime],
    start: time,
    end: time,
    workday: Callable[[date], bool] | None = None,
) -> bool:
    """:func:`in_window` of the instant whose local time in each zone ``local_times``
    holds (for a caller that has them already)."""
    return all(_inside(local, start, end, workday) for local in local_times)


def _inside(
    local: datetime, start: time, end: time, workday: Callable[[date], bool] | None
) -> bool:
    if not _local_ok(local.time().replace(tzinfo=None), start, end):
        return False
    return workday is None or workday(local.date())


def local_times(instant: datetime, zones: Sequence[ZoneInfo]) -> dict[str, str]:
    """The local wall-clock time in each zone (for explaining a decision)."""
    return {z.key: _stamp(instant.astimezone(z)) for z in zones}


def _stamp(local: datetime) -> str:
    """``local.strftime("%Y-%m-%d %H:%M:%S %Z")``, formatted without strftime (every
    allowed notice explains its local time) for the years strftime pads the same way."""
    if not 1000 <= local.year <= 9999:
        return local.strftime("%Y-%m-%d %H:%M:%S %Z")
    return (
        f"{local.year}-{local.month:02d}-{local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {local.tzname() or ''}"
    )


@functools.lru_cache(maxsize=8192)
def _opening(day: date, start: time, zone: ZoneInfo) -> datetime:
    # A local time in a spring-forward gap resolves (fold=0) to the instant just after
    # the gap once round-tripped through UTC. Memoised: every notice of a day asks for
    # the same few local midnights and openings.
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


def next_allowed(
    instant: datetime,
    zones: Sequence[ZoneInfo],
    start: time,
    end: time,
    workday: Callable[[date], bool] | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> datetime | None:
    """The earliest instant at or after ``instant`` allowed in every zone, or ``None``
    when the windows never overlap within ``horizon_days``.

    Memoised when the working days come from :func:`workday_checker` (or there is no
    calendar): a cap's next free slot (tomorrow's first allowed instant) is the same for
    every notice of a day. The key holds the instant's time zone and fold as well, so an
    answer that is the instant itself comes back exactly as it was given."""
    zones = tuple(zones)
    if workday is None or workday in _CALENDARS:
        return _next_allowed_memo(
            instant, instant.tzinfo, instant.fold, zones, start, end, workday, horizon_days
        )
    return _next_allowed(instant, zones, start, end, workday, horizon_days)


@functools.lru_cache(maxsize=2048)
def _next_allowed_memo(
    instant: datetime,
    _tzinfo: object,
    _fold: int,
    zones: tuple[ZoneInfo, ...],
    start: time,
    end: time,
    workday: Callable[[date], bool] | None,
    horizon_days: int,
) -> datetime | None:
    return _next_allowed(instant, zones, start, end, workday, horizon_days)


def _next_allowed(
    instant: datetime,
    zones: tuple[ZoneInfo, ...],
    start: time,
    end: time,
    workday: Callable[[date], bool] | None,
    horizon_days: int,
) -> datetime | None:
    if in_window(instant, zones, start, end, workday):
        return instant
    candidates: set[datetime] = set()
    for zone in zones:
        first = instant.astimezone(zone).date()
        for d in range(-1, horizon_days + 1):
            at = _opening(first + timedelta(days=d), start, zone)
            if at > instant:
                candidates.add(at)
    for at in sorted(candidates):
        if in_window(at, zones, start, end, workday):
            return at
    return None


def day_bounds(
    instant: datetime, zones: Sequence[ZoneInfo], first_offset: int, last_offset: int
) -> tuple[datetime, datetime]:
    """``[start, end)`` covering local days ``today+first_offset .. today+last_offset``
    in every zone (the widest span, so a count never misses a contact)."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for zone in zones:
        today = instant.astimezone(zone).date()
        starts.append(_opening(today + timedelta(days=first_offset), time(0), zone))
        ends.append(_opening(today + timedelta(days=last_offset + 1), time(0), zone))
    return min(starts), max(ends)


def day_start(instant: datetime, zones: Sequence[ZoneInfo], offset: int) -> datetime:
    """The latest local midnight, over the zones, of day ``today+offset``."""
    return max(
        _opening(instant.astimezone(z).date() + timedelta(days=offset), time(0), z) for z in zones
    )


_CALENDARS: set[Callable[[date], bool]] = set()
"""The checkers :func:`workday_checker` built: fixed tables, so answers may be kept."""


def workday_checker(calendar: str) -> Callable[[date], bool]:
    """A ``date -> bool`` for a holiday calendar: ``cn`` uses chinese-calendar (working
    days, make-up days included); any other value is an ISO country for ``holidays``."""
    checker = _workday_checker(calendar)
    _CALENDARS.add(checker)
    return checker


@functools.lru_cache(maxsize=16)
def _workday_checker(calendar: str) -> Callable[[date], bool]:
    if calendar.lower() == "cn":
        try:
            import chinese_calendar  # type: ignore[import-untyped]
        except ImportError:
            raise ConfigurationError(
                "holiday calendar 'cn' needs the chinese-calendar package "
                "(pip install 'notifysdk[calendars]')"
            ) from None

        def cn_workday(day: date) -> bool:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:  # a year the package has no data for
                return day.weekday() < 5

        return cn_workday
    try:
        import holidays
    except ImportError:
        raise ConfigurationError(
            f"holiday calendar {calendar!r} needs the holidays package "
            "(pip install 'notifysdk[calendars]')"
        ) from None
    try:
        table = holidays.country_holidays(calendar.upper())
    except NotImplementedError:
        raise ConfigurationError(f"unknown holiday calendar {calendar!r}") from None

    def workday(day: date) -> bool:
        return day.weekday() < 5 and day not in table

    return workday
