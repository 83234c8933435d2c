"""Inbound messages: opt-outs (``STOP``, ``退订``…) and opt-ins (``START``) recorded in
the ledger per number for the ``sms`` medium, through the compliance module's scopes, so
the ``ledger-opt-out`` rule blocks the next SMS to that number from that instant.

A replayed message changes nothing: each ``MessageSid`` is recorded once (under the
scope ``inbound:message:SID``) and a replay of an old ``STOP`` after a ``START`` is
ignored. Numbers are stored pseudonymized (:func:`notifysdk.compliance.scopes.pseudonym`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from notifysdk.plugin import (
    Ledger,
    mask_value,
    record_optin,
    record_optout,
    scope,
)

from .forms import InboundMessage
from .keywords import Keyword, classify

MEDIA = ("sms",)
"""An SMS opt-out closes SMS to that number; other media keep their own consent."""


def seen_scope(sid: str) -> str:
    """The scope under which an inbound ``MessageSid`` is remembered."""
    return scope("inbound", "message", sid)


async def apply_inbound(ledger: Ledger, msg: InboundMessage, *, now: datetime) -> Keyword | None:
    """Record what ``msg`` asks for; ``None`` when this ``MessageSid`` was seen before."""
    seen = seen_scope(msg.sid)
    if await ledger.count(seen, now - timedelta(days=36500), now + timedelta(days=36500)):
        return None
    keyword = classify(msg.body)
    await ledger.record_contact(seen, now, detail={"keyword": keyword.value})
    if keyword is Keyword.OPT_OUT:
        await record_optout(ledger, msg.from_, now, media=MEDIA, key=msg.sid)
    elif keyword is Keyword.OPT_IN:
        await record_optin(ledger, msg.from_, now, media=MEDIA, key=msg.sid)
    if keyword is not Keyword.NONE:
        detail = {"medium": "sms", "number": mask_value("phone", msg.from_), "message_sid": msg.sid}
        await ledger.audit(keyword.value, None, detail, now=now)
    return keyword
