"""The smtp-email channel against a real aiosmtpd server on loopback: what arrives is
exactly what was sent; the pool keeps N connections and reconnects after a drop;
partial refusals are reported; header injection never reaches the wire."""

from __future__ import annotations

import asyncio
import email
import logging
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import compat32
from typing import Any

import pytest
from smtp_peers import PDF_BYTES, Recorder, make_message

from notifysdk.channels import Attempt, ReconcileStatus
from notifysdk.errors import InvalidEmailError, PermanentDeliveryError, TransientDeliveryError
from notifysdk.models import Attachment
from notifysdk_smtp.headers import message_id, unsubscribe_token


def _text_parts(msg: EmailMessage) -> dict[str, str]:
    return {
        # base64 text carries the canonical CRLF line ends (RFC 2045 2.10)
        part.get_content_type(): str(part.get_content()).replace("\r\n", "\n")
        for part in msg.walk()
        if part.get_content_maintype() == "text" and not part.is_attachment()
    }


async def test_aiosmtpd_receives_exactly_what_was_sent(smtp_server: Any, make_channel: Any) -> None:
    recorder = Recorder()
    server = smtp_server(recorder)
    channel = make_channel(port=server.port)
    message = make_message(
        attachments=(
            Attachment(filename="催收函-visit.pdf", content_type="application/pdf", data=PDF_BYTES),
        ),
        headers={"X-Campaign": "overdue-d10"},
    )

    receipt = await channel.send(message)

    assert len(recorder.received) == 1
    got = recorder.received[0]
    assert got.mail_from == "notices@lender.example"
    assert got.rcpt_tos == ["borrower@example.com"]
    raw_headers = got.data.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()  # the Chinese subject travels as RFC 2047 words
    assert b"=?utf-8?" in raw_headers
    mail = got.parsed()
    assert mail["Subject"] == "示例银行：您的贷款已逾期 10 天"
    raw_subject = email.message_from_bytes(got.data, policy=compat32)["Subject"]
    assert raw_subject.isascii()
    assert str(make_header(decode_header(raw_subject))) == "示例银行：您的贷款已逾期 10 天"
    assert mail["To"] == "borrower@example.com"
    assert mail["From"].addresses[0].display_name == "Example Bank"
    assert mail["From"].addresses[0].addr_spec == "notices@lender.example"
    assert mail["Message-ID"] == message_id(message.idempotency_key, "lender.example")
    assert mail["Message-ID"] == receipt.provider_id
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Campaign"] == "overdue-d10"
    assert mail["Content-Language"] == "zh-CN"
    assert mail["Date"] is not None

    token = unsubscribe_token(message.idempotency_key, "unsub-secret-value")
    assert mail["List-Unsubscribe"] == (
        f"<mailto:optout@lender.example?subject=unsubscribe%20{token}>, "
        f"<https://lender.example/unsubscribe?t={token}>"
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert mail.get_content_type() == "multipart/mixed"
    assert _text_parts(mail) == {"text/plain": message.body, "text/html": f"{message.html}\n"}
    attachments = list(mail.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["催收函-visit.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == PDF_BYTES

    assert receipt.status == "accepted"
    assert receipt.detail["reply"].startswith("2.0.0 Ok: queued as Q1")


async def test_text_only_message_is_a_single_part(smtp_server: Any, make_channel: Any) -> None:
    recorder = Recorder()
    channel = make_channel(port=smtp_server(recorder).port, unsubscribe_url=None)
    await channel.send(make_message(html=None, subject="Your loan payment is overdue"))
    mail = recorder.received[0].parsed()
    assert mail.get_content_type() == "text/plain"
    assert mail["Subject"] == "Your loan payment is overdue"
    assert mail["List-Unsubscribe"].startswith("<mailto:")
    assert mail["List-Unsubscribe-Post"] is None  # one-click needs an https URI


async def test_message_id_is_stable_across_sends(smtp_server: Any, make_channel: Any) -> None:
    recorder = Recorder()
    channel = make_channel(port=smtp_server(recorder).port)
    await channel.send(make_message(key="nk_same"))
    await channel.send(make_message(key="nk_same"))
    await channel.send(make_message(key="nk_other"))
    ids = recorder.message_ids()
    assert ids[0] == ids[1] != ids[2]


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("message.subject", {"subject": "Overdue\r\nBcc: victim@example.com"}),
        ("message.subject", {"subject": "Overdue\nX-Evil: 1"}),
        ("message.headers.X-Campaign", {"headers": {"X-Campaign": "a\r\nBcc: x@example.com"}}),
        ("message.headers.'Bcc'", {"headers": {"Bcc": "x@example.com"}}),
        ("message.headers.'X Bad'", {"headers": {"X Bad": "1"}}),
        (
            "message.attachments[0].filename",
            {"attachments": (Attachment(filename="a\r\n.pdf", data=b"x"),)},
        ),
        (
            "message.attachments[0].content_type",
            {"attachments": (Attachment(filename="a.pdf", content_type="pdf\r\nX: 1", data=b"x"),)},
        ),
        ("message.to", {"to": "borrower@example.com\r\nBcc: x@example.com"}),
    ],
)
async def test_header_injection_is_refused_before_connecting(
    smtp_server: Any, make_channel: Any, field: str, kw: dict[str, Any]
) -> None:
    recorder = Recorder()
    channel = make_channel(port=smtp_server(recorder).port)
    with pytest.raises(InvalidEmailError) as info:
        await channel.send(make_message(**kw))
    assert info.value.field == field
    assert "x@example.com" not in str(info.value) and "victim" not in str(info.value)
    assert channel.pool.stats.connects == 0
    assert recorder.received == [] and recorder.data_calls == 0


async def test_pool_keeps_n_connections_one_message_each(
    smtp_server: Any, make_channel: Any
) -> None:
    recorder = Recorder()
    channel = make_channel(port=smtp_server(recorder).port, pool_size=3)
    receipts = await asyncio.gather(
        *(channel.send(make_message(key=f"nk_pool_{i}", to=f"b{i}@example.com")) for i in range(24))
    )
    assert len(receipts) == 24 and len(recorder.received) == 24
    assert len(set(recorder.message_ids())) == 24
    assert channel.pool.stats.connects == 3  # three connections, reused
    assert len({r.peer for r in recorder.received}) == 3
    # every message went to the recipient its own notice named
    assert sorted(r.rcpt_tos[0] for r in recorder.received) == sorted(
        f"b{i}@example.com" for i in range(24)
    )


async def test_pool_reconnects_after_the_server_dropped_it(
    smtp_server: Any, make_channel: Any
) -> None:
    first = Recorder()
    server = smtp_server(first)
    port = server.port
    channel = make_channel(port=port, pool_size=1)
    await channel.send(make_message(key="nk_before"))
    server.stop()  # closes every connection the server held
    second = Recorder()
    smtp_server(second, port=port)  # the port the first server bound (chosen by the OS)
    # wait until the client has seen the EOF of the dropped connection
    await asyncio.wait_for(_until(lambda: channel.pool.open_connections() == 0), timeout=10)
    await channel.send(make_message(key="nk_after"))
    assert [len(first.received), len(second.received)] == [1, 1]
    assert channel.pool.stats.connects == 2


async def test_archive_copy_refused_is_reported_not_swallowed(
    smtp_server: Any, make_channel: Any, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(
        refuse_rcpt={"archive2@lender.example": "550 5.1.1 <archive2@lender.example> unknown"}
    )
    channel = make_channel(
        port=smtp_server(recorder).port,
        archive_bcc="archive1@lender.example, archive2@lender.example",
    )
    with caplog.at_level(logging.WARNING, logger="notifysdk.smtp"):
        receipt = await channel.send(make_message())
    assert receipt.status == "partial"
    assert receipt.detail["refused"] == [
        {"recipient": "archive_bcc[1]", "code": 550, "reply": "5.1.1 <address> unknown"}
    ]
    assert "archive_bcc[1]=550" in caplog.text
    got = recorder.received[0]
    assert got.rcpt_tos == ["borrower@example.com", "archive1@lender.example"]
    assert "archive" not in got.data.decode()  # envelope-only copies: no Bcc header


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("550 5.1.1 <borrower@example.com>: mailbox unknown", PermanentDeliveryError),
        ("450 4.2.1 <borrower@example.com>: mailbox busy", TransientDeliveryError),
    ],
)
async def test_recipient_refused_sends_nothing_even_to_the_archive(
    smtp_server: Any, make_channel: Any, reply: str, error: type[Exception]
) -> None:
    recorder = Recorder(refuse_rcpt={"borrower@example.com": reply})
    channel = make_channel(
        port=smtp_server(recorder).port, archive_bcc="archive@lender.example", pool_size=1
    )
    with pytest.raises(error) as info:
        await channel.send(make_message())
    assert info.value.provider_code == reply[:3]  # type: ignore[attr-defined]
    assert "borrower@example.com" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert recorder.received == []
    # the refusal was clean (RSET): the same connection carries the next message
    recorder.refuse_rcpt.clear()
    await channel.send(make_message(key="nk_next"))
    assert len(recorder.received) == 1 and channel.pool.stats.connects == 1


