"""Opt-out keywords of an SMS reply (an uplink message to a China SMS provider).

A reply opts out when, normalized (Unicode NFKC, trimmed of spaces and punctuation,
upper-cased), it *is* one of :data:`OPT_OUT_WORDS` — the Chinese convention the
carriers' wording asks for (``退订``, ``TD``, ``T``, ``R`` for 拒收请回复R, ``N``) and
the English ``STOP`` family — or contains ``退订`` or ``拒收`` anywhere (``回复退订``,
``我要退订``). Nothing here opts back in: a borrower's later "yes" must not reopen SMS.
"""

from __future__ import annotations

import unicodedata

OPT_OUT_WORDS = frozenset(
    {
        "退订",
        "TD",
        "T",
        "R",
        "N",
        "取消订阅",
        "退订短信",
        "拒收",
        "STOP",
        "STOPALL",
        "STOP ALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "OPTOUT",
        "OPT OUT",
    }
)
OPT_OUT_FRAGMENTS = ("退订", "拒收")
_TRIM = " \t\r\n.,!?;:'\"()[]。，！？；：、“”‘’（）【】…~～"


def normalize(text: str) -> str:
    """NFKC (full-width ``ＴＤ`` → ``TD``), trimmed, inner spaces collapsed, upper-case."""
    folded = unicodedata.normalize("NFKC", text).strip(_TRIM)
    return " ".join(folded.split()).upper()


def is_opt_out(text: str) -> bool:
    """Whether the reply ``text`` asks to receive no more SMS."""
    t = normalize(text)
    return t in OPT_OUT_WORDS or any(f in t for f in OPT_OUT_FRAGMENTS)


normalize_reply = normalize
""":func:`normalize`, under the name the plugin API gives it."""
