"""Issue 17 QA: an account event's note recorded by account id (what the CLI does) is
masked with the account's own names, as one recorded with the Account object is.

A name is found by no detector, only as a known value: by id, the note "张伟 disputes
the fee, his wife 王芳 called" was stored and listed with both names in clear. The
ledger knows the account's people from the notices it stores for it. SQLite and
PostgreSQL, through the API and ``notifysdk account events``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifysdk.account_events import AccountEvent, account_events, just_after, record_account_event
from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus, Party, Person, PhoneContact, Role
from notifysdk.testing import sample_account, sample_notice

NIGHT = datetime.fromisoformat("2026-01-05T23:30:00+08:00")
NOTE = "张伟 disputes the fee, his wife 王芳 called from 13912345678"


def _account() -> object:
    account = sample_account(1)  # debtor 张伟
    wife = Person(
        person_id="P-W",
        name="王芳",
        locale="zh-CN",
        contacts=(PhoneContact(value="+8613912345678"),),
    )
    return account.model_copy(
        update={"parties": (Party(person=wife, role=Role.EMERGENCY_CONTACT),)}
    )


@pytest.fixture
async def deferred(
    durable_ledger_url: str, tmp_path: Path, notifysdk_plugins: object
) -> AsyncIterator[Dispatcher]:
    """A dispatcher whose ledger stores one deferred notice of the account."""
    settings = Settings(
        ledger_url=durable_ledger_url,
        key_dir=tmp_path / "keys",
        output_dir=str(tmp_path / "out"),
    )
    async with Dispatcher(settings, clock=FakeClock(NIGHT)) as d:
        notice = sample_notice(1, account=_account(), channel="capture-sms")
        assert (await d.send(notice)).status is OutcomeStatus.DEFERRED
        yield d


async def test_a_note_recorded_by_id_is_masked_with_the_accounts_names(
    deferred: Dispatcher,
) -> None:
    d = deferred
    stored = await record_account_event(
        d.ledger, "A000001", AccountEvent("dispute", NIGHT, note=NOTE), redactor=d.redactor
    )
    (read,) = await account_events(d.ledger, "A000001", before=just_after(NIGHT))
    for note in (stored.note, read.note):
        assert note is not None and "disputes the fee" in note
        assert "张伟" not in note and "王芳" not in note and "13912345678" not in note


def test_the_cli_lists_a_note_recorded_by_id_masked(
    tmp_path: Path, notifysdk_plugins: object
) -> None:
    import asyncio

    config = tmp_path / "notifysdk.toml"
    config.write_text(
        "[notifysdk]\n"
        f'ledger_url = "sqlite:///{tmp_path}/ledger.db"\n'
        f'output_dir = "{tmp_path}/out"\n',
        encoding="utf-8",
    )

    async def defer() -> None:
        async with Dispatcher(Settings.load(config), clock=FakeClock(NIGHT)) as d:
            notice = sample_notice(1, account=_account(), channel="capture-sms")
            assert (await d.send(notice)).status is OutcomeStatus.DEFERRED

    asyncio.run(defer())
    runner = CliRunner()
    recorded = runner.invoke(
        get_app(),
        ["account", "event", "record", "A000001", "dispute", "--note", NOTE, "-c", str(config)],
    )
    assert recorded.exit_code == 0, recorded.output
    listed = runner.invoke(get_app(), ["account", "events", "A000001", "--json", "-c", str(config)])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert "disputes the fee" in row["note"]
    assert "张伟" not in row["note"] and "王芳" not in row["note"]
