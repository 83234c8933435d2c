"""Send one overdue-notice SMS to a borrower, synchronously, and print the outcome.

    python examples/send_one_sms.py [--now 2026-01-05T02:00:00+00:00]

The notice goes through every stage -- compliance rules, template (zh-CN here), masking,
the ledger -- to the ``capture-sms`` channel, which writes the SMS to
``.notifysdk/out/sms/`` instead of sending it. To really send, install
plugins/notifysdk-twilio, set TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN and use the channel
``"twilio-sms"``. Run it twice: the second time the ledger (SQLite under ./.notifysdk/)
knows the idempotency key and nothing is sent again.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

from _common import clock_from_args

from notifysdk import (
    Account,
    Notice,
    NoticeKind,
    Person,
    PhoneContact,
    Recipient,
    Role,
    Settings,
    SyncDispatcher,
)

CHANNEL = "capture-sms"  # real: "twilio-sms"


def main(argv: list[str] | None = None) -> int:
    """Build one notice, send it, print what happened."""
    clock = clock_from_args(__doc__.splitlines()[0], argv)
    debtor = Person(
        person_id="P-1001",
        name="王芳",
        locale="zh-CN",
        time_zone="Asia/Shanghai",
        country="CN",
        contacts=(PhoneContact(value="+8613800138000"),),
    )
    account = Account(
        account_id="A-1001",
        loan_id="LN20260001001",
        institution="示例消费金融",
        currency="CNY",
        principal=Decimal("8000.00"),
        overdue_amount=Decimal("1250.00"),
        penalty_interest=Decimal("6.25"),
        due_date=date(2025, 12, 31),
        days_overdue=5,
        debtor=debtor,
        profiles=("cn",),
    )
    notice = Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel=CHANNEL,
        account=account,
        recipient=Recipient(person=debtor, role=Role.DEBTOR),
    )
    with SyncDispatcher(Settings.load(), clock=clock) as dispatcher:
        outcome = dispatcher.send(notice)
    print(
        f"outcome: {outcome.status.value}"
        + (" (duplicate: nothing sent)" if outcome.duplicate else "")
    )
    if outcome.rule:
        print(f"rule: {outcome.rule}: {outcome.reason}")
    if outcome.receipt is not None and "path" in outcome.receipt.detail:
        print(f"written to: {outcome.receipt.detail['path']}")
    return 0 if outcome.status.value in ("delivered", "deferred") else 1


if __name__ == "__main__":
    sys.exit(main())
