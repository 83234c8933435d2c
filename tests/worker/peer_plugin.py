"""A plugin registered by hand in the fleet's workers (``NOTIFYSDK_WORKER_PLUGINS``): the
loopback peer of ``tests/ledger/peer.py`` as channel ``peer-sms``, configured by
``[notifysdk.channels.peer-sms] url``. It looks an interrupted attempt up by key, as the
Twilio channel does, so recovery can tell what went out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peer import PeerChannel

from notifysdk.channels import ChannelContext
from notifysdk.hookspecs import hookimpl


@hookimpl
def notifysdk_register_channels(register: Callable[[str, Any], None]) -> None:
    """``peer-sms``."""

    def build(ctx: ChannelContext) -> PeerChannel:
        return PeerChannel(str(ctx.settings["url"]), can_reconcile=True, clock=ctx.clock)

    register("peer-sms", build)
