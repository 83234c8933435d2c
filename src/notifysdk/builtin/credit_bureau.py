"""The ``credit-bureau`` channel: where the credit-report step (kind ``credit_report``) goes.

Reporting a debt to a credit bureau is the lender's step, not a message to anyone: the
SDK cannot furnish to 百行征信, the PBOC credit reference centre or a US consumer
reporting agency. What it can do is decide *whether and when* the step may happen, with
the same ledger as every notice: the report step is a notice, the compliance rules vote
on it (``credit-report-prenotice`` blocks it without a delivered pre-notice on record and
defers it to the end of a waiting period), it is claimed once per idempotency key, and
its outcome is audited. This record-only channel is where an allowed step ends up: it
writes the rendered (masked) furnishing record to ``output_dir/credit_report/KEY.json``
for the lender's own furnishing job to pick up, and never contacts the borrower (contact
kind ``none``: no address is needed). A lender with its own bureau integration registers
it as a channel and pins it on the ladder's ``credit_report`` stage instead.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from ..channels import (
    Attempt,
    BaseChannel,
    ChannelContext,
    Disclosure,
    ReconcileResult,
    ReconcileStatus,
)
from ..clock import Clock
from ..files import write_private
from ..models import Medium, Message, Receipt

__all__ = ["CHANNEL_NAME", "CreditBureauChannel", "build"]

CHANNEL_NAME = "credit-bureau"
"""The name the built-in channel is registered under (the default ladder pins it)."""


class CreditBureauChannel(BaseChannel):
    """Records each allowed credit-report step under ``output_dir/credit_report/``."""

    medium = Medium.LETTER
    """A written record: its templates are ``credit_report/letter.*``."""
    disclosure = Disclosure.FULL
    contact_kind = "none"

    def __init__(self, name: str, output_dir: Path, clock: Clock) -> None:
        self.name = name
        self.folder = Path(output_dir) / "credit_report"
        self.clock = clock

    async def send(self, message: Message) -> Receipt:
        """Write the record (off the event loop); the receipt names the file."""
        path = await asyncio.to_thread(self._write, message)
        return Receipt(
            channel=self.name,
            provider_id=path.name,
            status="recorded",
            accepted_at=self.clock.now(),
            detail={"path": str(path)},
        )

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """Sent when the record of that key is on disk, not sent otherwise."""
        path = self.folder / f"{attempt.idempotency_key}.json"
        exists = await asyncio.to_thread(path.exists)
        if exists:
            return ReconcileResult(ReconcileStatus.SENT, provider_id=path.name)
        return ReconcileResult(ReconcileStatus.NOT_SENT)

    def _write(self, message: Message) -> Path:
        # 0600 in a 0700 folder whatever the umask: the record names the borrower's debt
        path = self.folder / f"{message.idempotency_key}.json"
        doc = message.model_dump(mode="json", exclude={"attachments"})
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        write_private(path, text.encode("utf-8"), sync=False)
        return path


def build(ctx: ChannelContext) -> CreditBureauChannel:
    """The channel factory (registered lazily by :mod:`notifysdk.builtin.rules`)."""
    return CreditBureauChannel(ctx.name, ctx.output_dir, ctx.clock)
