"""Opt-out and opt-in keywords of an inbound SMS.

A message opts out when, normalized (Unicode NFKC, trimmed of spaces and punctuation,
upper-cased), it *is* one of :data:`OPT_OUT_WORDS` — Twilio's own list (``STOP``,
``STOPALL``, ``UNSUBSCRIBE``, ``CANCEL``, ``END``, ``QUIT``, ``OPTOUT``, ``REVOKE``) and
the Chinese convention (``退订``, ``TD``, ``T``, ``N``…) — or when it contains ``退订``
anywhere (``回复退订``, ``我要退订``). It opts back in when it is ``START`` or
``UNSTOP``. Twilio also treats ``YES`` as an opt-in; we do not: a borrower's "yes" to a
question must not reopen a channel they closed.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class Keyword(StrEnum):
    """What an inbound message asks for."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    NONE = "none"


OPT_OUT_WORDS = frozenset(
    {
        "STOP",
        "STOPALL",
        "STOP ALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "OPTOUT",
        "OPT OUT",
        "OPT-OUT",
        "REVOKE",
        "退订",
        "TD",
        "T",
        "N",
        "取消订阅",
        "退订短信",
    }
)
"""Whole messages that opt out."""

OPT_OUT_FRAGMENTS = ("退订",)
"""Text that opts out wherever it appears in a message."""

OPT_IN_WORDS = frozenset({"START", "UNSTOP"})
"""Whole messages that opt back in."""

_TRIM = " \t\r\n.,!?;:'\"()[]。，！？；：、“”‘’（）【】…~～"


def normalize(body: str) -> str:
    """NFKC (full-width ``ＳＴＯＰ`` → ``STOP``), trimmed, inner spaces collapsed, upper-case."""
    text = unicodedata.normalize("NFKC", body).strip(_TRIM)
    return " ".join(text.split()).upper()


def classify(body: str) -> Keyword:
    """Whether ``body`` opts out, opts back in, or is neither."""
    text = normalize(body)
    if text in OPT_OUT_WORDS or any(f in text for f in OPT_OUT_FRAGMENTS):
        return Keyword.OPT_OUT
    if text in OPT_IN_WORDS:
        return Keyword.OPT_IN
    return Keyword.NONE
