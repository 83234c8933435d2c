"""Domestic Chinese SMS through Tencent Cloud SMS, for notifysdk.

Registers the channel ``tencent-sms`` through the ``notifysdk`` entry point
``tencent-sms``: approved templates as data (:mod:`notifysdk_tencent_sms.approved`), the
official ``tencentcloud-sdk-python-sms`` async client with its retries off
(:mod:`notifysdk_tencent_sms.channel`), errors mapped as
:mod:`notifysdk_tencent_sms.errors` says, and ``notifysdk cnsms poll``: carrier reports
and uplink replies (退订 / TD / T / STOP → opt-out) pulled into the ledger
(:mod:`notifysdk_tencent_sms.poll`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from notifysdk.plugin import hookimpl, lazy_exports

if TYPE_CHECKING:
    import typer

    from notifysdk.plugin import ChannelContext, ChannelFactory

    from .approved import (
        ApprovedTemplate,
        NoApprovedTemplateError,
        TemplateMismatchError,
        TemplateParamError,
        count_segments,
    )
    from .channel import NotMainlandMobileError, TencentSmsChannel
    from .errors import ProviderAccountError, map_code
    from .settings import TencentSmsSettings

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
        "channel": ("NotMainlandMobileError", "TencentSmsChannel"),
        "errors": ("ProviderAccountError", "map_code"),
        "settings": ("TencentSmsSettings",),
    },
)

__all__ = [
    "ApprovedTemplate",
    "NoApprovedTemplateError",
    "NotMainlandMobileError",
    "ProviderAccountError",
    "TemplateMismatchError",
    "TemplateParamError",
    "TencentSmsChannel",
    "TencentSmsSettings",
    "build_channel",
    "count_segments",
    "map_code",
    "notifysdk_register_channels",
    "notifysdk_register_commands",
]


def build_channel(ctx: ChannelContext) -> TencentSmsChannel:
    """Factory of ``tencent-sms``: settings from ``ctx.settings`` over the environment."""
    from .channel import TencentSmsChannel
    from .settings import TencentSmsSettings

    return TencentSmsChannel(
        ctx.name, TencentSmsSettings.load(ctx.settings, name=ctx.name), ctx.clock
    )


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register ``tencent-sms``."""
    register("tencent-sms", build_channel)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``notifysdk cnsms poll`` (carrier reports and replies into the ledger)."""
    from .poll import register

    register(app)


@hookimpl
def notifysdk_register_webhooks(register: Callable[[str, Any], None]) -> None:
    """``POST /tencent-sms/status`` and ``POST /tencent-sms/reply`` under ``notifysdk serve``."""
    from .webhooks import register_webhooks

    register_webhooks(register)
