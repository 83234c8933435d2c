"""Email through aiosmtplib with a connection pool, for notifysdk.

Registers one channel, ``smtp-email`` (medium email, contact kind email, disclosure
FULL), through the ``notifysdk`` entry point ``smtp``. Configure it in
``[channels.smtp-email]`` or with ``NOTIFYSDK_SMTP_*`` environment variables (see
:class:`~notifysdk_smtp.settings.SMTPSettings` and the README).
"""

from __future__ import annotations

from collections.abc import Callable

from notifysdk.channels import ChannelContext, ChannelFactory
from notifysdk.hookspecs import hookimpl

from .channel import CHANNEL_NAME, SMTPEmailChannel
from .pool import SMTPPool
from .settings import SMTPSettings, TLSMode

__all__ = [
    "CHANNEL_NAME",
    "SMTPEmailChannel",
    "SMTPPool",
    "SMTPSettings",
    "TLSMode",
    "notifysdk_register_channels",
]


def _build(ctx: ChannelContext) -> SMTPEmailChannel:
    return SMTPEmailChannel.from_context(ctx)


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the ``smtp-email`` channel (built lazily from its context's settings)."""
    register(CHANNEL_NAME, _build)
