"""The repayment plans the page offers, in exact decimal money.

The same computation as the call-script plugin's :func:`notifysdk_callscript.plans.
plan_options` (the core never imports a plugin; ``tests/selfservice/test_plans.py``
holds the two to the same figures): the total due split into ``count`` monthly
instalments, each rounded *down* to the currency's minor unit, the last taking the
remainder, so they add up to the total exactly; no fee or interest (forbearance, CONC
7.3); at most 60 instalments. The first is due ``first_in_days`` after today.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from babel.numbers import get_currency_precision

from ..models import Account

MAX_INSTALMENTS = 60


@dataclass(frozen=True)
class PlanOption:
    """One plan: ``count`` instalments as (due date, amount)."""

    count: int
    currency: str
    instalments: tuple[tuple[date, Decimal], ...]

    @property
    def total(self) -> Decimal:
        """The instalments' sum (the account's total due)."""
        return sum((a for _, a in self.instalments), Decimal("0"))

    @property
    def first_due(self) -> date:
        """The first instalment's date."""
        return self.instalments[0][0]


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_options(
    account: Account, counts: tuple[int, ...], *, today: date, first_in_days: int
) -> list[PlanOption]:
    """One plan per count (1: pay in full), the first instalment ``first_in_days``
    after ``today``, then monthly. Nothing to pay: no plans."""
    total = account.total_due
    if total <= 0:
        return []
    unit = Decimal(1).scaleb(-get_currency_precision(account.currency))
    first = today + timedelta(days=first_in_days)
    out: list[PlanOption] = []
    for n in counts:
        if not 1 <= n <= MAX_INSTALMENTS:
            continue
        each = (total / n).quantize(unit, rounding=ROUND_DOWN)
        if n > 1 and each <= 0:
            continue  # a total too small to split
        amounts = [each] * (n - 1) + [total - each * (n - 1)]
        out.append(
            PlanOption(
                n,
                account.currency,
                tuple((add_months(first, k), a) for k, a in enumerate(amounts)),
            )
        )
    return out
