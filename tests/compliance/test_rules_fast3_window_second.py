"""The contact-window rule reads each zone's local time once per whole UTC second and
keeps the windows' answers for that second: for every instant of the second, the
answers and local times of the plain definitions on the instant itself (sub-second
window edges, other time zones of ``now``, DST changes and holiday calendars too)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance.rules.window import _local_second
from notifysdk.compliance.windows import local_times, workday_checker

_ZONES = [
    ZoneInfo(z)
    for z in (
        "Asia/Shanghai",
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",
        "America/St_Johns",
        "UTC",
    )
]
_T0 = datetime(2026, 1, 1, tzinfo=UTC)
_EDGES = [
    time(0),
    time(7, 30),
    time(8),
    time(8, 0, 0, 1),
    time(8, 0, 0, 500000),
    time(20, 59, 59, 999999),
    time(21),
    time(22),
    time(23, 59, 59),
]
_OTHER_TZ = [
    UTC,
    ZoneInfo("UTC"),
    ZoneInfo("America/New_York"),
    timezone(timedelta(hours=5)),
    timezone(timedelta(hours=5, microseconds=250_000)),  # a part-second offset
]


def _in_window(
    instant: datetime,
    zones: tuple[ZoneInfo, ...],
    start: time,
    end: time,
    workday: Callable[[date], bool] | None,
) -> bool:
    """The plain definition on the instant itself."""
    for zone in zones:
        local = instant.astimezone(zone)
        at = local.time().replace(tzinfo=None)
        inside = start <= at < end if start <= end else (at >= start or at < end)
        if not inside or (workday is not None and not workday(local.date())):
            return False
    return True


@settings(max_examples=400, deadline=None)
@given(
    seconds=st.integers(min_value=0, max_value=366 * 86400),
    micros=st.lists(st.integers(min_value=0, max_value=999_999), min_size=1, max_size=6),
    zones=st.lists(st.sampled_from(_ZONES), min_size=1, max_size=3, unique=True),
    windows=st.lists(
        st.tuples(
            st.sampled_from(_EDGES),
            st.sampled_from(_EDGES),
            st.sampled_from([None, "cn", "US"]),
        ),
        min_size=1,
        max_size=3,
    ),
    tz=st.sampled_from(_OTHER_TZ),
)
def test_every_instant_of_a_second_reads_as_itself(
    seconds: int,
    micros: list[int],
    zones: list[ZoneInfo],
    windows: list[tuple[time, time, str | None]],
    tz: object,
) -> None:
    assert tz is UTC or isinstance(tz, (ZoneInfo, timezone))
    kept = tuple(zones)
    second = _T0 + timedelta(seconds=seconds)
    for micro in micros:  # several instants of one second: the later ones are kept
        instant = (second + timedelta(microseconds=micro)).astimezone(tz)
        seen = _local_second(instant, kept)
        assert seen.stamps == local_times(instant, kept)
        for start, end, calendar in windows:
            workday = workday_checker(calendar) if calendar else None
            want = _in_window(instant, kept, start, end, workday)
            assert seen.inside(instant, start, end, workday) == want, (instant, start, end)


def test_a_window_edge_inside_the_second() -> None:
    """08:00:00.5 opens mid-second: the first half of 08:00:00 is outside, the second
    half inside (read on the instant, not on the kept second)."""
    zone = (ZoneInfo("Asia/Shanghai"),)
    at = datetime(2026, 1, 5, 0, 0, 0, tzinfo=UTC)  # 08:00:00 in Shanghai
    start, end = time(8, 0, 0, 500000), time(21)
    whole = time(8)
    early, late = at + timedelta(microseconds=499_999), at + timedelta(microseconds=500_000)
    assert not _local_second(early, zone).inside(early, start, end, None)
    assert _local_second(late, zone).inside(late, start, end, None)
    assert _local_second(early, zone).inside(early, whole, end, None)
    before = at - timedelta(microseconds=1)
    assert not _local_second(before, zone).inside(before, whole, end, None)
