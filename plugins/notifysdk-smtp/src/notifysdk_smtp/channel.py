"""The ``smtp-email`` channel: one message, one SMTP transaction, on a pooled connection.

The channel never retries (the SDK's tenacity policy is the only retry layer). It runs
MAIL, RCPT (the recipient, then each archive copy) and DATA itself so that it knows
which step failed and can report a partial refusal:

- the recipient refused → the envelope is reset and nothing is sent (4xx transient,
  5xx permanent), even when an archive copy was accepted;
- an archive copy refused, the recipient accepted → the message goes out and the
  receipt says so: ``status="partial"``, ``detail["refused"]`` lists each refused copy
  by position (``archive_bcc[0]``) with its code, and a warning is logged.

Failures map by phase (table in :mod:`.replies`): a reply is transient (4xx) or
permanent (5xx); a lost connection or a timeout is transient up to the DATA command's
354, and :class:`~notifysdk.errors.AmbiguousDeliveryError` once the payload and its
final ``.`` were sent (the server may have stored the message). DATA is therefore sent
in two steps rather than through aiosmtplib's ``data()``, which reports both the same.

``reconcile`` cannot look anything up (SMTP has no query for a sent message): it answers
UNKNOWN with the Message-ID, which an operator can search for in the server's logs; the
dispatcher's ``on_unknown_delivery`` then holds the notice or sends it again.
"""

from __future__ import annotations

import logging
import re
import socket
from typing import Any

import aiosmtplib

from notifysdk.plugin import (
    Attempt,
    BaseChannel,
    ChannelContext,
    Clock,
    Disclosure,
    Medium,
    Message,
    Receipt,
    ReconcileResult,
    ReconcileStatus,
    SystemClock,
)

from . import CHANNEL_NAME
from .headers import message_id
from .mime import Envelope, build_envelope
from .pool import SMTPPool
from .replies import AFTER_DATA, classify, scrub
from .settings import SMTPSettings, TLSMode

log = logging.getLogger("notifysdk.smtp")


class _Step:
    """Which SMTP step a transaction is at: decides whether a lost connection is
    transient (before the payload) or ambiguous (after it, see :mod:`.replies`)."""

    def __init__(self) -> None:
        self.phase = "connect"


