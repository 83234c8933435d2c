"""A row is a unit of failure; only a fault of the run stops a campaign.

Whatever one account raises — while its stages are planned, while a data source or a
rule looks at it, after its notice was claimed — fails that row only: the summary names
its line and the kind of error (never a value), a claim it took ends ``failed`` by
``internal-error`` (never left ``claimed``), the other rows go on, and the next run over
the same rows does not die on it either. A fault of the run (a full disk, a ledger that
cannot be written) stops the run with the typed error, without cancelling the rows in
flight and without an exception left unretrieved in a task.
"""

from __future__ import annotations

import asyncio
import decimal
import errno
import gc
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest

from notifysdk import Dispatcher, FakeClock, Settings
from notifysdk.campaign import PortfolioRow, Row, parse_ladder, run_campaign
from notifysdk.cli.run import exit_code
from notifysdk.errors import (
    LedgerUnavailableError,
    PermanentDeliveryError,
    RunFaultError,
)
from notifysdk.hookspecs import hookimpl
from notifysdk.ledger.base import Ledger
from notifysdk.models import Account, Medium, Message, Notice, OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.policy import RuleContext, Vote
from notifysdk.privacy.findings import Finding, KnownValues
from notifysdk.testing import MockChannel, sample_account, sample_person

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
            }
        ]
    }
)
ROUTES = {"sms": "sms-mock", "email": "email-mock"}
HOSTILE_PHONE = "+8613812345678"
HOSTILE_EMAIL = "hostile.row@example.cn"


def _hostile() -> Account:
    """An account whose values must never be shown: its debtor's phone, email, name."""
    person = sample_person(99, phone=HOSTILE_PHONE, email=HOSTILE_EMAIL)
    person = person.model_copy(update={"name": "蔡晓敏", "national_id": "310101199001011234"})
    return sample_account(99, days_overdue=1).model_copy(
        update={"debtor": person, "account_id": "ACC-HOSTILE"}
    )


SECRETS = (HOSTILE_PHONE, HOSTILE_EMAIL, "蔡晓敏", "310101199001011234")


def _rows() -> list[Row]:
    """Five accounts due for the D+1 SMS; the third (line 4) is the hostile one."""
    accounts = [sample_account(i, days_overdue=1) for i in range(1, 5)]
    accounts.insert(2, _hostile())
    return [PortfolioRow(i + 2, a) for i, a in enumerate(accounts)]


def _sms(handler: Any = None) -> MockChannel:
    return MockChannel(handler, name="sms-mock", clock=FakeClock(NOW))


def _email() -> MockChannel:
    from notifysdk.channels import Disclosure

    return MockChannel(
        name="email-mock",
        medium=Medium.EMAIL,
        disclosure=Disclosure.FULL,
        contact_kind="email",
        clock=FakeClock(NOW),
    )


def _dispatcher(pm: PluginManager, tmp_path: Path, *channels: MockChannel) -> Dispatcher:
    settings = Settings(
        output_dir=tmp_path / "out",
        ledger_url=f"sqlite:///{(tmp_path / 'ledger.db').as_posix()}",
        routes=ROUTES,
        recover_on_start=False,
    )
    return Dispatcher(
        settings, plugins=pm, clock=FakeClock(NOW), channels={c.name: c for c in channels}
    )


def _ledger_rows(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(tmp_path / "ledger.db")
    try:
        return list(db.execute(sql).fetchall())
    finally:
        db.close()


def _assert_no_secret(tmp_path: Path, *texts: str, whole_ledger: bool = True) -> None:
    for value in SECRETS:
        for text in texts:
            assert value not in text, value
    if whole_ledger:
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("ledger.db*"))
        for value in SECRETS:
            assert value.encode() not in stored, value
    else:  # the notice and its destination are stored by design; outcome and audit not
        for (text,) in _ledger_rows(
            tmp_path,
            "SELECT COALESCE(outcome_json, '') FROM notices UNION ALL "
            "SELECT detail_json FROM audit UNION ALL SELECT detail_json FROM attempts",
        ):
            for value in SECRETS:
                assert value not in (text or ""), value


