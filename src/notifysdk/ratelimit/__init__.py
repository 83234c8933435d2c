"""Provider rate limits per sender, shared by every worker (issue 18).

A provider limits what one sender may send: a Twilio long code about one message a
second, an SMTP account so many a day, a China SMS sign name its daily quota. A channel
section's ``rate_limit`` table (:mod:`.settings`) sets ``per_second`` and ``per_day``
for the channel's senders (and per sender), counted in Redis so that ten workers
together respect one number's limit (:mod:`.limiter`: the second in :mod:`.window`, held
until a second after each request ended; the day on the ``limits`` library). The
sender is what the channel says it sends as (:func:`notifysdk.channels.sender_of`: a
Twilio number or messaging service, an SMTP user, a sign name), else the channel's name.

A send waits for a per-second slot up to ``max_wait_seconds``; past that, or when the
day is full, it raises :class:`RateLimitedError` (transient, with the window's reset as
``retry_after``): the retry policy waits for it, or the dispatcher defers the notice
until then. A rate-limited notice is never dropped.
"""

from __future__ import annotations

from .channel import RateLimitedChannel, build_channel
from .limiter import RateLimitedError, SenderRateLimiter
from .settings import RATE_LIMIT_KEY, RateLimitSettings, SenderLimit, without_rate_limit

__all__ = [
    "RATE_LIMIT_KEY",
    "RateLimitSettings",
    "RateLimitedChannel",
    "RateLimitedError",
    "SenderLimit",
    "SenderRateLimiter",
    "build_channel",
    "without_rate_limit",
]
