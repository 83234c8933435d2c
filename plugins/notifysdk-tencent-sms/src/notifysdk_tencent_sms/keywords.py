"""Opt-out keywords of a reply: the SDK's (:mod:`notifysdk.optout_keywords`), which
every China SMS plugin shares."""

from __future__ import annotations

from notifysdk.plugin import OPT_OUT_FRAGMENTS, OPT_OUT_WORDS, is_opt_out, normalize_reply

normalize = normalize_reply

__all__ = ["OPT_OUT_FRAGMENTS", "OPT_OUT_WORDS", "is_opt_out", "normalize"]
