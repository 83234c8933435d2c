"""Faults injected by postfix's smtp-sink (``man smtp-sink``): ``-r CMD`` answers CMD
with a soft 450, ``-f CMD`` with a hard 500, ``-q CMD`` disconnects without a reply,
``-w N`` waits N seconds before answering DATA.

``-q .`` disconnects after the whole message arrived: the server may have stored it,
so that one drop is ambiguous; a drop at MAIL, RCPT or the DATA command is not."""

from __future__ import annotations

from typing import Any

import pytest
from smtp_peers import make_message

from notifysdk.errors import (
    AmbiguousDeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)


async def test_smtp_sink_accepts(smtp_sink: Any, make_channel: Any) -> None:
    channel = make_channel(port=smtp_sink().port)
    receipt = await channel.send(make_message())
    assert receipt.status == "accepted"
    assert receipt.detail["reply"].startswith("2.0.0 Ok")


@pytest.mark.parametrize("command", ["MAIL", "RCPT", "DATA", "."])
async def test_soft_reject_is_transient(smtp_sink: Any, make_channel: Any, command: str) -> None:
    channel = make_channel(port=smtp_sink("-r", command).port, pool_size=1)
    with pytest.raises(TransientDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "450"
    # a refusal is clean: the connection stays in the pool for the next message
    with pytest.raises(TransientDeliveryError):
        await channel.send(make_message(key="nk_second"))
    assert channel.pool.stats.connects == 1


@pytest.mark.parametrize("command", ["MAIL", "RCPT", "DATA", "."])
async def test_hard_reject_is_permanent(smtp_sink: Any, make_channel: Any, command: str) -> None:
    channel = make_channel(port=smtp_sink("-f", command).port)
    with pytest.raises(PermanentDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "500"
    assert "borrower@example.com" not in str(info.value)


async def test_hard_reject_at_connect_is_permanent(smtp_sink: Any, make_channel: Any) -> None:
    channel = make_channel(port=smtp_sink("-f", "CONNECT").port)
    with pytest.raises(PermanentDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "500"


@pytest.mark.parametrize("command", ["MAIL", "RCPT", "DATA"])
async def test_disconnect_before_the_payload_is_transient_and_the_pool_reconnects(
    smtp_sink: Any, make_channel: Any, command: str
) -> None:
    channel = make_channel(port=smtp_sink("-q", command).port, pool_size=1)
    for key in ("nk_first", "nk_second"):
        with pytest.raises(TransientDeliveryError) as info:
            await channel.send(make_message(key=key))
        assert info.value.provider_code == "disconnected"
        assert "may already hold" not in str(info.value)
    assert channel.pool.stats.connects == 2  # the dropped connection was replaced
    assert channel.pool.stats.discarded == 2


async def test_disconnect_after_the_final_dot_is_ambiguous(
    smtp_sink: Any, make_channel: Any
) -> None:
    channel = make_channel(port=smtp_sink("-q", ".").port, pool_size=1)
    for key in ("nk_first", "nk_second"):
        with pytest.raises(AmbiguousDeliveryError) as info:
            await channel.send(make_message(key=key))
        assert not isinstance(info.value, TransientDeliveryError)  # never retried blindly
        assert info.value.provider_code == "disconnected"
        assert "may already hold" in str(info.value)
        assert "borrower@example.com" not in str(info.value)
    assert channel.pool.stats.connects == 2
    assert channel.pool.stats.discarded == 2


async def test_421_closes_the_connection(smtp_sink: Any, make_channel: Any) -> None:
    channel = make_channel(port=smtp_sink("-Q", ".").port, pool_size=1)
    for key in ("nk_first", "nk_second"):
        with pytest.raises(TransientDeliveryError) as info:
            await channel.send(make_message(key=key))
        assert info.value.provider_code == "421"
    assert channel.pool.stats.connects == 2


async def test_timeout_before_the_payload_is_transient(smtp_sink: Any, make_channel: Any) -> None:
    # smtp-sink waits 3 s before answering the DATA command (its 354), so the payload
    # was never sent; the channel waits 0.3 s for any reply.
    channel = make_channel(port=smtp_sink("-w", "3").port, timeout=0.3, pool_size=1)
    with pytest.raises(TransientDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "timeout"
    assert "SMTP DATA timed out" in str(info.value)
    assert channel.pool.stats.discarded == 1


async def test_cancelled_send_discards_its_connection(smtp_sink: Any, make_channel: Any) -> None:
    import asyncio

    channel = make_channel(port=smtp_sink("-w", "3").port, pool_size=1)
    task = asyncio.create_task(channel.send(make_message()))
    while channel.pool.stats.leases == 0:  # wait until it holds the connection
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert channel.pool.stats.discarded == 1  # a half-done transaction is never reused
