"""The capture channel: writes what would be sent to files instead of sending it.

Email is written as a real ``.eml`` (RFC 5322, MIME multipart with attachments);
everything else as ``.json``. Attachments are also written beside it. Files are named by
idempotency key, so a re-delivery overwrites rather than duplicates. Registered as
``capture-<medium>`` by :mod:`notifysdk.builtin.capture`.
"""

from __future__ import annotations

import asyncio
import json
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from ..channels import BaseChannel, Disclosure
from ..clock import Clock
from ..files import write_private
from ..models import Medium, Message, Receipt

CONTACT_KIND = {
    Medium.SMS: "phone",
    Medium.VOICE: "phone",
    Medium.CALL_SCRIPT: "phone",
    Medium.EMAIL: "email",
    Medium.LETTER: "address",
}

DISCLOSURE = {
    Medium.SMS: Disclosure.LIMITED,
    Medium.VOICE: Disclosure.LIMITED,
    Medium.CALL_SCRIPT: Disclosure.FULL,
    Medium.EMAIL: Disclosure.FULL,
    Medium.LETTER: Disclosure.FULL,
}


class CaptureChannel(BaseChannel):
    """Writes each message under ``output_dir/MEDIUM/`` instead of sending it."""

    def __init__(self, name: str, medium: Medium, output_dir: Path, clock: Clock) -> None:
        self.name = name
        self.medium = medium
        self.disclosure = DISCLOSURE[medium]
        self.contact_kind = CONTACT_KIND[medium]
        self.folder = Path(output_dir) / medium.value
        self.clock = clock

    async def send(self, message: Message) -> Receipt:
        """Write the message (off the event loop) and return a receipt naming the file."""
        path = await asyncio.to_thread(self._write, message)
        return Receipt(
            channel=self.name,
            provider_id=path.name,
            status="captured",
            accepted_at=self.clock.now(),
            detail={"path": str(path)},
        )

    def _write(self, message: Message) -> Path:
        # folders 0700 and files 0600 whatever the umask: they hold names and numbers
        stem = message.idempotency_key
        for att in message.attachments:
            write_private(self.folder / f"{stem}-{att.filename}", att.data, sync=False)
        if self.medium is Medium.EMAIL:
            path = self.folder / f"{stem}.eml"
            write_private(path, bytes(to_email(message, self.clock)), sync=False)
        else:
            path = self.folder / f"{stem}.json"
            doc = message.model_dump(mode="json", exclude={"attachments"})
            doc["attachments"] = [a.filename for a in message.attachments]
            text = json.dumps(doc, ensure_ascii=False, indent=2)
            write_private(path, text.encode("utf-8"), sync=False)
        return path


def to_email(message: Message, clock: Clock) -> EmailMessage:
    """Build a MIME email (text, optional HTML alternative, attachments) from a message."""
    mail = EmailMessage()
    mail["To"] = message.to
    mail["Subject"] = message.subject or ""
    mail["Date"] = formatdate(clock.now().timestamp(), localtime=False)
    for k, v in message.headers.items():
        mail[k] = v
    mail.set_content(message.body)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    for att in message.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        mail.add_attachment(
            att.data, maintype=maintype, subtype=subtype or "octet-stream", filename=att.filename
        )
    return mail
