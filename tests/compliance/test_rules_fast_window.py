"""The contact-window rule reads each zone's local time once and checks the window on
it (``window._inside``): the same answer as :func:`windows.in_window` on the instant,
across zones, window edges, windows over midnight and holiday calendars."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance.rules.window import _inside
from notifysdk.compliance.windows import in_window, workday_checker

_ZONES = [
    ZoneInfo(z)
    for z in ("Asia/Shanghai", "America/New_York", "Europe/London", "America/Los_Angeles", "UTC")
]
_T0 = datetime(2026, 1, 1, tzinfo=UTC)


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
    local_at = [(z, instant.astimezone(z)) for z in zones]
    assert _inside(local_at, start, end, workday) == in_window(instant, zones, start, end, workday)
