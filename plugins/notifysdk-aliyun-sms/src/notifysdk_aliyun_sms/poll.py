"""``notifysdk cnsms poll --provider aliyun``: carrier reports pulled from Alibaba Cloud
SMS into the ledger by ``QuerySendDetails``, for deployments without a public URL.

Aliyun has no report queue to pull over its SMS API (dysmsapi 2017-05-25): reports and
replies are pushed, to an HTTP URL (:mod:`.callbacks`) or into an MNS message queue that
only Alibaba Cloud's separate MNS client reads. What the SMS API does offer is the
send-detail query, so a round looks at the ledger instead: the notices this channel
delivered recently (most recently changed first, at most ``limit``), and for each
attempt Aliyun accepted (it has a ``BizId``) within ``days`` whose report is not in the
ledger yet, asks ``QuerySendDetails`` by number, day and ``BizId``. ``SendStatus`` 3 is
stored as ``delivered``, 2 as ``failed`` with the carrier's ``ErrCode`` (the notice fails
late, as a pushed report would: :func:`.callbacks.apply_report`), 1 leaves it pending.
Uplink replies (退订) cannot be polled: they come only by push (``serve``) or MNS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from notifysdk.plugin import (
    ConfigurationError,
    DeliveryError,
    DurableLedger,
    Ledger,
    NoticeState,
    ReceiptLedger,
    unwrap,
)

if TYPE_CHECKING:
    from notifysdk.plugin import Dispatcher

    from .channel import AliyunSmsChannel

DAYS = 3
"""How far back a round looks (Aliyun keeps send details for 30 days)."""
LIMIT = 1000


@dataclass(frozen=True)
class PollResult:
    """What one round found and changed (counts only)."""

    checked: int = 0
    """Accepted sends without a report in the ledger, asked about."""
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    """Still waiting for the carrier's report (SendStatus 1), or not listed yet."""
    errors: int = 0
    """Look-ups that failed (tried again next round)."""

    def line(self) -> str:
        """The counts as ``notifysdk cnsms poll`` prints them."""
        return (
            f"aliyun: checked {self.checked} (delivered {self.delivered}, failed "
            f"{self.failed}, pending {self.pending}, look-ups failed {self.errors}); "
            "replies come by push only"
        )


def _ledgers(ledger: Ledger) -> tuple[DurableLedger, ReceiptLedger]:
    if not isinstance(ledger, DurableLedger) or not isinstance(ledger, ReceiptLedger):
        raise ConfigurationError(
            "polling Aliyun reports needs a ledger that stores notices and receipts "
            f"(SQLite or PostgreSQL); {type(ledger).__name__} does not"
        )
    return ledger, ledger


async def poll_once(
    channel: AliyunSmsChannel,
    ledger: Ledger,
    *,
    now: datetime,
    days: int = DAYS,
    limit: int = LIMIT,
) -> PollResult:
    """One round over the channel's recent deliveries still without a report."""
    from .callbacks import apply_report  # the ledger's models: not at start-up

    durable, receipts = _ledgers(ledger)
    since = now - timedelta(days=days)
    checked = delivered = failed = pending = errors = 0
    for stored in await durable.notices(NoticeState.DELIVERED, limit=limit):
        if stored.notice.channel != channel.name:
            continue
        for attempt in await durable.attempts(stored.key):
            started = _instant(attempt.started_at)
            if attempt.channel != channel.name or not attempt.provider_id or started < since:
                continue
            state = await receipts.delivery(attempt.provider_id)
            if state is not None and state.status in ("delivered", "failed"):
                continue
            checked += 1
            try:
                records = await channel.details(attempt.to, started, attempt.provider_id)
            except DeliveryError:
                errors += 1
                continue
            status, code = _status(records)
            if status is None:
                pending += 1
                continue
            item = {"biz_id": attempt.provider_id, "success": status == 3, "err_code": code}
            await apply_report(ledger, item, now=now)
            delivered += int(status == 3)
            failed += int(status == 2)
    return PollResult(checked, delivered, failed, pending, errors)


def _status(records: list[Any]) -> tuple[int | None, str | None]:
    """The final ``SendStatus`` (3 delivered, 2 failed) among the records of one
    ``BizId`` and its ``ErrCode``; ``None`` while it waits (1) or is not listed."""
    for record in records:
        status = int(getattr(record, "send_status", 0) or 0)
        if status in (2, 3):
            return status, str(getattr(record, "err_code", "") or "") or None
    return None, None


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def poll(dispatcher: Dispatcher, name: str) -> str:
    """The ``cnsms poll --provider aliyun`` round on the channel ``name``."""
    from .channel import AliyunSmsChannel

    channel = unwrap(dispatcher.channel(name))  # under a rate limit, the channel inside
    if not isinstance(channel, AliyunSmsChannel):
        raise ConfigurationError(f"{name} is not an aliyun-sms channel")
    result = await poll_once(channel, dispatcher.ledger, now=dispatcher.clock.now())
    return result.line()
