"""Planning: stages due by days overdue, keys per account/stage/local day."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk import Dispatcher, FakeClock, Settings
from notifysdk.campaign import (
    Planner,
    PortfolioRow,
    campaign_key,
    default_ladder,
    parse_ladder,
    run_campaign,
)
from notifysdk.campaign.planner import KEY_PREFIX, legacy_campaign_key
from notifysdk.campaign.portfolio import CSV_COLUMNS, CsvRecord, validate_record
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.errors import InvalidIdentifierError
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Account, Medium, Notice, Outcome, OutcomeStatus, Party, Role
from notifysdk.plugins import PluginManager
from notifysdk.testing import MockChannel, sample_account, sample_person


def test_stage_due_on_its_day_only() -> None:
    planner = Planner(default_ladder())
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    planned, _ = planner.plan(sample_account(days_overdue=1), now)
    assert [p.stage.name for p in planned] == ["D+1-sms"]
    assert planner.plan(sample_account(days_overdue=2), now) == ([], [])


def test_us_profile_has_no_visit_letter() -> None:
    planner = Planner(default_ladder())
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    cn, _ = planner.plan(sample_account(days_overdue=20), now)
    us, _ = planner.plan(sample_account(days_overdue=20, profiles=("us-regf",)), now)
    assert [p.stage.name for p in cn] == ["D+20-visit-letter"]
    assert us == []


def test_keys_are_stable_within_a_local_day_and_change_the_next() -> None:
    planner = Planner(default_ladder())
    account = sample_account(days_overdue=1)  # debtor in Asia/Shanghai
    morning, _ = planner.plan(account, datetime(2026, 1, 5, 1, tzinfo=UTC))  # 09:00 local
    evening, _ = planner.plan(account, datetime(2026, 1, 5, 15, tzinfo=UTC))  # 23:00 local
    next_day, _ = planner.plan(account, datetime(2026, 1, 5, 16, tzinfo=UTC))  # 00:00 local
    assert morning[0].day == date(2026, 1, 5) == evening[0].day
    assert next_day[0].day == date(2026, 1, 6)
    key = morning[0].key(Medium.SMS)
    assert key == evening[0].key(Medium.SMS) != next_day[0].key(Medium.SMS)
    assert key != morning[0].key(Medium.EMAIL)
    notice = morning[0].notice(Medium.SMS, {})
    assert notice.idempotency_key == key and notice.channel == "capture-sms"
    assert notice.stage == "D+1-sms"


def test_campaign_key_parts_all_matter() -> None:
    base = ("A1", "D+1-sms", date(2026, 1, 5), Medium.SMS, "P1")
    keys = {campaign_key(*base)}
    for i, alt in enumerate(("A2", "D+3-email", date(2026, 1, 6), Medium.EMAIL, "P2")):
        parts = list(base)
        parts[i] = alt
        keys.add(campaign_key(*parts))  # type: ignore[arg-type]
    assert len(keys) == 6


def test_guarantor_stage_goes_to_each_guarantor_or_is_skipped() -> None:
    ladder = parse_ladder(
        {
            "stages": [
                {
                    "name": "g",
                    "day": 10,
                    "kind": "overdue_notice",
                    "medium": "sms",
                    "role": "guarantor",
                }
            ]
        }
    )
    planner = Planner(ladder)
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    planned, skipped = planner.plan(sample_account(days_overdue=10), now)
    assert planned == [] and skipped == ["no guarantor on record"]
    account = sample_account(days_overdue=10).model_copy(
        update={
            "parties": (
                Party(person=sample_person(7, phone="+8613912345678"), role=Role.GUARANTOR),
            )
        }
    )
    planned, skipped = planner.plan(account, now)
    assert [p.recipient.person.person_id for p in planned] == ["P000007"] and skipped == []
    assert planned[0].recipient.role is Role.GUARANTOR


def test_keys_come_from_an_unambiguous_encoding_with_their_version() -> None:
    day = date(2026, 1, 5)
    # Under the first version (parts joined by \x1f) these two shared one key: a
    # separator inside one part moved the boundary. Now every split is its own key.
    crafted = [
        ("A\x1fD+1-sms", "x", day, Medium.SMS, "P1"),
        ("A", "D+1-sms\x1fx", day, Medium.SMS, "P1"),
    ]
    assert legacy_campaign_key(*crafted[0]) == legacy_campaign_key(*crafted[1])
    assert campaign_key(*crafted[0]) != campaign_key(*crafted[1])
    tricky = [
        ('A","D', "s", day, Medium.SMS, "P"),
        ("A", 'D","s', day, Medium.SMS, "P"),
        ("A", "D", day, Medium.SMS, '"],["P'),
    ]
    assert len({campaign_key(*parts) for parts in tricky}) == 3
    key = campaign_key("A1", "D+1-sms", day, Medium.SMS, "P1")
    assert key.startswith(KEY_PREFIX) and KEY_PREFIX == "cmp2_"
    assert key == campaign_key("A1", "D+1-sms", day, "sms", "P1")  # stable, medium by value
    assert legacy_campaign_key("A1", "D+1-sms", day, Medium.SMS, "P1").startswith("cmp_")


def _documented_key(account: str, stage: str, day: date, medium: str, person: str) -> str:
    """Version 2 as documented: sha256 of the JSON array of the parts, version first."""
    basis = json.dumps([2, account, stage, day.isoformat(), medium, person], separators=(",", ":"))
    return "cmp2_" + hashlib.sha256(basis.encode()).hexdigest()[:32]


@settings(max_examples=500, deadline=None)
@given(
    parts=st.lists(st.text(max_size=12), min_size=3, max_size=3),
    day=st.dates(),
    medium=st.sampled_from(list(Medium)),
)
def test_keys_are_the_documented_encoding_whatever_the_parts_hold(
    parts: list[str], day: date, medium: Medium
) -> None:
    """Keys are stored in ledgers: the encoding may get faster, never different."""
    account, stage, person = parts
    expected = _documented_key(account, stage, day, medium.value, person)
    assert campaign_key(account, stage, day, medium, person) == expected


def test_crafted_ids_that_collided_are_refused_at_the_model() -> None:
    account = sample_account(1, days_overdue=1)
    with pytest.raises(InvalidIdentifierError, match=r"account\.account_id"):
        account.model_validate({**account.model_dump(), "account_id": "A\x1fD+1-sms"})


async def test_a_notice_sent_under_the_earlier_key_version_is_not_sent_again(
    notifysdk_plugins: PluginManager, tmp_path: Path
) -> None:
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    ladder = parse_ladder(
        {
            "stages": [
                {
                    "name": "D+1-sms",
                    "day": 1,
                    "kind": "overdue_notice",
                    "medium": "sms",
                    "grace_days": 1,
                }
            ]
        }
    )
    today, yesterday = sample_account(1, days_overdue=1), sample_account(2, days_overdue=2)
    ledger = MemoryLedger()
    # What a run of the earlier release recorded: delivered under the version-1 keys,
    # today for one account, yesterday (inside the grace window) for the other.
    planner = Planner(ladder)
    for account, back in ((today, 0), (yesterday, 1)):
        (item,) = planner.plan(account, now)[0]
        day = item.day.fromordinal(item.day.toordinal() - back)
        old = item.notice(Medium.SMS, {"sms": "sms-mock"}).model_copy(
            update={"idempotency_key": item.legacy_key(Medium.SMS, day)}
        )
        done = Outcome(
            idempotency_key=old.idempotency_key,
            status=OutcomeStatus.DELIVERED,
            channel="sms-mock",
            at=now,
        )
        assert await ledger.finish(old, done)
    sms = MockChannel(name="sms-mock", clock=FakeClock(now))
    settings = Settings(
        output_dir=tmp_path,
        ledger_url="memory://",
        routes={"sms": "sms-mock"},
        recover_on_start=False,
    )
    async with Dispatcher(
        settings,
        plugins=notifysdk_plugins,
        ledger=ledger,
        clock=FakeClock(now),
        channels={"sms-mock": sms},
    ) as d:
        rows = [PortfolioRow(2, today), PortfolioRow(3, yesterday)]
        summary = await run_campaign(d, rows, ladder)
    assert sms.calls == []
    assert summary.skipped == {
        "already done today (key of an earlier version)": 1,
        "delivered earlier in the grace window": 1,
    }


def test_notices_built_without_validating_again_equal_validated_ones() -> None:
    """After one notice of a stage and channel has validated, the next are constructed:
    every field, the derived locale and profiles, and the set fields are the same."""
    planner = Planner(default_ladder())
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    rows = read_portfolio_rows(400)
    built = 0
    for account in rows:
        for item in planner.plan(account, now)[0]:
            for medium in item.stage.media:
                notice = item.notice(medium, {})
                again = Notice(**{k: getattr(notice, k) for k in notice.model_fields_set})
                assert notice == again and notice.model_dump() == again.model_dump()
                assert notice.model_fields_set == again.model_fields_set
                assert (notice.locale, notice.profiles) == (
                    item.recipient.person.locale,
                    account.profiles,
                )
                built += 1
    assert built > 100


def test_a_stage_whose_notice_is_refused_is_refused_every_time() -> None:
    ladder = parse_ladder(
        {"stages": [{"name": "bad\x1fname", "day": 1, "kind": "overdue_notice", "medium": "sms"}]}
    )
    planner = Planner(ladder)
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    for n in range(2):
        (item,), _ = planner.plan(sample_account(n, days_overdue=1), now)
        with pytest.raises(InvalidIdentifierError):
            item.notice(Medium.SMS, {})


def read_portfolio_rows(n: int) -> list[Account]:
    """``n`` synthetic accounts, validated as a portfolio reader does."""
    rows = (validate_record(r) for r in _records(n))
    return [r.account for r in rows if isinstance(r, PortfolioRow)]


def _records(n: int) -> list[CsvRecord]:
    header = tuple(CSV_COLUMNS)
    return [
        CsvRecord(i + 2, header, [row[c] for c in header])
        for i, row in enumerate(synthetic_rows(n))
    ]
