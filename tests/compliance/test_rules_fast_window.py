"""The contact-window rule reads each zone's local time once and checks the window on
it (:func:`windows.in_window_at`, which :func:`windows.in_window` calls too): the answer
of the plain definition on the instant, across zones, window edges, windows over
midnight and holiday calendars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance.windows import in_window, in_window_at, workday_checker

_ZONES = [
    ZoneInfo(z)
    for z in ("Asia/Shanghai", "America/New_York", "Europe/London", "America/Los_Angeles", "UTC")
]
_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _in_window(
    instant: datetime,
    zones: list[ZoneInfo],
    start: time,
    end: time,
    workday: Callable[[date], bool] | None,
) -> bool:
    """The plain definition: inside [start, end) local time (a window may cross
    midnight), on a workday when a calendar is given, in every zone."""
    for zone in zones:
        local = instant.astimezone(zone)
        at = local.time().replace(tzinfo=None)
        inside = start <= at < end if start <= end else (at >= start or at < end)
        if not inside or (workday is not None and not workday(local.date())):
            return False
    return True


@settings(max_examples=600, deadline=None)
@given(
    seconds=st.integers(min_value=0, max_value=366 * 86400),
    zones=st.lists(st.sampled_from(_ZONES), min_size=1, max_size=3, unique=True),
    start=st.sampled_from([time(0), time(7, 30), time(8), time(9), time(21), time(22)]),
    end=st.sampled_from([time(0), time(8), time(20), time(21), time(22), time(23, 59)]),
    calendar=st.sampled_from([None, "cn", "US"]),
)
def test_inside_is_in_window(
    seconds: int, zones: list[ZoneInfo], start: time, end: time, calendar: str | None
) -> None:
    instant = _T0 + timedelta(seconds=seconds)
    workday = workday_checker(calendar) if calendar else None
    local_at = [instant.astimezone(z) for z in zones]
    want = _in_window(instant, zones, start, end, workday)
    assert in_window_at(local_at, start, end, workday) == want
    assert in_window(instant, zones, start, end, workday) == want
