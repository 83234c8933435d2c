"""Domestic Chinese SMS through Alibaba Cloud SMS (dysmsapi), for notifysdk.

Registers the channel ``aliyun-sms`` through the ``notifysdk`` entry point
``aliyun-sms``: approved templates as data (:mod:`notifysdk_aliyun_sms.approved`), the
official ``alibabacloud-dysmsapi20170525`` client with its retries off
(:mod:`notifysdk_aliyun_sms.channel`), errors mapped as
:mod:`notifysdk_aliyun_sms.errors` says, and ``notifysdk cnsms poll`` for delivery
reports by QuerySendDetails (:mod:`notifysdk_aliyun_sms.poll`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from notifysdk.plugin import hookimpl, lazy_exports

if TYPE_CHECKING:
    import typer

    from notifysdk.plugin import ChannelContext, ChannelFactory, Dispatcher

    from .approved import (
        ApprovedTemplate,
        NoApprovedTemplateError,
        TemplateMismatchError,
        TemplateParamError,
        count_segments,
    )
    from .channel import AliyunSmsChannel, NotMainlandMobileError
    from .errors import ProviderAccountError, map_code
    from .settings import AliyunSmsSettings

# the vendor client loads when a channel is built, not at every CLI start-up
__getattr__ = lazy_exports(
    __name__,
    {
        "approved": (
            "ApprovedTemplate",
            "NoApprovedTemplateError",
            "TemplateMismatchError",
            "TemplateParamError",
            "count_segments",
        ),
        "channel": ("AliyunSmsChannel", "NotMainlandMobileError"),
        "errors": ("ProviderAccountError", "map_code"),
        "settings": ("AliyunSmsSettings",),
    },
)

__all__ = [
    "AliyunSmsChannel",
    "AliyunSmsSettings",
    "ApprovedTemplate",
    "NoApprovedTemplateError",
    "NotMainlandMobileError",
    "ProviderAccountError",
    "TemplateMismatchError",
    "TemplateParamError",
    "build_channel",
    "count_segments",
    "map_code",
    "notifysdk_register_channels",
    "notifysdk_register_commands",
    "notifysdk_register_webhooks",
]


def build_channel(ctx: ChannelContext) -> AliyunSmsChannel:
    """Factory of ``aliyun-sms``: settings from ``ctx.settings`` over the environment."""
    from .channel import AliyunSmsChannel
    from .settings import AliyunSmsSettings

    return AliyunSmsChannel(
        ctx.name, AliyunSmsSettings.load(ctx.settings, name=ctx.name), ctx.clock
    )


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register ``aliyun-sms``."""
    register("aliyun-sms", build_channel)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``notifysdk cnsms poll --provider aliyun`` (delivery reports by
    QuerySendDetails into the ledger)."""
    from notifysdk.plugin import register_poller

    register_poller(app, "aliyun", channel="aliyun-sms", poll=_poll)


async def _poll(dispatcher: Dispatcher, name: str) -> str:
    # the poller and the ledger's models load when the command runs, not at start-up
    from .poll import poll

    return await poll(dispatcher, name)


@hookimpl
def notifysdk_register_webhooks(register: Callable[[str, Any], None]) -> None:
    """``POST /aliyun-sms/report`` and ``POST /aliyun-sms/reply`` under ``notifysdk serve``."""
    from .webhooks import register_webhooks

    register_webhooks(register)
