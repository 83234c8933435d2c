"""A tiny third-party plugin: an ``example-log`` channel and a ``shout`` filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifysdk import BaseChannel, ChannelContext, Disclosure, Medium, Message, Receipt, hookimpl

SENT: list[Message] = []


class LogChannel(BaseChannel):
    """Keeps what it sends in :data:`SENT`."""

    name = "example-log"
    medium = Medium.SMS
    disclosure = Disclosure.LIMITED
    contact_kind = "phone"

    def __init__(self, ctx: ChannelContext) -> None:
        self.clock = ctx.clock

    async def send(self, message: Message) -> Receipt:
        """Append to SENT."""
        SENT.append(message)
        return Receipt(
            channel=self.name, provider_id=f"log-{len(SENT)}", accepted_at=self.clock.now()
        )


@hookimpl
def notifysdk_register_channels(register: Callable[[str, Any], None]) -> None:
    """Register the log channel."""
    register("example-log", LogChannel)


@hookimpl
def notifysdk_register_filters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register ``shout``."""
    register("shout", lambda s: str(s).upper() + "!")
