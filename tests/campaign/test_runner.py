"""Running campaigns: idempotent per day, failover, dry run, catch-up, bounded memory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifysdk import Dispatcher, FakeClock, Settings
from notifysdk.campaign import (
    BadRow,
    PortfolioRow,
    Row,
    parse_ladder,
    read_portfolio,
    run_campaign,
)
from notifysdk.campaign.planner import PlannedStage
from notifysdk.campaign.summary import Summary
from notifysdk.campaign.synthetic import write_csv
from notifysdk.channels import Disclosure
from notifysdk.errors import ConfigurationError, PermanentDeliveryError
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message
from notifysdk.plugins import PluginManager
from notifysdk.testing import MockChannel, sample_account

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: inside contact hours
LADDER = parse_ladder(
    {
        "stages": [
            {
                "name": "D+1-sms",
                "day": 1,
                "kind": "overdue_notice",
                "medium": "sms",
                "fallback": ["email"],
            },
            {"name": "D+3-email", "day": 3, "kind": "overdue_notice", "medium": "email"},
        ],
    }
)
ROUTES = {"sms": "sms-mock", "email": "email-mock"}


def _channels(sms_handler: object = None) -> tuple[MockChannel, MockChannel]:
    clock = FakeClock(NOW)
    sms = MockChannel(sms_handler, name="sms-mock", clock=clock)  # type: ignore[arg-type]
    email = MockChannel(
        name="email-mock",
        medium=Medium.EMAIL,
        disclosure=Disclosure.FULL,
        contact_kind="email",
        clock=clock,
    )
    return sms, email


def _dispatcher(
    pm: PluginManager,
    ledger: MemoryLedger,
    tmp_path: Path,
    *channels: MockChannel,
    now: datetime = NOW,
) -> Dispatcher:
    settings = Settings(
        output_dir=tmp_path / "out", ledger_url="memory://", routes=ROUTES, recover_on_start=False
    )
    return Dispatcher(
        settings,
        plugins=pm,
        ledger=ledger,
        clock=FakeClock(now),
        channels={c.name: c for c in channels},
    )


def _portfolio(n: int = 12) -> list[Row]:
    return [
        PortfolioRow(i + 2, sample_account(i + 1, days_overdue=(1, 3, 9)[i % 3])) for i in range(n)
    ]


async def test_second_run_the_same_day_sends_nothing(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    ledger = MemoryLedger()  # persists across the two runs, as the SQLite ledger does
    sms, email = _channels()
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms, email) as d:
        first = await run_campaign(d, _portfolio(), LADDER, concurrency=4)
    sent_first = len(sms.calls) + len(email.calls)
    assert first.new_deliveries == sent_first == 8
    assert first.by_outcome["delivered"] == 8 and first.no_stage == 4
    assert first.by_channel["sms-mock"]["delivered"] == 4
    assert first.by_stage == {"D+1-sms": 4, "D+3-email": 4}

    later = NOW.replace(hour=8)  # same local day in Shanghai (16:00)
    sms2, email2 = _channels()
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms2, email2, now=later) as d:
        second = await run_campaign(d, _portfolio(), LADDER, concurrency=4)
    assert sms2.calls == [] and email2.calls == []
    assert second.new_deliveries == 0
    assert second.duplicates == second.notices == 8


async def test_permanent_sms_failure_falls_back_to_email_once(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    def refuse(message: Message) -> None:
        raise PermanentDeliveryError("number not reachable", provider_code=21211)

    ledger = MemoryLedger()
    rows = [PortfolioRow(2, sample_account(1, days_overdue=1))]
    sms, email = _channels(refuse)
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms, email) as d:
        summary = await run_campaign(d, rows, LADDER)
    assert len(sms.calls) == 1 and len(email.sent) == 1
    assert summary.fallbacks == 1
    assert summary.by_channel == {"sms-mock": {"failed": 1}, "email-mock": {"delivered": 1}}
    assert summary.failures == 1  # the failed SMS still counts

    sms2, email2 = _channels(refuse)
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms2, email2) as d:
        again = await run_campaign(d, rows, LADDER)
    assert sms2.calls == [] and email2.calls == [] and again.duplicates == 2


async def test_no_phone_falls_back_to_email(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    account = sample_account(1, days_overdue=1)
    no_phone = account.model_copy(
        update={
            "debtor": account.debtor.model_copy(
                update={"contacts": tuple(c for c in account.debtor.contacts if c.kind != "phone")}
            )
        }
    )
    sms, email = _channels()
    async with _dispatcher(notifysdk_plugins, MemoryLedger(), tmp_path, sms, email) as d:
        summary = await run_campaign(d, [PortfolioRow(2, no_phone)], LADDER)
    assert sms.calls == [] and len(email.sent) == 1
    assert summary.by_rule == {"blocked: no-destination": 1}


async def test_dry_run_plans_but_sends_and_records_nothing(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    ledger = MemoryLedger()
    sms, email = _channels()
    rows: list[Row] = [*_portfolio(6), BadRow(99, "phone", "not a valid E.164 phone number")]
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms, email) as d:
        summary = await run_campaign(d, rows, LADDER, dry_run=True)
    assert sms.calls == [] and email.calls == []
    assert summary.by_outcome == {"planned": 4}
    assert summary.by_channel == {"sms-mock": {"planned": 2}, "email-mock": {"planned": 2}}
    assert summary.bad_row_count == 1 and summary.rows == 7
    assert not await ledger.audit_entries()


async def test_grace_window_catches_up_once(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    ladder = parse_ladder(
        {
            "stages": [
                {
                    "name": "D+1-sms",
                    "day": 1,
                    "kind": "overdue_notice",
                    "medium": "sms",
                    "grace_days": 2,
                }
            ]
        }
    )
    ledger = MemoryLedger()
    on_time = sample_account(1, days_overdue=1)
    sms, email = _channels()
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms, email) as d:
        await run_campaign(d, [PortfolioRow(2, on_time)], ladder)
    assert len(sms.sent) == 1

    next_day = NOW.replace(day=6)
    late_first_seen = sample_account(2, days_overdue=2)
    rows = [
        PortfolioRow(2, on_time.model_copy(update={"days_overdue": 2})),
        PortfolioRow(3, late_first_seen),
    ]
    sms2, email2 = _channels()
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms2, email2, now=next_day) as d:
        summary = await run_campaign(d, rows, ladder)
    assert [m.idempotency_key for m in sms2.sent] != []
    assert len(sms2.sent) == 1  # only the account that had not had it yet
    assert summary.skipped == {"delivered earlier in the grace window": 1}


async def test_a_route_to_an_unknown_channel_is_a_configuration_error(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    settings = Settings(
        output_dir=tmp_path,
        ledger_url="memory://",
        routes={"sms": "no-such-channel"},
        recover_on_start=False,
    )
    async with Dispatcher(settings, plugins=notifysdk_plugins, ledger=MemoryLedger()) as d:
        with pytest.raises(ConfigurationError, match="no-such-channel"):
            await run_campaign(d, _portfolio(1), LADDER)


async def test_a_misspelt_locale_route_fails_at_start_not_per_row(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    settings = Settings(
        output_dir=tmp_path,
        ledger_url="memory://",
        routes={"sms": {"default": "capture-sms", "zh-CN": "aliyn-sms"}},
        recover_on_start=False,
    )
    async with Dispatcher(settings, plugins=notifysdk_plugins, ledger=MemoryLedger()) as d:
        with pytest.raises(ConfigurationError, match=r"routes\.sms\.zh-CN.*'aliyn-sms'"):
            await run_campaign(d, [], LADDER)  # no row in that locale comes


async def test_dry_run_counts_every_account_and_sends_nothing(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    """The behaviour the streaming dry run promises; its memory bound (ten times the rows
    must not mean ten times the peak) is measured by bench/campaign_memory_bench.py."""
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_csv(small, 100)
    write_csv(large, 1000)
    settings = Settings(output_dir=tmp_path / "out", ledger_url="memory://", recover_on_start=False)
    ledger = MemoryLedger()
    async with Dispatcher(
        settings, plugins=notifysdk_plugins, ledger=ledger, clock=FakeClock(NOW)
    ) as d:
        summaries = [
            await run_campaign(d, read_portfolio(path), dry_run=True) for path in (small, large)
        ]
    assert [(s.dry_run, s.rows, s.accounts) for s in summaries] == [
        (True, 100, 100),
        (True, 1000, 1000),
    ]
    assert all(s.notices > 0 and s.new_deliveries == 0 for s in summaries)
    assert summaries[1].notices > summaries[0].notices
    assert not (tmp_path / "out").exists()  # nothing was written by any channel
    assert list(await ledger.audit_entries()) == []


class _HoldingSink:
    """A StageSink that holds what it is handed (as the fleet's queue does) and settles
    it all when the run ends: the runner's side of the contract, without a fleet."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int]] = []
        self.progress: list[Callable[[], None]] = []
        self.settled_at_exit = False

    @contextlib.asynccontextmanager
    async def running(self, summary: Summary) -> AsyncIterator[None]:
        yield
        self.settled_at_exit = True
        for call in self.progress:
            call()

    async def submit(self, item: PlannedStage, summary: Summary, line: int) -> None:
        self.stages.append((item.stage.name, line))

    def row_submitted(self, row: PortfolioRow, progress: Callable[[], None]) -> None:
        self.progress.append(progress)


async def test_a_live_run_hands_each_due_stage_to_its_sink_and_sends_nothing_itself(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    ledger = MemoryLedger()
    sms, email = _channels()
    sink = _HoldingSink()
    rows: list[Row] = []
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms, email) as d:
        summary = await run_campaign(
            d,
            _portfolio(),
            LADDER,
            concurrency=4,
            on_row=rows.append,
            sink=sink,  # type: ignore[arg-type]
        )
    assert sms.calls == [] and email.calls == []  # the fleet sends, not this process
    assert sorted(sink.stages) == sorted(
        [("D+1-sms", i + 2) for i in range(0, 12, 3)]
        + [("D+3-email", i + 2) for i in range(1, 12, 3)]
    )
    assert summary.stages_due == 8 and summary.notices == 0  # the sink counts outcomes
    assert sink.settled_at_exit and len(rows) == 12  # progress once settled, every row
    # a dry run plans here and never uses the sink
    sink2 = _HoldingSink()
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms, email) as d:
        dry = await run_campaign(d, _portfolio(), LADDER, dry_run=True, sink=sink2)
    assert sink2.stages == [] and dry.notices == 8