class Raising:
    """A policy rule that raises ``exc`` for the hostile account (a buggy plugin, or a
    library choking on a value), with its values in the message as a library might."""

    name = "test-raising"
    citation = "test"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def __init__(self, exc: type[BaseException]) -> None:
        self.exc = exc

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Raise for the hostile account."""
        if ctx.notice.account.account_id == "ACC-HOSTILE":
            raise self.exc(f"cannot handle {HOSTILE_PHONE} of 蔡晓敏")
        return None


class RaisingSource:
    """A notice data source that raises for the hostile account."""

    name = "test-raising-source"
    citation = "test"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Abstain."""
        return None

    async def campaign_data(
        self, notice: Notice, ledger: Ledger, now: datetime
    ) -> Mapping[str, Any] | Vote | None:
        """Raise for the hostile account."""
        if notice.account.account_id == "ACC-HOSTILE":
            raise RecursionError(f"maximum recursion depth exceeded near {HOSTILE_EMAIL}")
        return None


class Rules:
    """Registers rules."""

    def __init__(self, *rules: object) -> None:
        self.rules = rules

    @hookimpl
    def notifysdk_register_rules(self, register: Callable[[Any], None]) -> None:
        """Register the rules."""
        for rule in self.rules:
            register(rule)


@pytest.mark.parametrize(
    "exc",
    [decimal.InvalidOperation, decimal.Overflow, RecursionError, ValueError, KeyError],
)
async def test_whatever_a_rule_raises_fails_that_row_only_every_run(
    notifysdk_plugins: PluginManager,
    register_plugin: Callable[..., str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    exc: type[BaseException],
) -> None:
    register_plugin(Rules(Raising(exc)), "test-raising")
    caplog.set_level(logging.DEBUG)
    for attempt in range(2):
        sms, email = _sms(), _email()
        async with _dispatcher(notifysdk_plugins, tmp_path, sms, email) as d:
            summary = await run_campaign(d, _rows(), LADDER, concurrency=3)
        assert len(sms.calls) == (4 if attempt == 0 else 0) and email.calls == []
        assert summary.accounts == 5 and summary.failed_row_count == 1
        (failed,) = summary.failed_rows
        assert (failed.line, failed.code, failed.stage) == (4, "internal-error", "D+1-sms")
        assert failed.reason == f"unexpected {exc.__name__} while preparing"
        assert summary.failures == 0 and exit_code(summary) == 4
        assert summary.by_outcome["delivered"] == 4
    assert _ledger_rows(tmp_path, "SELECT key FROM notices WHERE state = 'claimed'") == []
    _assert_no_secret(tmp_path, str(summary.as_dict()), caplog.text)


async def test_a_data_source_raising_fails_that_row_only(
    notifysdk_plugins: PluginManager,
    register_plugin: Callable[..., str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_plugin(Rules(RaisingSource()), "test-raising-source")
    caplog.set_level(logging.DEBUG)
    sms = _sms()
    async with _dispatcher(notifysdk_plugins, tmp_path, sms, _email()) as d:
        summary = await run_campaign(d, _rows(), LADDER, concurrency=2)
    assert len(sms.calls) == 4
    assert [(f.line, f.code, f.reason) for f in summary.failed_rows] == [
        (4, "internal-error", "unexpected RecursionError")
    ]
    assert exit_code(summary) == 4
    _assert_no_secret(tmp_path, str(summary.as_dict()), caplog.text)


class BrokenDetector:
    """A PII detector with a bug: it raises on a provider's error text it cannot parse."""

    name = "test-broken-detector"

    def find(self, text: str, known: KnownValues) -> Iterable[Finding]:
        """Raise on the marker, find nothing otherwise."""
        if "unparsable-provider-reply" in text:
            raise RecursionError("maximum recursion depth exceeded")
        return ()


class Detectors:
    """Registers one detector."""

    @hookimpl
    def notifysdk_register_detectors(self, register: Callable[[Any], None]) -> None:
        """Register the broken detector."""
        register(BrokenDetector())


async def test_a_failure_after_the_claim_ends_the_notice_failed_never_claimed(
    notifysdk_plugins: PluginManager,
    register_plugin: Callable[..., str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_plugin(Detectors(), "test-broken-detector")
    caplog.set_level(logging.DEBUG)

    def refuse_hostile(message: Message) -> None:
        if message.to == HOSTILE_PHONE:
            raise PermanentDeliveryError("unparsable-provider-reply", provider_code=30008)

    for attempt in range(2):
        sms, email = _sms(refuse_hostile), _email()
        async with _dispatcher(notifysdk_plugins, tmp_path, sms, email) as d:
            summary = await run_campaign(d, _rows(), LADDER, concurrency=3)
        # The SMS was tried once, the first day; no fallback to email (it may have gone).
        assert len(sms.calls) == (5 if attempt == 0 else 0) and email.calls == []
        (failed,) = summary.failed_rows
        assert (failed.line, failed.code) == (4, "internal-error")
        assert failed.reason == "unexpected RecursionError after the claim"
        assert exit_code(summary) == 4 and summary.failures == 0
        assert summary.duplicates == (0 if attempt == 0 else 5)
    states = dict(_ledger_rows(tmp_path, "SELECT state, COUNT(*) FROM notices GROUP BY state"))
    assert states == {"delivered": 4, "failed": 1}
    _assert_no_secret(tmp_path, str(summary.as_dict()), caplog.text, whole_ledger=False)


class FaultAt:
    """A rule that raises a fault of the run itself at the ``at``-th account it sees."""

    name = "test-fault"
    citation = "test"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def __init__(self, fault: BaseException, at: int) -> None:
        self.fault = fault
        self.at = at
        self.seen = 0

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Let ``at - 1`` accounts through (slowly), then raise the fault."""
        self.seen += 1
        number = self.seen
        await asyncio.sleep(0.01)
        if number == self.at:
            raise self.fault
        return None


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), RunFaultError, "ENOSPC"),
        (
            sqlite3.OperationalError("attempt to write a readonly database"),
            LedgerUnavailableError,
            "readonly database",
        ),
        (sqlite3.OperationalError("database or disk is full"), LedgerUnavailableError, "full"),
    ],
)
async def test_a_fault_of_the_run_stops_it_cleanly_with_the_typed_error(
    notifysdk_plugins: PluginManager,
    register_plugin: Callable[..., str],
    tmp_path: Path,
    fault: BaseException,
    error: type[RunFaultError],
    words: str,
) -> None:
    rule = FaultAt(fault, at=3)
    register_plugin(Rules(rule), "test-fault")
    lost: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: lost.append(context))
    rows = [PortfolioRow(i + 2, sample_account(i, days_overdue=1)) for i in range(1, 40)]
    sms = _sms()
    async with _dispatcher(notifysdk_plugins, tmp_path, sms, _email()) as d:
        with pytest.raises(error) as raised:
            await run_campaign(d, rows, LADDER, concurrency=4)
    assert words in str(raised.value) and "\n" not in str(raised.value)
    # The rows in flight finished; no row was started after the fault.
    assert 2 <= len(sms.calls) <= 2 + 4 and rule.seen <= 3 + 4
    assert _ledger_rows(tmp_path, "SELECT key FROM notices WHERE state = 'claimed'") == []
    gc.collect()
    await asyncio.sleep(0)
    assert lost == []  # no "Task exception was never retrieved"


async def test_send_many_turns_an_unexpected_error_into_a_failed_outcome(
    notifysdk_plugins: PluginManager,
    register_plugin: Callable[..., str],
    tmp_path: Path,
) -> None:
    from notifysdk.testing import sample_notice

    register_plugin(Rules(Raising(decimal.InvalidOperation)), "test-raising")
    sms = _sms()
    notices = [
        sample_notice(1, channel="sms-mock"),
        sample_notice(2, channel="sms-mock", account=_hostile()),
    ]
    async with _dispatcher(notifysdk_plugins, tmp_path, sms) as d:
        ok, crashed = await d.send_many(notices)
    assert ok.status is OutcomeStatus.DELIVERED
    assert crashed.status is OutcomeStatus.FAILED and crashed.rule == "internal-error"
    assert crashed.reason == "unexpected InvalidOperation while preparing"
    assert len(sms.calls) == 1
