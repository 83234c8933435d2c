"""Fail closed on profiles: an account naming a profile no plugin registered (``CN``,
``cn-``) or none at all is refused with a typed error before anything is sent or
recorded, on SQLite and PostgreSQL, unless settings name ``default_profiles``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from notifysdk.campaign import run_campaign
from notifysdk.campaign.ladder import parse_ladder
from notifysdk.campaign.portfolio import PortfolioRow
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import InvalidIdentifierError, UnknownProfileError
from notifysdk.models import AccountState, OutcomeStatus
from notifysdk.testing import MockChannel, sample_account, sample_notice

# 03:00 in Shanghai: the cn contact window is closed.
NIGHT = datetime.fromisoformat("2026-01-05T03:00:00+08:00")


def _dispatcher(url: str, tmp_path: Path, ch: MockChannel, **settings: object) -> Dispatcher:
    return Dispatcher(
        Settings(output_dir=tmp_path / "out", ledger_url=url, recover_on_start=False, **settings),
        clock=FakeClock(NIGHT),
        channels={ch.name: ch},
    )


@pytest.mark.parametrize("profiles", [("CN",), ("cn-",), (), ("cn", "us_regf")])
async def test_unknown_miscased_and_empty_profiles_are_refused(
    ledger_url: str, tmp_path: Path, profiles: tuple[str, ...]
) -> None:
    ch = MockChannel()
    account = sample_account(1, profiles=profiles).model_copy(
        update={"states": frozenset({AccountState.CEASE, AccountState.DISPUTE})}
    )
    notice = sample_notice(account=account)
    async with _dispatcher(ledger_url, tmp_path, ch) as d:
        with pytest.raises(UnknownProfileError) as caught:
            await d.send(notice)
        assert await d.ledger.get(notice.idempotency_key) is None
        assert await d.ledger.audit_entries() == []
    err = caught.value
    assert err.field == "account.profiles"
    assert "known: cn, uk-conc, us-ma, us-regf, us-wa" in err.reason
    bad = next((p for p in profiles if p not in ("cn", "us-regf")), None)
    if bad is not None:
        assert repr(bad) in err.reason
    else:
        assert "names no compliance profile" in err.reason
    assert ch.calls == []


def test_a_profile_code_with_a_blank_is_refused_by_the_model() -> None:
    """``"us-regf "`` never reaches the dispatcher: the account is refused as it is
    built, naming the field, so no rule set is guessed from a near miss."""
    with pytest.raises(InvalidIdentifierError) as caught:
        sample_account(1, profiles=("cn", "us-regf "))
    assert caught.value.field == "account.profiles[1]"


async def test_default_profiles_apply_to_an_account_that_names_none(
    ledger_url: str, tmp_path: Path
) -> None:
    ch = MockChannel()
    notice = sample_notice(account=sample_account(1, profiles=()))
    async with _dispatcher(ledger_url, tmp_path, ch, default_profiles=("cn",)) as d:
        outcome = await d.send(notice)
    # cn's rules ran: 03:00 Shanghai is outside its contact hours.
    assert (outcome.status, outcome.rule) == (OutcomeStatus.DEFERRED, "contact-window")
    assert ch.calls == []


async def test_campaign_refuses_rows_with_unknown_profiles_by_line_number(
    ledger_url: str, tmp_path: Path
) -> None:
    ch = MockChannel(name="sms-mock")
    ladder = parse_ladder(
        {"stages": [{"name": "D+1-sms", "day": 1, "kind": "overdue_notice", "medium": "sms"}]}
    )
    rows = [
        PortfolioRow(2, sample_account(1, days_overdue=1, profiles=("CN",))),
        PortfolioRow(3, sample_account(2, days_overdue=1, profiles=())),
    ]
    async with _dispatcher(ledger_url, tmp_path, ch, routes={"sms": "sms-mock"}) as d:
        summary = await run_campaign(d, rows, ladder)
    assert [(b.line, b.field) for b in summary.bad_rows] == [
        (2, "account.profiles"),
        (3, "account.profiles"),
    ]
    assert "'CN'" in summary.bad_rows[0].reason
    assert summary.notices == 0 and ch.calls == []
