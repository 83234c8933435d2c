"""A channel whose ``send`` first takes a slot of its sender's limits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..channels import Attempt, Channel, ChannelContext, ChannelFactory, ReconcileResult, sender_of
from ..models import Message, Receipt
from .limiter import SenderRateLimiter
from .settings import RateLimitSettings, without_rate_limit


class RateLimitedChannel:
    """Wraps ``inner``: ``send`` waits for (or is refused) a slot of the sender's limits,
    then calls ``inner.send``; everything else is ``inner``'s. ``reconcile`` is not
    limited: a look-up is not a message."""

    def __init__(self, inner: Channel, limiter: SenderRateLimiter) -> None:
        self.inner = inner
        self.limiter = limiter
        self.name = inner.name
        self.medium = inner.medium
        self.disclosure = inner.disclosure
        self.contact_kind = inner.contact_kind

    async def send(self, message: Message) -> Receipt:
        """Take a slot for the message's sender, then send it through the channel."""
        async with self.limiter.slot(sender_of(self.inner, message)):
            return await self.inner.send(message)

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """The channel's own answer."""
        return await self.inner.reconcile(attempt)

    async def aclose(self) -> None:
        """Close the channel, then the limiter's storage connections."""
        try:
            await self.inner.aclose()
        finally:
            await self.limiter.aclose()

    def __getattr__(self, name: str) -> Any:
        # Anything else a caller reads (a channel's settings, its approved form) is the
        # wrapped channel's.
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"RateLimitedChannel({self.inner!r})"


def build_channel(factory: ChannelFactory, ctx: ChannelContext) -> Channel:
    """``factory(ctx)`` with the SDK's ``rate_limit`` table taken out of ``ctx.settings``,
    wrapped in a :class:`RateLimitedChannel` when that table sets a limit. What the
    dispatcher calls to build a channel."""
    limits = RateLimitSettings.from_section(ctx.name, ctx.settings)
    if "rate_limit" in ctx.settings:
        ctx = replace(ctx, settings=without_rate_limit(ctx.settings))
    channel = factory(ctx)
    if limits is None:
        return channel
    limiter = SenderRateLimiter(limits, clock=ctx.clock, scope=str(channel.medium))
    return RateLimitedChannel(channel, limiter)
