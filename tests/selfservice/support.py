"""What the self-service tests share: a debtor whose record holds the facts the page
asks for, notices to them, and the raw values a page or a log must never show."""

from __future__ import annotations

from decimal import Decimal

from notifysdk.enums import Medium
from notifysdk.models import Account, EmailContact, Notice, PhoneContact, PostalAddress
from notifysdk.testing import MockChannel, sample_account, sample_notice

NATIONAL_ID = "11010519491231002X"
"""A valid GB 11643 resident ID (the standard's own example): born 1949."""
BIRTH_YEAR = "1949"
PHONE = "+8613912345678"
EMAIL = "zhang.wei@example.com"
WORK_PHONE = "+862161234567"


def debtor_account(
    n: int = 1, *, locale: str = "zh-CN", profiles: tuple[str, ...] = ("cn",)
) -> Account:
    """An overdue account (``cn`` by default) whose debtor has a national ID, a mobile,
    a work line and an email."""
    base = sample_account(n, locale=locale, profiles=profiles)
    person = base.debtor.model_copy(
        update={
            "national_id": NATIONAL_ID,
            "contacts": (
                PhoneContact(value=PHONE),
                PhoneContact(value=WORK_PHONE, line_type="work"),
                EmailContact(value=EMAIL),
                PostalAddress(lines=("88 Huaihai Road",), city="Shanghai", country="CN"),
            ),
        }
    )
    return base.model_copy(update={"debtor": person, "overdue_amount": Decimal("1234.50")})


def notice_to(account: Account, channel: str = "sms", **kw: object) -> Notice:
    """A notice to the debtor of ``account`` on ``channel``."""
    return sample_notice(account=account, channel=channel, **kw)  # type: ignore[arg-type]


def channels() -> tuple[MockChannel, MockChannel]:
    """A mock SMS channel named ``sms`` and a mock email channel named ``email``."""
    return (
        MockChannel(name="sms"),
        MockChannel(name="email", medium=Medium.EMAIL, contact_kind="email"),
    )


def raw_values(account: Account) -> list[str]:
    """What an unverified visitor, a log or the ledger must never show in clear."""
    p = account.debtor
    return [
        p.name,
        NATIONAL_ID,
        NATIONAL_ID[-4:],
        PHONE,
        PHONE[3:],
        EMAIL,
        WORK_PHONE,
        account.loan_id,
        "1,246.80",
        "1246.80",
        "1,234.50",
        "5,000.00",
    ]
