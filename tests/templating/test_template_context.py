"""Template variables come from the SDK; a notice's ``data`` is reachable under ``data``
only and never replaces an SDK variable."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import OutcomeStatus
from notifysdk.templating import notice_context
from notifysdk.testing import sample_account, sample_notice

SDK_VARIABLES = {
    "notice",
    "kind",
    "locale",
    "account",
    "debtor",
    "recipient",
    "role",
    "institution",
    "agency",
    "institution_contact",
    "neutral_sender",
    "self_service_url",
    "amount_due",
    "overdue_amount",
    "principal",
    "penalty_interest",
    "due_date",
    "days_overdue",
    "today",
    "data",
}

FORGED = {
    "amount_due": "¥0.00",
    "institution": "Evil Collections",
    "days_overdue": 0,
    "recipient": {"name": "Someone Else"},
    "data": {"x": 1},
    "self_service_url": "https://phish.example/pay",
}


def test_the_context_holds_the_sdk_variables_whatever_the_data() -> None:
    notice = sample_notice(data=FORGED)
    context = notice_context(notice, now=datetime(2026, 1, 5, tzinfo=UTC))
    assert set(context) == SDK_VARIABLES
    assert context["data"] == FORGED
    assert str(context["amount_due"]) == "¥1,246.80"
    assert context["institution"] == "Example Bank"
    assert context["self_service_url"] == ""  # a notice's data never names the link


async def test_data_cannot_change_the_amount_printed_in_an_sms(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    d = dispatcher()
    notice = sample_notice(channel="capture-sms", data=FORGED)
    outcome = await d.send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    body = json.loads(Path(outcome.receipt.detail["path"]).read_text(encoding="utf-8"))["body"]
    assert "¥1,246.80" in body and "Example Bank" in body and "逾期10天" in body
    assert "¥0.00" not in body and "Evil Collections" not in body and "逾期0天" not in body


async def test_a_template_reads_data_under_its_own_name(
    dispatcher: Callable[..., Dispatcher], register_plugin: Callable[..., str], tmp_path: Path
) -> None:
    folder = tmp_path / "tpl"
    (folder / "overdue_notice").mkdir(parents=True)
    (folder / "overdue_notice" / "sms.en.txt.j2").write_text(
        "{{ institution }} says {{ amount_due }}; data says {{ data.amount_due }}."
        "{% if amount_due is string %} (a string?){% endif %}",
        encoding="utf-8",
    )

    class Pack:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(folder)

    register_plugin(Pack(), "pack")
    notice = sample_notice(
        account=sample_account(locale="en"), channel="capture-sms", data={"amount_due": "0"}
    )
    outcome = await dispatcher().send(notice)
    assert outcome.receipt is not None, outcome.reason
    body = json.loads(Path(outcome.receipt.detail["path"]).read_text(encoding="utf-8"))["body"]
    assert body.strip() == "Example Bank says CN¥1,246.80; data says 0."
