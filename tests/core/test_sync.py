"""The sync facade works with and without a running event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from notifysdk import Settings, SyncDispatcher
from notifysdk.clock import FakeClock
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.testing import MockChannel, sample_notice


def build(tmp_path: Path) -> tuple[SyncDispatcher, MockChannel]:
    ch = MockChannel()
    d = SyncDispatcher(
        Settings(output_dir=tmp_path),
        plugins=PluginManager(),
        clock=FakeClock(),
        ledger=MemoryLedger(),
        channels={"mock": ch},
    )
    return d, ch


def test_sync_send_without_a_running_loop(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    d, ch = build(tmp_path)
    with d:
        assert d.send(sample_notice(1)).status is OutcomeStatus.DELIVERED
        outcomes = d.send_many([sample_notice(i) for i in range(2, 12)], concurrency=3)
    assert [o.status.value for o in outcomes] == ["delivered"] * 10
    assert len(ch.sent) == 11 and ch.closed


async def test_sync_send_inside_a_running_loop(tmp_path: Path) -> None:
    asyncio.get_running_loop()  # we are inside one, as in a notebook or web handler
    d, ch = build(tmp_path)
    try:
        outcome = d.send(sample_notice(1))
    finally:
        d.close()
    assert outcome.status is OutcomeStatus.DELIVERED
    assert len(ch.sent) == 1


def test_sync_errors_propagate_typed(tmp_path: Path) -> None:
    from notifysdk.errors import UnknownChannelError

    d, _ = build(tmp_path)
    with d, pytest.raises(UnknownChannelError):
        d.send(sample_notice(1, channel="nope"))


def test_closed_facade_refuses_work(tmp_path: Path) -> None:
    d, _ = build(tmp_path)
    d.close()
    d.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        d.send(sample_notice(1))
