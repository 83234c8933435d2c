"""Repayment plans: exact decimal totals, dates, limits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.errors import InvalidInputError
from notifysdk.testing import sample_account
from notifysdk_callscript.plans import MAX_INSTALMENTS, add_months, plan_options, repayment_plans


@settings(deadline=None, max_examples=200)
@given(
    cents=st.integers(min_value=1, max_value=10**9),
    count=st.integers(min_value=1, max_value=MAX_INSTALMENTS),
)
def test_instalments_add_up_to_the_total_exactly(cents: int, count: int) -> None:
    account = sample_account().model_copy(
        update={"overdue_amount": Decimal(cents) / 100, "penalty_interest": Decimal("0")}
    )
    (plan,) = plan_options(account, [count])
    assert plan.total == account.total_due
    assert len(plan.instalments) == count
    regular = {i.amount for i in plan.instalments[:-1]}
    assert len(regular) <= 1
    if regular:
        each = regular.pop()
        assert Decimal(0) <= plan.instalments[-1].amount - each < Decimal("0.01") * count


def test_monthly_dates_start_a_week_after_the_as_of_date_and_clamp_month_ends() -> None:
    account = sample_account()  # as of 2026-01-05
    (plan,) = plan_options(account, [3])
    assert [i.due for i in plan.instalments] == [
        date(2026, 1, 12),
        date(2026, 2, 12),
        date(2026, 3, 12),
    ]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_zero_decimal_currency_rounds_to_whole_units() -> None:
    account = sample_account(currency="JPY").model_copy(
        update={"overdue_amount": Decimal("10000"), "penalty_interest": Decimal("0")}
    )
    (plan,) = plan_options(account, [3])
    assert [i.amount for i in plan.instalments] == [Decimal(3333), Decimal(3333), Decimal(3334)]


@pytest.mark.parametrize("bad", [0, MAX_INSTALMENTS + 1, -3, True, "6"])
def test_bad_instalment_count_is_a_typed_error_naming_the_field(bad: object) -> None:
    with pytest.raises(InvalidInputError) as err:
        plan_options(sample_account(), [3, bad])  # type: ignore[list-item]
    assert err.value.field == "repayment_plan.counts[1]"


def test_filter_formats_for_the_locale() -> None:
    zh = repayment_plans(sample_account(), "zh-CN", [1, 3])
    assert zh[0].total == "¥1,246.80" and zh[0].first_due == "2026年1月12日"
    assert zh[1].instalment == "¥415.60" and zh[1].last_due == "2026年3月12日"
    en = repayment_plans(sample_account(currency="USD"), "en", [12])
    assert en[0].instalment == "$103.90" and en[0].last_due == "December 12, 2026"