_LINE_ENDINGS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _wire(data: bytes) -> bytes:
    """The DATA payload as sent: CRLF line endings, leading dots doubled (RFC 5321
    §4.5.2), then the terminating ``.`` line."""
    data = _LINE_ENDINGS.sub(b"\r\n", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return _LEADING_DOT.sub(b"..", data) + b".\r\n"


async def _data(client: aiosmtplib.SMTP, data: bytes, step: _Step) -> aiosmtplib.SMTPResponse:
    """DATA in two steps, so a lost connection can be placed on either side of the
    payload (aiosmtplib's ``data()`` does both and raises the same error for each).

    Up to the 354 the server holds nothing: a drop there is transient. Once the payload
    and its final ``.`` are handed to the transport, the server may store the message
    and then lose the connection before its reply reaches us: ``step.phase`` becomes
    :data:`~.replies.AFTER_DATA` and a drop or a timeout from then on is ambiguous.
    """
    step.phase = "DATA"
    start = await client.execute_command(b"DATA")
    if start.code != aiosmtplib.SMTPStatus.start_input:
        raise aiosmtplib.SMTPDataError(start.code, start.message)
    protocol = client.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    protocol.write(_wire(data))  # raises, having written nothing, if the link is gone
    step.phase = AFTER_DATA
    try:
        response = await protocol.read_response(timeout=client.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        client.close()  # as aiosmtplib's own data() does: the link is out of step
        raise
    if response.code != aiosmtplib.SMTPStatus.completed:
        raise aiosmtplib.SMTPDataError(response.code, response.message)
    return response


class SMTPEmailChannel(BaseChannel):
    """Email through aiosmtplib behind a connection pool (medium email, disclosure FULL)."""

    name = CHANNEL_NAME
    medium = Medium.EMAIL
    disclosure = Disclosure.FULL
    contact_kind = "email"

    def __init__(
        self, settings: SMTPSettings, *, clock: Clock | None = None, name: str = CHANNEL_NAME
    ) -> None:
        self.name = name
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._local_hostname = settings.local_hostname or _local_hostname()
        self.pool = SMTPPool(self._connect, settings.pool_size)

    @classmethod
    def from_context(cls, ctx: ChannelContext) -> SMTPEmailChannel:
        """Build from a channel context: its settings section, then the environment."""
        return cls(
            SMTPSettings.resolve(ctx.settings, name=ctx.name), clock=ctx.clock, name=ctx.name
        )

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"SMTPEmailChannel(name={self.name!r}, host={s.host!r}, port={s.effective_port}, "
            f"tls={s.tls.value!r}, pool_size={s.pool_size})"
        )

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.effective_port,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            local_hostname=self._local_hostname,
            timeout=s.timeout,
            use_tls=s.tls is TLSMode.IMPLICIT,
            start_tls=s.tls is TLSMode.STARTTLS,
            validate_certs=s.validate_certs,
            cert_bundle=str(s.ca_file) if s.ca_file else None,
        )
        await client.connect(timeout=s.connect_timeout)
        if client.is_ehlo_or_helo_needed:
            try:
                await client.ehlo()
            except aiosmtplib.SMTPHeloError:
                await client.helo()
        return client

    def sender_id(self, message: Message) -> str:
        """What a mail provider's sending limits count: the SMTP account, else the
        envelope sender (the rate limiter's sender, see ``notifysdk.ratelimit``)."""
        return self.settings.username or self.settings.from_address

    async def send(self, message: Message) -> Receipt:
        """Send ``message`` once. Bad header input raises
        :class:`~notifysdk.errors.InvalidEmailError` before connecting; SMTP failures
        raise a :class:`~notifysdk.errors.DeliveryError` (see :mod:`.replies`)."""
        envelope = build_envelope(message, self.settings, self.clock.now())
        step = _Step()
        try:
            async with self.pool.lease() as lease:
                reply, refused = await self._transact(lease.client, envelope, step)
        except aiosmtplib.SMTPException as exc:
            raise classify(exc, step.phase) from None
        except (OSError, TimeoutError) as exc:
            raise classify(exc, step.phase) from None
        detail: dict[str, Any] = {"message_id": envelope.message_id, "reply": scrub(reply)}
        if refused:
            detail["refused"] = refused
            log.warning(
                "smtp-email %s: recipient accepted, %d archive copies refused (%s)",
                envelope.message_id,
                len(refused),
                ", ".join(f"{r['recipient']}={r['code']}" for r in refused),
            )
        return Receipt(
            channel=self.name,
            provider_id=envelope.message_id,
            status="partial" if refused else "accepted",
            accepted_at=self.clock.now(),
            detail=detail,
        )

    async def _transact(
        self, client: aiosmtplib.SMTP, env: Envelope, step: _Step
    ) -> tuple[str, list[dict[str, Any]]]:
        options: list[str] = []
        encoding = "ascii"
        if env.smtputf8:
            if not client.supports_extension("smtputf8"):
                raise aiosmtplib.SMTPNotSupported(
                    "an address is not ASCII and the server does not offer SMTPUTF8"
                )
            options, encoding = ["SMTPUTF8"], "utf-8"
        try:
            step.phase = "MAIL"
            await client.mail(env.sender, options=options, encoding=encoding)
            step.phase = "RCPT"
            await client.rcpt(env.recipient, encoding=encoding)
            refused: list[dict[str, Any]] = []
            for i, copy in enumerate(env.archive):
                try:
                    await client.rcpt(copy, encoding=encoding)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    refused.append(
                        {
                            "recipient": f"archive_bcc[{i}]",
                            "code": exc.code,
                            "reply": scrub(exc.message),
                        }
                    )
            response = await _data(client, env.data, step)
        except aiosmtplib.SMTPResponseException as exc:
            await _reset(client, exc)
            raise
        return response.message, refused

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """SMTP cannot look a message up: always UNKNOWN, with the Message-ID to search
        the server's logs for."""
        mid = message_id(attempt.idempotency_key, self.settings.domain)
        return ReconcileResult(
            ReconcileStatus.UNKNOWN,
            provider_id=mid,
            detail={"reason": "SMTP offers no way to ask a server whether it accepted a message"},
        )

    async def aclose(self) -> None:
        """QUIT and close every pooled connection."""
        await self.pool.aclose()


async def _reset(client: aiosmtplib.SMTP, exc: aiosmtplib.SMTPResponseException) -> None:
    """RSET after a refusal so the connection can carry the next message."""
    if exc.code == 421 or not client.is_connected:
        client.close()
        return
    try:
        await client.rset()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


def _local_hostname() -> str:
    name = socket.gethostname()
    return name if name and name.isascii() and " " not in name else "localhost"


__all__ = ["CHANNEL_NAME", "SMTPEmailChannel"]
