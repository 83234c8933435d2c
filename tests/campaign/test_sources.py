"""Notice data sources: registered rules that add to a campaign notice's data or block it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from notifysdk import Dispatcher, FakeClock, Settings
from notifysdk.campaign import (
    NoticeDataSource,
    PortfolioRow,
    Row,
    Summary,
    data_sources,
    parse_ladder,
    run_campaign,
)
from notifysdk.hookspecs import hookimpl
from notifysdk.ledger.base import Ledger
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Notice, Outcome, OutcomeStatus, Receipt
from notifysdk.plugins import PluginManager
from notifysdk.policy import Rule, RuleContext, Vote
from notifysdk.testing import MockChannel, sample_account

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: inside contact hours
LADDER = parse_ladder(
    {"stages": [{"name": "D+1-sms", "day": 1, "kind": "overdue_notice", "medium": "sms"}]}
)
REASON = "no booking on record"


class BookingSource:
    """A rule that supplies ``data.booking`` for accounts in ``booked``, else denies; it
    also remembers the data each notice reached the policy stage with."""

    name = "test-booking"
    citation = "test"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def __init__(self, booked: set[str]) -> None:
        self.booked = booked
        self.asked: list[str] = []
        self.seen: dict[str, dict[str, Any]] = {}

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Record the data the notice carries (abstain)."""
        self.seen[ctx.notice.account.account_id] = dict(ctx.notice.data)
        return None

    async def campaign_data(
        self, notice: Notice, ledger: Ledger, now: datetime
    ) -> Mapping[str, Any] | Vote | None:
        """``{"booking": ...}`` for a booked account, else a deny."""
        self.asked.append(notice.account.account_id)
        if notice.account.account_id in self.booked:
            return {"booking": f"at {now:%H:%M}"}
        return Vote.deny(self.name, "*", REASON)


class Plugin:
    """Registers one rule."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    @hookimpl
    def notifysdk_register_rules(self, register: Callable[[Rule], None]) -> None:
        """Register the rule."""
        register(self.rule)


def _portfolio() -> list[Row]:
    return [PortfolioRow(i + 2, sample_account(i + 1, days_overdue=1)) for i in range(4)]


def _dispatcher(
    pm: PluginManager, ledger: MemoryLedger, tmp_path: Path, sms: MockChannel, now: datetime
) -> Dispatcher:
    settings = Settings(
        output_dir=tmp_path / "out",
        ledger_url="memory://",
        routes={"sms": "sms-mock"},
        recover_on_start=False,
    )
    return Dispatcher(
        settings, plugins=pm, ledger=ledger, clock=FakeClock(now), channels={sms.name: sms}
    )


def test_only_rules_with_campaign_data_are_sources() -> None:
    source = BookingSource(set())
    assert isinstance(source, NoticeDataSource)
    assert data_sources([object(), source, "campaign_data"]) == [source]


async def test_a_source_adds_data_or_blocks_and_is_asked_again_the_same_day(
    notifysdk_plugins: PluginManager,
    register_plugin: Callable[..., str],
    tmp_path: Path,
) -> None:
    accounts = [r.account.account_id for r in _portfolio() if isinstance(r, PortfolioRow)]
    source = BookingSource({accounts[0], accounts[1]})
    register_plugin(Plugin(source), "test-booking")
    ledger = MemoryLedger()
    sms = MockChannel(name="sms-mock", clock=FakeClock(NOW))
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms, NOW) as d:
        first = await run_campaign(d, _portfolio(), LADDER, concurrency=2)
    assert first.new_deliveries == len(sms.calls) == 2
    assert source.seen == {a: {"booking": "at 02:00"} for a in accounts[:2]}
    assert first.by_outcome == {"delivered": 2, "blocked": 2}
    assert first.by_rule == {f"blocked: test-booking ({REASON})": 2}
    assert first.by_channel["sms-mock"] == {"delivered": 2, "blocked": 2}

    # A block by a source is not recorded: booked later that day, the notice goes out.
    source.booked.add(accounts[2])
    source.asked.clear()
    later = NOW.replace(hour=6)
    sms2 = MockChannel(name="sms-mock", clock=FakeClock(later))
    async with _dispatcher(notifysdk_plugins, ledger, tmp_path, sms2, later) as d:
        second = await run_campaign(d, _portfolio(), LADDER, concurrency=2)
    assert second.new_deliveries == len(sms2.calls) == 1
    assert second.duplicates == 2
    assert sorted(source.asked) == sorted(accounts[2:])  # done notices are not asked again
    assert second.by_rule == {f"blocked: test-booking ({REASON})": 1}


async def test_dry_run_does_not_ask_sources(
    notifysdk_plugins: PluginManager,
    register_plugin: Callable[..., str],
    tmp_path: Path,
) -> None:
    source = BookingSource(set())
    register_plugin(Plugin(source), "test-booking")
    sms = MockChannel(name="sms-mock", clock=FakeClock(NOW))
    async with _dispatcher(notifysdk_plugins, MemoryLedger(), tmp_path, sms, NOW) as d:
        summary = await run_campaign(d, _portfolio(), LADDER, dry_run=True)
    assert summary.by_outcome == {"planned": 4}
    assert source.asked == []


def test_summary_counts_files_named_by_path_or_json(tmp_path: Path) -> None:
    summary = Summary()
    account = sample_account(1, days_overdue=1)
    notice = Notice(
        kind="overdue_notice",
        channel="callscript",
        account=account,
        recipient={"person": account.debtor},
    )
    for detail in (
        {"json": str(tmp_path / "call_script" / "a.json"), "md": "x.md"},
        {"path": str(tmp_path / "letter" / "b.pdf")},
        {"sid": "SM123"},
    ):
        receipt = Receipt(channel="c", accepted_at=NOW, detail=detail)
        outcome = Outcome(
            idempotency_key="k",
            status=OutcomeStatus.DELIVERED,
            channel="c",
            at=NOW,
            receipt=receipt,
        )
        summary.record(notice, outcome)
    assert summary.written == {
        str(tmp_path / "call_script"): 1,
        str(tmp_path / "letter"): 1,
    }
