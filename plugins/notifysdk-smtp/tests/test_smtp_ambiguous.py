"""Where a lost connection falls: before the payload (transient, the server holds
nothing) or after its final ``.`` (ambiguous, the server may have stored the message).

The peers are real aiosmtpd servers whose handler stores the message and then drops the
connection without replying, or never replies; and a socket bound but not listening,
for a refused connection.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from smtp_peers import LOOPBACK, Recorder, make_message

from notifysdk.channels import Attempt, ReconcileStatus
from notifysdk.clock import FakeClock
from notifysdk.errors import AmbiguousDeliveryError, TransientDeliveryError
from notifysdk_smtp.headers import message_id


def always(action: str) -> Any:
    return lambda mid, arrival: action


async def test_drop_after_the_message_was_stored_is_ambiguous(
    smtp_server: Any, make_channel: Any
) -> None:
    recorder = Recorder(after_store=always("drop"))
    channel = make_channel(port=smtp_server(recorder).port, pool_size=1)
    with pytest.raises(AmbiguousDeliveryError) as info:
        await channel.send(make_message(key="nk_dropped"))
    error = info.value
    assert not isinstance(error, TransientDeliveryError)  # the retry policy never sees it
    assert error.provider_code == "disconnected"
    assert "may already hold" in str(error) and "example.com" not in str(error)
    # ... and the server does hold it
    assert recorder.message_ids() == [message_id("nk_dropped", "lender.example")]
    assert recorder.unanswered == recorder.message_ids()
    assert channel.pool.stats.discarded == 1  # a connection out of step is never reused


async def test_no_reply_after_the_message_was_stored_is_ambiguous(
    smtp_server: Any, make_channel: Any
) -> None:
    recorder = Recorder(after_store=always("hang"))
    channel = make_channel(port=smtp_server(recorder).port, pool_size=1, timeout=0.3)
    with pytest.raises(AmbiguousDeliveryError) as info:
        await channel.send(make_message(key="nk_unanswered"))
    assert info.value.provider_code == "timeout"
    assert "no reply in time after the end of DATA" in str(info.value)
    assert len(recorder.received) == 1
    assert channel.pool.stats.discarded == 1


async def test_drop_at_rcpt_is_transient_and_nothing_is_stored(
    smtp_server: Any, make_channel: Any
) -> None:
    recorder = Recorder(drop_rcpt={"borrower@example.com"})
    channel = make_channel(port=smtp_server(recorder).port, pool_size=1)
    with pytest.raises(TransientDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "disconnected"
    assert "during RCPT" in str(info.value) and "may already hold" not in str(info.value)
    assert recorder.received == [] and recorder.data_calls == 0
    # the pool replaces the dropped connection and the next message goes out
    receipt = await channel.send(make_message(key="nk_next", to="other@example.com"))
    assert receipt.status == "accepted" and len(recorder.received) == 1
    assert channel.pool.stats.connects == 2


async def test_refused_connection_is_transient(make_channel: Any) -> None:
    # A port this test holds bound but not listening: connecting to it is refused.
    with socket.socket() as held:
        held.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        held.bind((LOOPBACK, 0))
        channel = make_channel(port=held.getsockname()[1], pool_size=1)
        with pytest.raises(TransientDeliveryError) as info:
            await channel.send(make_message())
    assert info.value.provider_code == "connect"
    assert channel.pool.stats.connects == 0


async def test_only_the_first_arrival_of_a_dropped_message_is_dropped(
    smtp_server: Any, make_channel: Any
) -> None:
    """The peer the dispatcher tests use: a resend of a dropped message is answered."""
    recorder = Recorder(after_store=lambda mid, arrival: "drop" if arrival == 1 else None)
    channel = make_channel(port=smtp_server(recorder).port, pool_size=1)
    with pytest.raises(AmbiguousDeliveryError):
        await channel.send(make_message(key="nk_twice"))
    receipt = await channel.send(make_message(key="nk_twice"))
    assert receipt.status == "accepted"
    mid = message_id("nk_twice", "lender.example")
    assert recorder.message_ids() == [mid, mid]  # a blind resend makes a second copy


async def test_dot_stuffing_keeps_lines_that_start_with_a_dot(
    smtp_server: Any, make_channel: Any
) -> None:
    """The channel writes the DATA payload itself: leading dots are doubled on the wire
    and undone by the server, so a line holding only ``.`` does not end the message."""
    recorder = Recorder()
    channel = make_channel(port=smtp_server(recorder).port)
    body = ".first line\n.\n..two dots\nlast line without newline"
    await channel.send(make_message(body=body, html=None))
    [got] = recorder.received
    text = got.parsed().get_content()
    assert text.splitlines() == body.splitlines()


async def test_reconcile_cannot_know_and_names_the_message_id(make_channel: Any) -> None:
    channel = make_channel()  # reconcile asks no server anything
    attempt = Attempt("nk_held", "smtp-email", 1, "borrower@example.com", FakeClock().now())
    result = await channel.reconcile(attempt)
    assert result.status is ReconcileStatus.UNKNOWN
    assert result.provider_id == message_id("nk_held", "lender.example")
    assert channel.pool.stats.connects == 0
