"""Fixtures for the call-script plugin's tests: a US debtor, a Chinese debtor, a
dispatcher wired to the real plugins (compliance engine included) and a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Account, Notice, NoticeKind, Recipient, Role
from notifysdk.testing import sample_account

US_MORNING = datetime(2026, 1, 6, 15, 0, tzinfo=UTC)
"""Tuesday 10:00 in New York: inside every contact window."""


@pytest.fixture(autouse=True)
def only_real_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load the first-party agent plugins (not the broken example plugin)."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "callscript,visitletter")


@pytest.fixture
def us_account() -> Account:
    """An English-speaking US debtor under Reg F, in New York."""
    return sample_account(
        7,
        profiles=("us-regf",),
        locale="en",
        currency="USD",
        phone="+12125550123",
        time_zone="America/New_York",
        country="US",
    )


@pytest.fixture
def cn_account() -> Account:
    """A Chinese debtor under the cn profile."""
    return sample_account(8)


@pytest.fixture
def make_dispatcher(
    dispatcher: Callable[..., Dispatcher], tmp_path: Path
) -> Callable[..., Dispatcher]:
    """A dispatcher with an institution contact line and an in-memory ledger."""

    def build(**kw: object) -> Dispatcher:
        kw.setdefault(
            "settings", Settings(output_dir=tmp_path / "out", institution_contact="400-800-1234")
        )
        kw.setdefault("ledger", MemoryLedger())
        return dispatcher(**kw)

    return build


def call_notice(
    account: Account,
    *,
    kind: NoticeKind = NoticeKind.APPOINTMENT_CALL,
    locale: str | None = None,
    **kw: object,
) -> Notice:
    """A call-script notice to the account's debtor."""
    return Notice(
        kind=kind,
        channel="callscript",
        account=account,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
        locale=locale,
        **kw,
    )  # type: ignore[arg-type]


@pytest.fixture
def us_clock(fake_clock: FakeClock) -> FakeClock:
    """The fake clock set to a weekday morning in New York."""
    fake_clock.set(US_MORNING)
    return fake_clock
