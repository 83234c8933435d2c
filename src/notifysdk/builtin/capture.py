"""The ``capture-*`` channels: write what would be sent to files instead of sending it.

One channel per medium (``capture-sms``, ``capture-email``, ``capture-voice``,
``capture-call_script``, ``capture-letter``); see :mod:`.capture_channel`. Email is
written as a real ``.eml`` (RFC 5322, MIME multipart with attachments); everything else
as ``.json``. Attachments are also written beside it. Files are named by idempotency key,
so a re-delivery overwrites rather than duplicates.

The channel class loads when a dispatcher builds the channel; ``CaptureChannel``,
``to_email``, ``CONTACT_KIND`` and ``DISCLOSURE`` are still importable from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..enums import Medium
from ..hookspecs import hookimpl
from ..lazy import lazy_exports

if TYPE_CHECKING:
    from ..channels import ChannelContext, ChannelFactory
    from .capture_channel import CONTACT_KIND, DISCLOSURE, CaptureChannel, to_email

__getattr__ = lazy_exports(
    __name__, {"capture_channel": ("CONTACT_KIND", "DISCLOSURE", "CaptureChannel", "to_email")}
)


def _factory(medium: Medium) -> ChannelFactory:
    def build(ctx: ChannelContext) -> CaptureChannel:
        from .capture_channel import CaptureChannel

        return CaptureChannel(ctx.name, medium, ctx.output_dir, ctx.clock)

    return build


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register one capture channel per medium."""
    for medium in Medium:
        register(f"capture-{medium.value}", _factory(medium))


__all__ = [
    "CONTACT_KIND",
    "DISCLOSURE",
    "CaptureChannel",
    "notifysdk_register_channels",
    "to_email",
]
