"""``explain``, ``preview`` and a send reach the same verdict for the same notice and
clock, content rules included: all three run the dispatcher's one ``prepare``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from notifysdk.cli.preview import preview
from notifysdk.clock import FakeClock
from notifysdk.compliance.explain import explain
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import Medium, Notice, NoticeKind, OutcomeStatus, Recipient, Role

from .conftest import us_account

NO_OPTOUT = Path(__file__).parent / "templates_no_optout"
NY_NOON = datetime.fromisoformat("2026-01-05T12:00:00-05:00")
NY_NIGHT = datetime.fromisoformat("2026-01-05T23:30:00-05:00")


class NoOptOutSms:
    """An English overdue SMS without the opt-out line Reg F requires."""

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        """Register the template folder."""
        register(NO_OPTOUT)


@pytest.mark.parametrize(
    ("templates", "at", "status", "verdict", "rule"),
    [
        (False, NY_NOON, OutcomeStatus.DELIVERED, "allow", None),
        # Stopped at the policy stage: 23:30 in New York is outside Reg F's hours.
        (False, NY_NIGHT, OutcomeStatus.DEFERRED, "defer", "contact-window"),
        # Stopped at the content stage: the rendered SMS lacks the opt-out line.
        (True, NY_NOON, OutcomeStatus.BLOCKED, "deny", "required-content"),
    ],
)
async def test_explain_preview_and_send_agree(
    register_plugin: Callable[..., str],
    fake_clock: FakeClock,
    tmp_path: Path,
    templates: bool,
    at: datetime,
    status: OutcomeStatus,
    verdict: str,
    rule: str | None,
) -> None:
    if templates:
        register_plugin(NoOptOutSms(), "no-optout-sms")
    fake_clock.set(at)
    settings = Settings(
        output_dir=tmp_path / "out",
        ledger_url=f"sqlite:///{tmp_path}/ledger.db",
        recover_on_start=False,
    )
    account = us_account(3)
    notice = Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel="capture-sms",
        account=account,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
        locale="en",
    )
    async with Dispatcher(settings, clock=fake_clock) as d:
        explained = await explain(d, notice, at)
        previewed = await preview(
            settings, notice.kind, [Medium.SMS], ["en"], Role.DEBTOR, account, fake_clock
        )
        sent = await d.send(notice)
    assert sent.status is status, sent.reason
    assert sent.rule == rule
    assert explained.verdict == verdict
    assert explained.as_dict()["decision"]["rule"] == rule
    assert previewed[0]["verdict"] == verdict
    assert previewed[0].get("rule") == rule
