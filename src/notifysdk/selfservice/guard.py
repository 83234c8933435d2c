"""What stands between a visitor and an action: rate limits per client address, wrong
answers per link (locked after N, in the ledger), the session cookie and the forms'
CSRF tokens.

- **Per address** (:class:`AddressLimits`): requests per minute and wrong answers per
  hour, in memory (one process; several servers behind a balancer each count their
  own). Addresses are held as keyed hashes, never as they are, and the tables are
  bounded.
- **Per link** (:func:`failures`, :func:`record_failure`): wrong answers are written to
  the ledger's contact log under the notice's keyed scope, so every server and every
  restart sees them; at ``max_failures`` the link is locked for good.
- **Session** (:func:`new_session`, :func:`read_session`): a cookie
  ``sid.verified_until.tag``, HMAC-signed with the session subkey and bound to the
  notice; ``verified_until`` is 0 until the visitor verified.
- **CSRF** (:func:`csrf_token`, :func:`csrf_ok`): each form carries an HMAC of the
  session id, the notice and the form's name (session-bound, signed): a form posted
  from elsewhere, or without its token, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..compliance.scopes import pseudonym, scope
from ..ledger.base import Ledger

FAILURES = "selfservice.fail"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ADDRESSES = 50_000
"""Client addresses tracked at once (the least recently seen are forgotten first)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _tag(key: bytes, *parts: str, size: int = 16) -> str:
    msg = "\x1f".join(parts).encode("utf-8")
    return _b64(hmac.new(key, msg, hashlib.sha256).digest()[:size])


def notice_ref(key: bytes, notice_key: str) -> str:
    """An opaque, keyed reference to a notice (for cookies and tables)."""
    return _tag(key, "ref", notice_key, size=12)


class AddressLimits:
    """Sliding-window counters per client address, bounded in memory."""

    def __init__(self, key: bytes, *, per_minute: int, failures_per_hour: int) -> None:
        self._key = key
        self.per_minute = per_minute
        self.failures_per_hour = failures_per_hour
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _id(self, address: str) -> str:
        return _tag(self._key, "ip", address, size=9)

    def _push(
        self, table: OrderedDict[str, deque[float]], who: str, window: float, limit: int, add: bool
    ) -> bool:
        now = time.monotonic()
        with self._lock:
            times = table.get(who)
            if times is None:
                times = table[who] = deque()
                while len(table) > MAX_ADDRESSES:
                    table.popitem(last=False)
            table.move_to_end(who)
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= limit:
                return False
            if add:
                times.append(now)
            return True

    def request(self, address: str) -> bool:
        """Count one request; ``False`` when the address is over its per-minute limit."""
        return self._push(self._hits, self._id(address), 60.0, self.per_minute, True)

    def may_answer(self, address: str) -> bool:
        """Whether the address may try an answer (under its hourly wrong answers)."""
        return self._push(self._fails, self._id(address), 3600.0, self.failures_per_hour, False)

    def wrong_answer(self, address: str) -> None:
        """Count one wrong answer from the address."""
        self._push(self._fails, self._id(address), 3600.0, self.failures_per_hour + 1, True)


def failure_scope(notice_key: str) -> str:
    """The contact-log scope of a link's wrong answers (keyed by the durable ledgers)."""
    return scope(FAILURES, "notice", pseudonym(notice_key))


async def failures(ledger: Ledger, notice_key: str, *, now: datetime) -> int:
    """Wrong answers given for notice ``notice_key``'s links up to ``now``."""
    return await ledger.count(failure_scope(notice_key), _EPOCH, now + timedelta(microseconds=1))


async def record_failure(ledger: Ledger, notice_key: str, *, now: datetime) -> int:
    """Count one wrong answer; returns the count after it."""
    await ledger.record_contact(
        failure_scope(notice_key), now, key=notice_key, detail={"event": "verify_failed"}
    )
    return await failures(ledger, notice_key, now=now)


@dataclass(frozen=True)
class Session:
    """A visit: its random id and until when it is verified (``None``: not)."""

    sid: str
    verified_until: datetime | None = None

    def verified(self, now: datetime) -> bool:
        """Whether the visitor verified and the session has not run out."""
        return self.verified_until is not None and now < self.verified_until


def new_session() -> Session:
    """A fresh, unverified session."""
    return Session(_b64(secrets.token_bytes(16)))


def session_cookie(key: bytes, ref: str, session: Session) -> str:
    """The cookie value of ``session`` for the notice ``ref``."""
    until = "0" if session.verified_until is None else str(int(session.verified_until.timestamp()))
    return f"{session.sid}.{until}.{_tag(key, 'session', session.sid, ref, until)}"


def read_session(key: bytes, ref: str, value: str | None) -> Session | None:
    """The session a cookie holds for notice ``ref``, or ``None`` (absent, altered, or
    for another notice)."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    sid, until, tag = parts
    if not hmac.compare_digest(tag, _tag(key, "session", sid, ref, until)):
        return None
    when = None if until == "0" else datetime.fromtimestamp(int(until), UTC)
    return Session(sid, when)


def csrf_token(key: bytes, session: Session, ref: str, form: str) -> str:
    """The CSRF token of ``form`` for this session and notice."""
    return _tag(key, "csrf", session.sid, ref, form)


def csrf_ok(key: bytes, session: Session | None, ref: str, form: str, given: str | None) -> bool:
    """Whether ``given`` is the CSRF token of ``form`` for this session and notice."""
    if session is None or not given:
        return False
    return hmac.compare_digest(given, csrf_token(key, session, ref, form))
