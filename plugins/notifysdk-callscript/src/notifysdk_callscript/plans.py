"""Repayment-plan options computed from an account, in exact decimal money.

A plan splits the account's total due (overdue amount plus penalty interest) into
``count`` monthly instalments. Each instalment is the total divided by ``count`` and
rounded *down* to the currency's minor unit; the last instalment takes the remainder, so
the instalments always add up to the total exactly. No fee or interest is added: the
plan is offered as forbearance (CONC 7.3), and its length is capped at
:data:`MAX_INSTALMENTS` (信用卡业务监督管理办法 Art. 70: up to 5 years).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from babel.numbers import get_currency_precision

from notifysdk.plugin import Account, InvalidInputError, long_date, money

__all__ = [
    "DEFAULT_COUNTS",
    "MAX_INSTALMENTS",
    "Instalment",
    "PlanView",
    "RepaymentPlan",
    "add_months",
    "as_of",
    "plan_options",
    "repayment_plans",
]

MAX_INSTALMENTS = 60
"""The longest plan offered, in monthly instalments (5 years)."""

DEFAULT_COUNTS: tuple[int, ...] = (1, 3, 6, 12)
"""The plans offered when a notice does not say: pay in full, 3, 6 and 12 months."""


@dataclass(frozen=True)
class Instalment:
    """One instalment: its number (from 1), due date and amount."""

    number: int
    due: date
    amount: Decimal


@dataclass(frozen=True)
class RepaymentPlan:
    """A plan: its instalments, and their exact total."""

    count: int
    currency: str
    instalments: tuple[Instalment, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the instalments (equal to the account's total due)."""
        return sum((i.amount for i in self.instalments), Decimal("0"))

    @property
    def first_due(self) -> date:
        """The first instalment's due date."""
        return self.instalments[0].due

    @property
    def last_due(self) -> date:
        """The last instalment's due date."""
        return self.instalments[-1].due


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def as_of(account: Account) -> date:
    """The date the account's figures are as of: due date plus days overdue."""
    return account.due_date + timedelta(days=account.days_overdue)


def _check_count(count: object, field: str) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise InvalidInputError(field, "instalment count must be a whole number")
    if not 1 <= count <= MAX_INSTALMENTS:
        raise InvalidInputError(
            field, f"instalment count must be between 1 and {MAX_INSTALMENTS} (5 years)"
        )
    return count


def plan_options(
    account: Account,
    counts: Iterable[int] = DEFAULT_COUNTS,
    *,
    start: date | None = None,
    first_in_days: int = 7,
) -> list[RepaymentPlan]:
    """One plan per instalment count, the first instalment ``first_in_days`` after
    ``start`` (default: :func:`as_of`), then monthly."""
    if first_in_days < 0:
        raise InvalidInputError("repayment_plan.first_in_days", "must not be negative")
    first = (start or as_of(account)) + timedelta(days=first_in_days)
    total = account.total_due
    unit = Decimal(1).scaleb(-get_currency_precision(account.currency))
    plans: list[RepaymentPlan] = []
    for i, raw in enumerate(counts):
        n = _check_count(raw, f"repayment_plan.counts[{i}]")
        each = (total / n).quantize(unit, rounding=ROUND_DOWN)
        amounts = [each] * (n - 1) + [total - each * (n - 1)]
        plans.append(
            RepaymentPlan(
                n,
                account.currency,
                tuple(
                    Instalment(k + 1, add_months(first, k), amt) for k, amt in enumerate(amounts)
                ),
            )
        )
    return plans


@dataclass(frozen=True)
class PlanView:
    """A plan formatted for one locale, for templates."""

    count: int
    instalment: str
    """The regular instalment (all but possibly the last)."""
    last_instalment: str
    total: str
    first_due: str
    last_due: str
    schedule: tuple[tuple[str, str], ...]
    """(due date, amount) for each instalment, formatted."""


def repayment_plans(
    account: Account,
    locale: str = "en",
    counts: Sequence[int] | None = None,
    first_in_days: int = 7,
) -> list[PlanView]:
    """Jinja filter: ``account | repayment_plans(locale, data.plan_counts)``."""
    out: list[PlanView] = []
    for plan in plan_options(account, counts or DEFAULT_COUNTS, first_in_days=first_in_days):
        fmt = [
            (long_date(i.due, locale), money(i.amount, plan.currency, locale))
            for i in plan.instalments
        ]
        out.append(
            PlanView(
                count=plan.count,
                instalment=fmt[0][1],
                last_instalment=fmt[-1][1],
                total=money(plan.total, plan.currency, locale),
                first_due=fmt[0][0],
                last_due=fmt[-1][0],
                schedule=tuple(fmt),
            )
        )
    return out
