"""The memoised window arithmetic answers exactly what the plain computation does: the
same instants, in the same time zone, and never a stale answer for a custom calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from notifysdk.compliance import windows
from notifysdk.compliance.windows import local_times, next_allowed, workday_checker

ZONES = [ZoneInfo(z) for z in ("Asia/Shanghai", "America/New_York", "Europe/London", "UTC")]
_instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(ZONES),
)
def test_local_times_format_as_strftime_does(naive: datetime, zone: ZoneInfo) -> None:
    local = naive.replace(tzinfo=UTC).astimezone(zone)
    assert windows._stamp(local) == local.strftime("%Y-%m-%d %H:%M:%S %Z")


def test_local_times_names_each_zone() -> None:
    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert local_times(at, ZONES[:2]) == {
        "Asia/Shanghai": "2026-01-05 10:00:00 CST",
        "America/New_York": "2026-01-04 21:00:00 EST",
    }


@given(
    _instants,
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
    st.sampled_from([(time(8), time(21)), (time(9), time(17)), (time(22), time(6))]),
    st.booleans(),
    st.sampled_from([UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Shanghai")]),
)
def test_next_allowed_is_the_plain_computation(
    instant: datetime,
    zones: list[ZoneInfo],
    window: tuple[time, time],
    us_holidays: bool,
    shown_in: ZoneInfo,
) -> None:
    workday = workday_checker("US") if us_holidays else None
    given_at = instant.astimezone(shown_in)
    for _ in range(2):  # the second call answers from the memo
        got = next_allowed(given_at, zones, *window, workday)
        want = windows._next_allowed(given_at, tuple(zones), *window, workday, 14)
        assert got == want
        assert (got.isoformat() if got else None) == (want.isoformat() if want else None)


def test_an_instant_inside_the_window_comes_back_in_its_own_zone() -> None:
    utc = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    ny = utc.astimezone(ZoneInfo("America/New_York"))
    zones = [ZoneInfo("America/New_York")]
    assert next_allowed(utc, zones, time(8), time(21)).isoformat() == utc.isoformat()
    assert next_allowed(ny, zones, time(8), time(21)).isoformat() == ny.isoformat()


def test_a_custom_calendar_is_asked_every_time() -> None:
    closed: set[date] = set()

    def workday(day: date) -> bool:
        return day not in closed

    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday
    zones = [ZoneInfo("Asia/Shanghai")]
    assert next_allowed(at, zones, time(8), time(22), workday) == at
    closed.add(date(2026, 1, 5))
    assert next_allowed(at, zones, time(8), time(22), workday) == datetime(
        2026, 1, 6, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert next_allowed(at, zones, time(8), time(22), workday) - at == timedelta(hours=22)
