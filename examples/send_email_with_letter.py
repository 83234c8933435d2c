"""Send an overdue-notice email with a PDF letter attached, and print the outcome.

    python examples/send_email_with_letter.py [--now 2026-01-05T02:00:00+00:00]

The letter is attached through ``Notice.attachments``; the dispatcher refuses
attachments on any channel or recipient role below full disclosure (the leak guard
cannot read a PDF), so a letter only ever goes to the debtor on a sealed medium.

Here a one-page PDF made with fpdf2 stands in for the letter; with
plugins/notifysdk-visitletter installed, its visit letter (上门通知函, with embedded
Chinese fonts) is the real thing. The ``capture-email`` channel writes a real .eml
(MIME, with the PDF) to ``.notifysdk/out/email/``; to really send, use the
plugins/notifysdk-smtp channel ``"smtp-email"`` with its SMTP settings.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

from _common import clock_from_args
from fpdf import FPDF

from notifysdk import (
    Account,
    Attachment,
    EmailContact,
    Notice,
    NoticeKind,
    Person,
    Recipient,
    Role,
    Settings,
    SyncDispatcher,
)

CHANNEL = "capture-email"  # real: "smtp-email"


def letter_pdf(account: Account) -> bytes:
    """A minimal one-page letter (the visitletter plugin renders the real one)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    lines = [
        account.institution,
        "",
        "PRIVATE AND CONFIDENTIAL",
        f"Notice of overdue payment - agreement ending {account.loan_id[-4:]}",
        f"Amount overdue: {account.currency} {account.total_due:,.2f}",
        f"Days overdue: {account.days_overdue}",
        "",
        "Please contact us to agree a repayment plan that works for you.",
    ]
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def main(argv: list[str] | None = None) -> int:
    """Build the notice with its letter, send it, print what happened."""
    clock = clock_from_args(__doc__.splitlines()[0], argv)
    debtor = Person(
        person_id="P-2001",
        name="Jordan Lee",
        locale="en",
        time_zone="America/New_York",
        country="US",
        contacts=(EmailContact(value="jordan.lee@example.com"),),
    )
    account = Account(
        account_id="A-2001",
        loan_id="LN20260002001",
        institution="Example Lending",
        currency="USD",
        principal=Decimal("5000.00"),
        overdue_amount=Decimal("420.00"),
        due_date=date(2025, 12, 2),
        days_overdue=34,
        debtor=debtor,
        profiles=("us-regf",),
    )
    notice = Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel=CHANNEL,
        account=account,
        recipient=Recipient(person=debtor, role=Role.DEBTOR),
        attachments=(
            Attachment(
                filename="overdue-letter.pdf",
                content_type="application/pdf",
                data=letter_pdf(account),
            ),
        ),
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
