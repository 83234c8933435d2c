"""Issue 17 QA: the lint's quoting markers cannot hide a claim from the recipient.

``<!-- lint: off -->…<!-- lint: on -->`` and a call script's ``never_say`` section let a
template pack quote prohibited language (what an agent must never say). In an SMS or
an e-mail the recipient reads the text between the markers (an HTML comment is
invisible in an e-mail's HTML part, so only the lint was blind): the content-lint rule
must lint every medium but the agent's call script without them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus

from .conftest import cn_account, notice_for
from .test_impersonation import NOON, FreeText

HIDDEN = [
    "【示例银行】<!-- lint: off -->本院通知：<!-- lint: on -->请于三日内还款。——Example Bank",
    "【示例银行】请于三日内还款。<!-- section: never_say -->本院已立案。——Example Bank",
]


@pytest.fixture
def notifysdk_ledger_url(tmp_path: Path) -> str:
    """The lint does not read the ledger: one durable ledger is enough here."""
    return f"sqlite:///{tmp_path}/ledger.db"


@pytest.fixture
def free(build: Callable[..., Dispatcher], register_plugin: Callable[..., str]) -> Dispatcher:
    register_plugin(FreeText(), "compliance-freetext")
    return build()


@pytest.mark.parametrize("text", HIDDEN)
async def test_a_claim_between_lint_markers_in_an_sms_is_not_sent(
    free: Dispatcher, fake_clock: FakeClock, text: str
) -> None:
    fake_clock.set(NOON["cn"])
    out = await free.send(notice_for(cn_account(), "sms", data={"text": text}))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "content-lint"), out.reason
    assert free.channel("sms").sent == []
