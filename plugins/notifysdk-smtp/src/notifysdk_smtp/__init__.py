"""Email through aiosmtplib with a connection pool, for notifysdk.

Registers one channel, ``smtp-email`` (medium email, contact kind email, disclosure
FULL), through the ``notifysdk`` entry point ``smtp``. Configure it in
``[channels.smtp-email]`` or with ``NOTIFYSDK_SMTP_*`` environment variables (see
:class:`~notifysdk_smtp.settings.SMTPSettings` and the README).

aiosmtplib and the settings model load when a dispatcher builds the channel; the names
below are importable from here all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from notifysdk.plugin import hookimpl, lazy_exports

if TYPE_CHECKING:
    from notifysdk.plugin import ChannelContext, ChannelFactory

    from .channel import SMTPEmailChannel
    from .pool import SMTPPool
    from .settings import SMTPSettings, TLSMode

CHANNEL_NAME = "smtp-email"
"""The name the channel is registered under."""

__getattr__ = lazy_exports(
    __name__,
    {
        "channel": ("SMTPEmailChannel",),
        "pool": ("SMTPPool",),
        "settings": ("SMTPSettings", "TLSMode"),
    },
)

__all__ = [
    "CHANNEL_NAME",
    "SMTPEmailChannel",
    "SMTPPool",
    "SMTPSettings",
    "TLSMode",
    "notifysdk_register_channels",
]


def _build(ctx: ChannelContext) -> SMTPEmailChannel:
    from .channel import SMTPEmailChannel

    return SMTPEmailChannel.from_context(ctx)


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the ``smtp-email`` channel (built lazily from its context's settings)."""
    register(CHANNEL_NAME, _build)
