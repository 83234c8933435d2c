"""Property tests over random 30-day schedules for many debtors: no delivered notice is
outside a contact window, and no counter ever exceeds its cap."""

from __future__ import annotations

import asyncio
import heapq
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.retry import RetryPolicy

from .conftest import VoiceTemplates, channels, cn_account, notice_for, us_account

START = datetime(2026, 2, 20, tzinfo=ZoneInfo("UTC"))  # spans the 2026-03-08 DST change
PROFILE_SETS = [("cn",), ("us-regf",), ("us-regf", "us-ma"), ("us-regf", "us-wa")]
ZONES = {"cn": ZoneInfo("Asia/Shanghai"), "us": ZoneInfo("America/New_York")}

attempt = st.tuples(st.integers(0, 29), st.integers(0, 86_399), st.sampled_from(["sms", "voice"]))
debtor = st.tuples(
    st.sampled_from(range(len(PROFILE_SETS))), st.lists(attempt, min_size=1, max_size=14)
)
schedule = st.lists(debtor, min_size=1, max_size=4)


def _windows(profiles: tuple[str, ...]) -> tuple[int, int]:
    return (8 * 60, 22 * 60) if profiles == ("cn",) else (8 * 60, 21 * 60)


def _caps(profiles: tuple[str, ...]) -> list[tuple[set[str], int, int]]:
    """(media, limit, days) caps that must hold for a debtor's delivered notices."""
    if profiles == ("cn",):
        return [({"voice"}, 3, 1)]
    caps = [({"voice"}, 7, 7), ({"sms"}, 3, 1)]
    if "us-ma" in profiles:
        caps.append(({"sms", "voice"}, 2, 7))
    if "us-wa" in profiles:
        caps.append(({"sms", "voice"}, 3, 7))
    return caps


def _check(profiles: tuple[str, ...], delivered: list[tuple[datetime, str]]) -> None:
    zone = ZONES["cn" if profiles == ("cn",) else "us"]
    lo, hi = _windows(profiles)
    days: list[tuple[date, str]] = []
    for at, medium in delivered:
        local = at.astimezone(zone)
        minute = local.hour * 60 + local.minute
        assert lo <= minute < hi, f"delivered at {local} outside the window"
        days.append((local.date(), medium))
    for media, limit, span in _caps(profiles):
        per_day: dict[date, int] = defaultdict(int)
        for day, medium in days:
            if medium in media:
                per_day[day] += 1
        for day in per_day:
            total = sum(per_day.get(day - timedelta(days=k), 0) for k in range(span))
            assert total <= limit, f"{total} > {limit} {sorted(media)} in {span} days to {day}"


async def _run(pm: PluginManager, plan: list, folder: Path) -> None:
    clock = FakeClock(START)
    # The durable ledger production uses: caps are counted and reserved by its SQL.
    d = Dispatcher(
        Settings(
            ledger_url=f"sqlite:///{folder}/ledger.db",
            output_dir=folder / "out",
            recover_on_start=False,
        ),
        plugins=pm,
        clock=clock,
        retry=RetryPolicy(max_attempts=1),
        channels={c.name: c for c in channels(clock)},
    )
    try:
        await _drive(d, clock, plan)
    finally:
        await d.aclose()


async def _drive(d: Dispatcher, clock: FakeClock, plan: list) -> None:
    queue: list[tuple[datetime, int, int, str, int]] = []
    accounts = []
    for i, (pidx, attempts) in enumerate(plan):
        profiles = PROFILE_SETS[pidx]
        acc = cn_account(i + 1) if profiles == ("cn",) else us_account(i + 1, profiles=profiles)
        accounts.append(acc)
        for j, (day, second, medium) in enumerate(attempts):
            heapq.heappush(queue, (START + timedelta(days=day, seconds=second), i, j, medium, 0))
    delivered: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    end = START + timedelta(days=30)
    while queue:
        at, i, j, medium, tries = heapq.heappop(queue)
        clock.set(max(at, clock.now()))
        out = await d.send(notice_for(accounts[i], medium, data={"j": j, "t": tries}))
        if out.status is OutcomeStatus.DELIVERED:
            delivered[i].append((clock.now(), medium))
        elif out.status is OutcomeStatus.DEFERRED:
            assert out.until is not None and out.until > clock.now()
            if out.until < end and tries < 3:
                heapq.heappush(queue, (out.until, i, j, medium, tries + 1))
        else:
            raise AssertionError(f"unexpected {out.status}: {out.rule} {out.reason}")
    for i, (pidx, _) in enumerate(plan):
        _check(PROFILE_SETS[pidx], delivered[i])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=schedule)
def test_random_schedules_respect_windows_and_caps(plan: list) -> None:
    pm = PluginManager()
    pm.register(VoiceTemplates(), "compliance-test-templates")
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_run(pm, plan, Path(folder)))
