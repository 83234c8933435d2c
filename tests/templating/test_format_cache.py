"""The formatters are cached; a cached result is always the one babel gives."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from notifysdk.templating import long_date, money


def test_one_instant_in_two_zones_keeps_two_dates() -> None:
    east = datetime.fromisoformat("2026-01-05T00:30+08:00")
    utc = datetime.fromisoformat("2026-01-04T16:30+00:00")
    assert east == utc  # equal instants: a cache keyed on the value alone would merge them
    assert long_date(east, "en") == "January 5, 2026"
    assert long_date(utc, "en") == "January 4, 2026"
    assert long_date(date(2026, 1, 5), "zh-CN") == format_date(
        date(2026, 1, 5), format="long", locale="zh_CN"
    )


def test_money_is_babels_for_every_spelling_of_an_amount() -> None:
    for amount in (Decimal("1234.5"), Decimal("1234.50"), 1234.5, 1234):
        for currency, locale in (("CNY", "zh-CN"), ("USD", "en"), ("GBP", "en-GB")):
            expected = format_currency(
                Decimal(str(amount)), currency, locale=locale.replace("-", "_")
            )
            assert money(amount, currency, locale) == expected
