"""Planning: stages due by days overdue, keys per account/stage/local day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from notifysdk.campaign import Planner, campaign_key, default_ladder
from notifysdk.models import Medium, Party, Role
from notifysdk.testing import sample_account, sample_person


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
    from notifysdk.campaign import parse_ladder

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
