"""Real SMTP peers on loopback for the smtp-email tests (imported by conftest.py).

- :class:`Recorder`: an aiosmtpd handler recording accepted messages, injecting faults:
  a reply to RCPT or DATA, or a connection dropped (or left unanswered) during RCPT or
  right after the message was stored.
- :class:`LoopbackController`: aiosmtpd on a free loopback port, TCP_NODELAY set.
- :func:`need_smtp_sink`: the path of postfix's smtp-sink, or skip (fail under CI=true).
- :func:`password_checker`: an aiosmtpd authenticator for one user.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import os
import random
import shutil
import socket
import subprocess
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from notifysdk.models import Medium, Message

LOOPBACK = "127.0.0.1"
SMTP_SINK = shutil.which("smtp-sink") or (
    "/usr/sbin/smtp-sink" if os.path.exists("/usr/sbin/smtp-sink") else None
)
DEFAULT_SETTINGS: dict[str, Any] = {
    "host": LOOPBACK,
    "tls": "none",
    "from_address": "notices@lender.example",
    "from_name": "Example Bank",
    "unsubscribe_mailto": "mailto:optout@lender.example?subject=unsubscribe%20{token}",
    "unsubscribe_url": "https://lender.example/unsubscribe?t={token}",
    "unsubscribe_secret": "unsub-secret-value",
    "pool_size": 2,
    "timeout": 5.0,
    "connect_timeout": 5.0,
}


@dataclass
class Received:
    """One message the aiosmtpd server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: Any

    def parsed(self) -> EmailMessage:
        """The message parsed with the ``email`` package's modern policy."""
        msg = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def message_id(self) -> str:
        """The Message-ID header."""
        return str(self.parsed()["Message-ID"])


@dataclass
class Recorder:
    """An aiosmtpd handler that records accepted messages and can inject faults.

    ``refuse_rcpt`` maps an address to the reply its RCPT gets; ``data_fault`` is called
    with each envelope and returns a reply to refuse DATA with, or ``None`` to accept.

    Lost connections: ``drop_rcpt`` addresses have their connection closed at RCPT,
    before any message exists. ``after_store`` is called with each Message-ID and the
    number of times it arrived (1 the first time); ``"drop"`` stores the message, then
    closes the connection without replying, ``"hang"`` stores it and never replies
    (the client times out), ``None`` replies 250 as usual. Either way the message is in
    ``received``: the server has it, the client cannot know.
    """

    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    data_fault: Callable[[Envelope], str | None] | None = None
    drop_rcpt: set[str] = field(default_factory=set)
    after_store: Callable[[str, int], str | None] | None = None
    received: list[Received] = field(default_factory=list)
    data_calls: int = 0
    data_attempts: Counter[str] = field(default_factory=Counter)
    """DATA transactions seen per Message-ID, refused ones included."""
    unanswered: list[str] = field(default_factory=list)
    """Message-IDs stored without a reply reaching the client (dropped or left hanging)."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        if address in self.drop_rcpt:
            await _drop(server)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.data_calls += 1
        raw = envelope.original_content or b""
        assert isinstance(raw, bytes)
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        self.data_attempts[str(headers["Message-ID"])] += 1
        if self.data_fault is not None:
            reply = self.data_fault(envelope)
            if reply is not None:
                return reply
        data = envelope.original_content or b""
        assert isinstance(data, bytes)
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), data, session.peer)
        )
        if self.after_store is not None:
            mid = str(headers["Message-ID"])
            action = self.after_store(mid, self.data_attempts[mid])
            if action == "drop":
                self.unanswered.append(mid)
                await _drop(server)
            elif action == "hang":
                self.unanswered.append(mid)
                await asyncio.Event().wait()  # cancelled when the client gives up
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"

    def message_ids(self) -> list[str]:
        """The Message-IDs of every accepted message, in arrival order."""
        return [r.message_id for r in self.received]


async def _drop(server: SMTP) -> None:
    """Close the connection without a reply; aiosmtpd then cancels this handler."""
    assert server.transport is not None
    server.transport.abort()
    await asyncio.Event().wait()


def drop_first(fraction: float, seed: int) -> Callable[[str, int], str | None]:
    """An ``after_store`` fault dropping the connection after storing ``fraction`` of the
    messages, chosen by a seeded hash of the Message-ID (the same ones on every run,
    whatever order they arrive in), and only the first time each arrives."""
    salt = str(seed).encode()

    def fault(message_id: str, arrival: int) -> str | None:
        digest = hashlib.sha256(salt + message_id.encode()).digest()
        chosen = int.from_bytes(digest[:8], "big") < fraction * 2**64
        return "drop" if chosen and arrival == 1 else None

    return fault


def random_451(fraction: float, seed: int) -> Callable[[Envelope], str | None]:
    """A DATA fault answering 451 to ``fraction`` of the messages (seeded, repeatable)."""
    rng = random.Random(seed)

    def fault(envelope: Envelope) -> str | None:
        return "451 4.3.0 Try again later" if rng.random() < fraction else None

    return fault


class LoopbackController(Controller):
    """aiosmtpd's threaded controller, bound to a free loopback port chosen by the OS,
    setting TCP_NODELAY on every accepted connection."""

    def __init__(self, handler: Any, port: int = 0, **kwargs: Any) -> None:
        super().__init__(handler, hostname=LOOPBACK, port=port, **kwargs)

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        async def create() -> asyncio.AbstractServer:
            server = await self.loop.create_server(
                self._factory_invoker,
                host=self.hostname,
                port=self.port,
                ssl=self.ssl_context,
            )
            self.port = server.sockets[0].getsockname()[1]
            return server

        return create()

    def factory(self) -> SMTP:
        server: SMTP = super().factory()  # type: ignore[no-untyped-call]
        connection_made = server.connection_made

        def with_nodelay(transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection_made(transport)

        server.connection_made = with_nodelay  # type: ignore[method-assign,unused-ignore]
        return server


@dataclass
class Sink:
    """A running smtp-sink: its port and process."""

    port: int
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def need_smtp_sink() -> str:
    if SMTP_SINK is None:
        message = "postfix's smtp-sink is not installed (Debian package 'postfix')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " and CI=true requires it")
        pytest.skip(message)
    return SMTP_SINK


def password_checker(user: str, password: str) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator accepting exactly one user and password."""

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        # handled=False: aiosmtpd then answers 535 itself (True would mean "already answered")
        return AuthResult(success=ok, handled=False)

    return authenticate


PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(
    range(256)
)
"""Attachment bytes covering every byte value (a PDF header, then 0x00..0xff)."""


def make_message(key: str = "nk_test_0001", to: str = "borrower@example.com", **kw: Any) -> Message:
    """A rendered email as the dispatcher would hand it to the channel."""
    fields: dict[str, Any] = {
        "idempotency_key": key,
        "channel": "smtp-email",
        "medium": Medium.EMAIL,
        "to": to,
        "locale": "zh-CN",
        "subject": "示例银行：您的贷款已逾期 10 天",
        "body": "尊敬的张伟：\n\n您在示例银行的贷款已逾期 10 天，逾期金额 ¥1,234.50。\n",
        "html": "<p>尊敬的张伟：</p><p>您在示例银行的贷款已逾期 <b>10</b> 天。</p>",
    }
    fields.update(kw)
    return Message(**fields)
