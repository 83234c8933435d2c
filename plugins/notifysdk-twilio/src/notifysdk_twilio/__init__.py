"""SMS and automated voice calls through the official twilio client, for notifysdk.

Registers two channels through the ``notifysdk`` entry point ``twilio``:

- ``twilio-sms``: SMS (Messages API), disclosure ``limited``, segment count in the
  receipt, a configurable segment cap;
- ``twilio-voice``: automated calls (Calls API, TwiML ``<Say>`` in the notice's
  language), only where the consent on record allows it; disclosure ``none``.

``notifysdk serve`` runs the webhook app (:mod:`notifysdk_twilio.webhooks`): delivery
receipts and opt-out replies, signature-checked.

Settings come from the channel's config section or ``TWILIO_*`` environment variables
(:mod:`notifysdk_twilio.settings`); errors map as :mod:`notifysdk_twilio.errors` says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from notifysdk.plugin import hookimpl, lazy_exports

if TYPE_CHECKING:
    import typer

    from notifysdk.plugin import ChannelContext, ChannelFactory

    from .channels import TwilioChannel, TwilioSmsChannel, TwilioVoiceChannel, check_e164
    from .errors import ConsentRequiredError, MessageTooLongError, map_rest_error
    from .segments import SegmentCount, count_segments
    from .settings import TwilioSettings

# twilio, aiohttp and the settings model load when a channel is built, not when the
# plugin registers (every CLI start-up); the names stay importable from here.
__getattr__ = lazy_exports(
    __name__,
    {
        "channels": ("TwilioChannel", "TwilioSmsChannel", "TwilioVoiceChannel", "check_e164"),
        "errors": ("ConsentRequiredError", "MessageTooLongError", "map_rest_error"),
        "segments": ("SegmentCount", "count_segments"),
        "settings": ("TwilioSettings",),
    },
)

__all__ = [
    "ConsentRequiredError",
    "MessageTooLongError",
    "SegmentCount",
    "TwilioChannel",
    "TwilioSettings",
    "TwilioSmsChannel",
    "TwilioVoiceChannel",
    "build_sms_channel",
    "build_voice_channel",
    "check_e164",
    "count_segments",
    "map_rest_error",
    "notifysdk_register_channels",
    "notifysdk_register_commands",
]


def build_sms_channel(ctx: ChannelContext) -> TwilioSmsChannel:
    """Factory of ``twilio-sms``: settings from ``ctx.settings`` over the environment."""
    from .channels import TwilioSmsChannel
    from .settings import TwilioSettings

    return TwilioSmsChannel(ctx.name, TwilioSettings.load(ctx.settings, name=ctx.name), ctx.clock)


def build_voice_channel(ctx: ChannelContext) -> TwilioVoiceChannel:
    """Factory of ``twilio-voice``: settings from ``ctx.settings`` over the environment."""
    from .channels import TwilioVoiceChannel
    from .settings import TwilioSettings

    return TwilioVoiceChannel(ctx.name, TwilioSettings.load(ctx.settings, name=ctx.name), ctx.clock)


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register ``twilio-sms`` and ``twilio-voice``."""
    register("twilio-sms", build_sms_channel)
    register("twilio-voice", build_voice_channel)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``notifysdk serve`` (the webhook app; needs the ``webhooks`` extra to run)."""
    from .webhooks.serve import register

    register(app)