async def test_reconcile_is_unknown_with_the_message_id(make_channel: Any) -> None:
    channel = make_channel(port=1)
    result = await channel.reconcile(
        Attempt(
            idempotency_key="nk_x",
            channel="smtp-email",
            number=1,
            to="b@example.com",
            started_at=None,
        )
    )
    assert result.status is ReconcileStatus.UNKNOWN
    assert result.provider_id == message_id("nk_x", "lender.example")


async def test_connection_refused_is_transient(make_channel: Any) -> None:
    from smtp_peers import free_port

    channel = make_channel(port=free_port())  # nothing listens there
    with pytest.raises(TransientDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "connect"


async def test_non_ascii_address_uses_smtputf8(smtp_server: Any, make_channel: Any) -> None:
    recorder = Recorder()
    channel = make_channel(port=smtp_server(recorder).port)
    await channel.send(make_message(to="张伟@example.com"))
    got = recorder.received[0]
    assert got.rcpt_tos == ["张伟@example.com"]
    assert got.parsed()["To"] == "张伟@example.com"


async def test_non_ascii_address_without_smtputf8_is_permanent(
    smtp_server: Any, make_channel: Any
) -> None:
    recorder = Recorder()
    channel = make_channel(port=smtp_server(recorder, enable_SMTPUTF8=False).port)
    with pytest.raises(PermanentDeliveryError) as info:
        await channel.send(make_message(to="张伟@example.com"))
    assert info.value.provider_code == "unsupported"
    assert "张伟" not in str(info.value)
    assert recorder.received == []


async def _until(condition: Callable[[], bool]) -> None:
    """Return once ``condition()`` holds, giving the event loop a turn between checks."""
    while not condition():
        await asyncio.sleep(0.001)
