"""Fixtures for the visit-letter plugin's tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Account, Notice, NoticeKind, Recipient, Role
from notifysdk.testing import sample_account
from notifysdk_callscript import CallOutcome, CallReport, record_call_outcome

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
"""Monday 11:00 in Shanghai."""
SLOT = "2026-01-08T10:00:00+08:00"
"""Thursday 10:00 in Shanghai: a working day, inside the hours."""
STAFF = [{"name": "王强", "staff_id": "S-1001"}, {"name": "Li Na", "staff_id": "S-1002"}]


@pytest.fixture(autouse=True)
def only_real_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load the first-party agent plugins (not the broken example plugin)."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "callscript,visitletter")


@pytest.fixture
def clock(fake_clock: FakeClock) -> FakeClock:
    """The fake clock at :data:`NOW`."""
    fake_clock.set(NOW)
    return fake_clock


@pytest.fixture
def make_dispatcher(
    dispatcher: Callable[..., Dispatcher], tmp_path: Path
) -> Callable[..., Dispatcher]:
    """A dispatcher with an institution contact line and an in-memory ledger."""

    def build(**kw: Any) -> Dispatcher:
        kw.setdefault(
            "settings", Settings(output_dir=tmp_path / "out", institution_contact="400-800-1234")
        )
        kw.setdefault("ledger", MemoryLedger())
        return dispatcher(**kw)

    return build


def letter_notice(
    account: Account,
    kind: NoticeKind = NoticeKind.VISIT_LETTER,
    *,
    slot: Any = SLOT,
    staff: Any = None,
    locale: str | None = None,
) -> Notice:
    """A letter notice to the debtor with a slot and staff."""
    data: dict[str, Any] = {"visit": {"slot": slot}, "staff": STAFF if staff is None else staff}
    return Notice(
        kind=kind,
        channel="visitletter",
        account=account,
        locale=locale,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
        data=data,
    )


async def book(d: Dispatcher, account: Account, clock: FakeClock, slot: str = SLOT) -> None:
    """Record the appointment call that booked ``slot``."""
    await record_call_outcome(
        d.ledger,
        account,
        account.debtor,
        CallReport(
            outcome=CallOutcome.APPOINTMENT_BOOKED,
            at=clock.now(),
            number=account.debtor.contacts[0].value,
            appointment_slot=slot,
        ),
    )


@pytest.fixture
def cn_account() -> Account:
    """A Chinese debtor under the cn profile."""
    return sample_account(3)


def poppler(tool: str) -> str:
    """The path of a poppler-utils tool; skip (or fail under CI=true) when missing."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} not found: install the Debian package poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdftotext(pdf: Path, page: int | None = None) -> str:
    """The text of a PDF (or one page of it) as pdftotext extracts it."""
    args = [poppler("pdftotext"), "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    done = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")
