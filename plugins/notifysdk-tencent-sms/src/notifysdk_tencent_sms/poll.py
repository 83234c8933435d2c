"""``notifysdk cnsms poll``: carrier reports and uplink replies pulled from Tencent Cloud
SMS into the ledger, for deployments without a public callback URL.

Each round pulls the status queue (``PullSmsSendStatus``) and the reply queue
(``PullSmsReplyStatus``) — Tencent hands each entry out once — and applies them
(:mod:`notifysdk_tencent_sms.reports`): a report updates the attempt's delivery status
(and fails a delivered notice on ``FAIL``), a 退订 / TD / T / STOP reply records an SMS
opt-out. A round that filled its batch is followed at once by another.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from notifysdk.plugin import Dispatcher, Ledger

    from .channel import TencentSmsChannel

log = logging.getLogger("notifysdk_tencent_sms.poll")

BATCH = 100


@dataclass(frozen=True)
class PollResult:
    """What one round found and changed (counts only)."""

    reports: int = 0
    updated: int = 0
    unknown: int = 0
    replies: int = 0
    opt_outs: int = 0

    def __add__(self, other: PollResult) -> PollResult:
        return PollResult(
            self.reports + other.reports,
            self.updated + other.updated,
            self.unknown + other.unknown,
            self.replies + other.replies,
            self.opt_outs + other.opt_outs,
        )


async def poll_once(
    channel: TencentSmsChannel, ledger: Ledger, *, now: datetime, batch: int = BATCH
) -> PollResult:
    """One round: both queues until a pull returns less than ``batch`` entries."""
    total = PollResult()
    while True:
        reports = await channel.pull_statuses(batch)
        replies = await channel.pull_replies(batch)
        total = total + await _apply(ledger, reports, replies, now)
        if len(reports) < batch and len(replies) < batch:
            return total


async def _apply(
    ledger: Ledger, reports: list[Any], replies: list[Any], now: datetime
) -> PollResult:
    from .reports import apply_reply, apply_report  # the ledger's models: not at start-up

    updated = unknown = opt_outs = 0
    for r in reports:
        update = await apply_report(
            ledger, str(r.SerialNo), str(r.ReportStatus or ""), r.Description, now=now
        )
        updated += int(update.changed)
        unknown += int(not update.known)
    for r in replies:
        done = await apply_reply(
            ledger, str(r.PhoneNumber), str(r.ReplyContent or ""), str(r.ReplyTime), now=now
        )
        opt_outs += int(done is True)
    return PollResult(len(reports), updated, unknown, len(replies), opt_outs)


def register(app: typer.Typer) -> None:
    """Add ``notifysdk cnsms poll --provider tencent`` to the ``notifysdk`` command line
    (the SDK's one ``cnsms poll`` command, shared with the other providers' plugins)."""
    from notifysdk.plugin import register_poller

    register_poller(app, "tencent", channel="tencent-sms", poll=poll)


async def poll(dispatcher: Dispatcher, name: str) -> str:
    """The ``cnsms poll --provider tencent`` round on the channel ``name``."""
    from notifysdk.plugin import ConfigurationError, unwrap

    from .channel import TencentSmsChannel

    channel = unwrap(dispatcher.channel(name))  # under a rate limit, the channel inside
    if not isinstance(channel, TencentSmsChannel):
        raise ConfigurationError(f"{name} is not a tencent-sms channel")
    result = await poll_once(channel, dispatcher.ledger, now=dispatcher.clock.now())
    return (
        f"tencent: reports {result.reports} (updated {result.updated}, unknown "
        f"{result.unknown}); replies {result.replies} (opt-outs {result.opt_outs})"
    )
