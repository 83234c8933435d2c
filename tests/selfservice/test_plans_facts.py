"""The plans the page offers are the call scripts' plans (same figures, to the cent),
and verification compares every configured fact, never fewer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from notifysdk.selfservice import facts
from notifysdk.selfservice.plans import plan_options
from notifysdk.selfservice.settings import Fact
from notifysdk_callscript.plans import plan_options as script_plans

from .support import BIRTH_YEAR, NATIONAL_ID, debtor_account, notice_to

TODAY = date(2026, 1, 31)


@pytest.mark.parametrize(
    ("currency", "overdue", "penalty"),
    [
        ("CNY", "1234.50", "12.30"),
        ("USD", "100.00", "0.01"),
        ("JPY", "10001", "0"),
        ("GBP", "0.05", "0"),
    ],
)
def test_the_page_offers_the_call_scripts_plans(currency: str, overdue: str, penalty: str) -> None:
    account = debtor_account().model_copy(
        update={
            "currency": currency,
            "overdue_amount": Decimal(overdue),
            "penalty_interest": Decimal(penalty),
        }
    )
    counts = (1, 3, 6, 12)
    ours = plan_options(account, counts, today=TODAY, first_in_days=7)
    theirs = script_plans(account, counts, start=TODAY, first_in_days=7)
    theirs = [p for p in theirs if p.count == 1 or p.instalments[0].amount > 0]
    assert [(p.count, p.instalments) for p in ours] == [
        (p.count, tuple((i.due, i.amount) for i in p.instalments)) for p in theirs
    ]
    for p in ours:
        assert p.total == account.total_due
    # monthly from a 31st: clamped to the month's last day
    assert ours[1].instalments[1][0] == date(2026, 3, 7)


def test_nothing_due_offers_no_plan() -> None:
    account = debtor_account().model_copy(
        update={"overdue_amount": Decimal("0"), "penalty_interest": Decimal("0")}
    )
    assert plan_options(account, (1, 3), today=TODAY, first_in_days=7) == []


def test_every_configured_fact_must_match() -> None:
    notice = notice_to(debtor_account())
    both: tuple[Fact, ...] = ("national_id_last4", "birth_year")
    assert facts.matches(both, notice, {"national_id_last4": " 002x ", "birth_year": BIRTH_YEAR})
    assert not facts.matches(both, notice, {"national_id_last4": "002X", "birth_year": "1950"})
    assert not facts.matches(both, notice, {"national_id_last4": "002X"})
    assert not facts.matches(
        both, notice, {"national_id_last4": NATIONAL_ID, "birth_year": BIRTH_YEAR}
    )


def test_a_fact_missing_from_the_record_makes_online_verification_unavailable() -> None:
    account = debtor_account()
    bare = account.model_copy(
        update={"debtor": account.debtor.model_copy(update={"national_id": None})}
    )
    notice = notice_to(bare)
    assert not facts.available(("national_id_last4", "birth_year"), notice)
    assert not facts.matches(("national_id_last4",), notice, {"national_id_last4": ""})
    with_year = notice_to(bare, data={"birth_year": 1988})
    assert facts.available(("birth_year",), with_year)
    assert facts.matches(("birth_year",), with_year, {"birth_year": "1988"})
    assert not facts.available(("postal_code",), notice)
