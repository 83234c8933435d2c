"""Synthetic portfolios: deterministic, obviously fake accounts for examples, tests and
benchmarks.

Phone numbers are in fictional ranges (US 555-01xx), email addresses use the reserved
``example.com``/``example.cn`` domains, names are drawn from short lists. The same
``seed`` always yields the same rows.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from .portfolio import CSV_COLUMNS

__all__ = ["STAGE_DAYS", "synthetic_rows", "write_csv"]

STAGE_DAYS = (-3, 1, 3, 7, 15, 20, 30, 45, 60)
"""Days overdue of the default ladder's stages; most synthetic accounts land on one."""

_CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_CN_GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
)
_CN_CITIES = (
    ("上海", "Asia/Shanghai"),
    ("北京", "Asia/Shanghai"),
    ("成都", "Asia/Shanghai"),
    ("广州", "Asia/Shanghai"),
    ("乌鲁木齐", "Asia/Urumqi"),
)
_US_FIRST = ("Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn")
_US_LAST = ("Smith", "Johnson", "Lee", "Garcia", "Brown", "Davis", "Miller", "Wilson", "Moore")
_US_CITIES = (
    ("New York", "NY", "212", "America/New_York"),
    ("Chicago", "IL", "312", "America/Chicago"),
    ("Denver", "CO", "303", "America/Denver"),
    ("San Francisco", "CA", "415", "America/Los_Angeles"),
)
_CN_INSTITUTIONS = ("示例消费金融", "示例银行")
_US_INSTITUTIONS = ("Example Lending", "Example Bank")


def synthetic_rows(
    n: int, *, seed: int = 20260105, as_of: date = date(2026, 1, 5), us_share: float = 0.4
) -> Iterator[dict[str, str]]:
    """Yield ``n`` flat portfolio records (CSV column → text), deterministically."""
    rng = random.Random(seed)
    for i in range(1, n + 1):
        us = rng.random() < us_share
        days = rng.choice(STAGE_DAYS) if rng.random() < 0.7 else rng.randint(-6, 90)
        principal = rng.randrange(1_000, 50_000, 50)
        overdue = round(principal * rng.uniform(0.05, 0.3), 2)
        penalty = round(overdue * 0.0005 * max(days, 0), 2)
        row = dict.fromkeys(CSV_COLUMNS, "")
        row.update(
            account_id=f"ACC{i:07d}",
            loan_id=f"LN{as_of.year}{i:08d}",
            principal=f"{principal:.2f}",
            overdue_amount=f"{overdue:.2f}",
            penalty_interest=f"{penalty:.2f}",
            due_date=(as_of - timedelta(days=days)).isoformat(),
            days_overdue=str(days),
            debtor_id=f"P{i:07d}",
            phone_opted_out="true" if rng.random() < 0.05 else "false",
            email_opted_out="false",
        )
        if us:
            city, region, area, tz = rng.choice(_US_CITIES)
            row.update(
                institution=rng.choice(_US_INSTITUTIONS),
                currency="USD",
                profiles="us-regf",
                debtor_name=f"{rng.choice(_US_FIRST)} {rng.choice(_US_LAST)}",
                locale="en",
                time_zone=tz,
                country="US",
                phone=f"+1{area}55501{rng.randrange(100):02d}",
                phone_consent="express",
                address_line1=f"{rng.randrange(1, 999)} Example Street",
                city=city,
                region=region,
                postal_code=f"{rng.randrange(10000, 99999)}",
                address_country="US",
            )
        else:
            city, tz = rng.choice(_CN_CITIES)
            row.update(
                institution=rng.choice(_CN_INSTITUTIONS),
                currency="CNY",
                profiles="cn",
                debtor_name=rng.choice(_CN_SURNAMES) + rng.choice(_CN_GIVEN),
                locale="zh-CN",
                time_zone=tz,
                country="CN",
                phone=f"+86138{rng.randrange(10**8):08d}",
                phone_consent="contract",
                address_line1=f"示例路{rng.randrange(1, 999)}号",
                city=city,
                postal_code=f"{rng.randrange(100000, 999999)}",
                address_country="CN",
            )
        if rng.random() < 0.85:
            row["email"] = f"borrower{i}@example.{'com' if us else 'cn'}"
        if rng.random() < 0.03:
            row["states"] = "dispute"
        yield row


def write_csv(out: TextIO | Path, n: int, **kwargs: object) -> int:
    """Write ``n`` synthetic records as a portfolio CSV; returns the number written. A
    file is created ``0600`` in a ``0700`` folder: the records look like personal data,
    and a real export written this way would be."""
    if isinstance(out, Path):
        from ..files import private_file

        private_file(out)
        with out.open("w", encoding="utf-8", newline="") as f:
            return write_csv(f, n, **kwargs)
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in synthetic_rows(n, **kwargs):  # type: ignore[arg-type]
        writer.writerow(row)
        count += 1
    return count
