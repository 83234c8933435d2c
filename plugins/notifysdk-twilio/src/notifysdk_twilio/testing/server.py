"""A loopback server that answers like Twilio's REST API 2010-04-01 (the parts we use).

- ``POST /2010-04-01/Accounts/{Sid}/Messages.json`` and ``…/Calls.json`` create a
  record (``201``, the resource JSON as Twilio documents it);
- ``GET …/Messages/{Sid}.json`` / ``…/Calls/{Sid}.json`` fetch one (``404`` + 20404);
- ``GET …/Messages.json`` / ``…/Calls.json`` list them, newest first (``To``,
  ``From``, ``PageSize``, ``Page``; ``next_page_uri`` while more remain);
- HTTP Basic auth is checked (``401`` + 20003);
- faults queued with :meth:`FakeTwilioServer.fail_next` answer the next creates with an
  error body ``{"code", "message", "more_info", "status"}`` (and Retry-After), or store
  the record and then drop the connection without answering (``drop_after_accept``),
  answer late (``delay_seconds``) or never answer until the server stops (``hang``,
  :meth:`FakeTwilioServer.hang_next`): the client's own timeout decides;
- with an :class:`~notifysdk_twilio.testing.openapi.OpenAPIChecker`, every request is
  checked against Twilio's OpenAPI description; violations are kept in
  ``violations`` and answered ``400`` (code 21604 for a missing ``To``, else 20001).
  A server started without a checker checks nothing, so reading its ``violations``
  raises :class:`UncheckedServerError` instead of returning a reassuring ``[]``.

The listening socket sets TCP_NODELAY (as does aiohttp on each connection), so
latency figures measure the client rather than Nagle's algorithm. Access logging is
off: requests carry phone numbers.

Run ``python -m notifysdk_twilio.testing.server`` to serve from another process (the
benchmark does): it prints its base URL and serves ``GET /_fake/stats``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import secrets
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from .openapi import OpenAPIChecker

API = "/2010-04-01/Accounts/{account}"
_RESOURCES = {"Messages": ("SM", "messages"), "Calls": ("CA", "calls")}
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f"
)


@dataclass(frozen=True)
class Fault:
    """One injected failure for the next create on a resource.

    ``status``/``code``/``message`` shape the error body; ``retry_after`` adds the
    header; ``drop_after_accept`` stores the record, then closes the connection
    without an answer (a timeout after Twilio accepted); ``delay_seconds`` stores it
    and answers late; ``hang`` stores it and never answers (the connection stays open
    until the server stops), so the client times out by its own clock;
    ``drop_before_accept`` closes the connection without storing anything (the
    request was lost: the client cannot tell this from ``drop_after_accept``).
    """

    status: int = 500
    code: int | None = None
    message: str = "An internal server error occurred"
    retry_after: str | None = None
    drop_after_accept: bool = False
    delay_seconds: float = 0.0
    hang: bool = False
    drop_before_accept: bool = False

    @property
    def accepts(self) -> bool:
        """Whether the record is stored before the fault strikes."""
        return self.drop_after_accept or self.hang or self.delay_seconds > 0


class UncheckedServerError(RuntimeError):
    """``violations`` was read on a server that has no OpenAPI checker."""


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]
    status: int = 0
    violations: list[str] = field(default_factory=list)
    nodelay: bool = False
    arrived: float = 0.0
    """``time.monotonic()`` when the server began handling it (its headers were read):
    what a provider's throughput limit counts, for rate-limit tests."""


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status, headers=headers)


def _segments(body: str) -> int:
    if all(ch in _GSM for ch in body):
        units = len(body) + sum(1 for ch in body if ch in "^{}\\[~]|€\f")
        single, part = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


class FakeTwilioServer:
    """A Twilio-shaped HTTP server on 127.0.0.1; use ``async with`` or start/stop."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        checker: OpenAPIChecker | None = None,
        now: Callable[[], datetime] | None = None,
        record_requests: bool = True,
    ) -> None:
        self.account_sid = account_sid
        self._auth = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.checker = checker
        self.now = now or (lambda: datetime.now(UTC))
        self.record_requests = record_requests
        self.records: dict[str, dict[str, dict[str, Any]]] = {"messages": {}, "calls": {}}
        self.requests: list[RecordedRequest] = []
        self._violations: list[str] = []
        self._released: asyncio.Event | None = None
        self.unanswered: list[str] = []
        """SIDs stored by a create whose answer was dropped, delayed or never sent."""
        self.faults: dict[str, deque[Fault]] = {"Messages": deque(), "Calls": deque()}
        self.peers: set[tuple[str, int]] = set()
        self.request_count = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- records ---------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages created, oldest first."""
        return list(self.records["messages"].values())

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Calls created, oldest first."""
        return list(self.records["calls"].values())

    @property
    def violations(self) -> list[str]:
        """Every OpenAPI violation seen so far; raises :class:`UncheckedServerError`
        when the server has no checker (an empty list would prove nothing)."""
        if self.checker is None:
            raise UncheckedServerError(
                "this FakeTwilioServer has no OpenAPIChecker: it checks no request shapes"
            )
        return self._violations

    def fail_next(self, *faults: Fault, resource: str = "Messages") -> None:
        """Queue ``faults`` for the next creates of ``resource`` (``Messages``/``Calls``)."""
        self.faults[resource].extend(faults)

    def hang_next(self, count: int = 1, resource: str = "Messages") -> None:
        """The next ``count`` creates store their record and never answer."""
        self.fail_next(*[Fault(hang=True)] * count, resource=resource)

    # -- lifecycle -------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1 (TCP_NODELAY) and return the base URL."""
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
        sock.setblocking(False)
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.base_url

    async def stop(self) -> None:
        """Stop listening and close connections (hanging creates are dropped first)."""
        if self._released is not None:
            self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTwilioServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- handlers --------------------------------------------------------------

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "messages": len(self.records["messages"]),
                "calls": len(self.records["calls"]),
                "requests": self.request_count,
                "connections": len(self.peers),
                "checked": self.checker is not None,
                "violations": self._violations[:20],
            }
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        self.request_count += 1
        sock = request.transport.get_extra_info("socket") if request.transport else None
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.peers.add(tuple(peer[:2]))
        form: list[tuple[str, str]] = []
        if request.method in ("POST", "PUT"):
            posted = await request.post()
            form = [(k, str(v)) for k, v in posted.items()]
        query = list(request.query.items())
        rec = RecordedRequest(request.method, request.path, query, form, arrived=arrived)
        if sock is not None:
            rec.nodelay = bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        if self.record_requests:
            self.requests.append(rec)
        response = await self._answer(request, rec)
        rec.status = response.status
        return response

    async def _answer(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        if request.headers.get("Authorization") != self._auth:
            return _error(401, 20003, "Authenticate")
        if self.checker is not None:
            rec.violations = self.checker.check(
                request.method,
                request.path,
                query=rec.query,
                form=rec.form,
                content_type=request.headers.get("Content-Type")
                if request.method == "POST"
                else None,
            )
            if rec.violations:
                self._violations.extend(rec.violations)
                missing_to = any("required form field To" in v for v in rec.violations)
                return _error(
                    400,
                    21604 if missing_to else 20001,
                    "A 'To' phone number is required." if missing_to else "Invalid request",
                )
        prefix = API.format(account=self.account_sid) + "/"
        if not request.path.startswith(prefix):
            return _error(404, 20404, "The requested resource was not found")
        tail = request.path[len(prefix) :]
        name, _, rest = tail.partition("/")
        name = name.removesuffix(".json")
        if name not in _RESOURCES:
            return _error(404, 20404, "The requested resource was not found")
        store = self.records[_RESOURCES[name][1]]
        if rest:
            sid = rest.removesuffix(".json")
            if request.method != "GET" or sid not in store:
                return _error(404, 20404, "The requested resource was not found")
            return web.json_response(store[sid])
        if request.method == "GET":
            return self._list(request, name, store)
        if request.method != "POST":
            return _error(405, 20004, "Method not allowed")
        return await self._create(request, name, dict(rec.form))

    def _list(
        self, request: web.Request, name: str, store: dict[str, dict[str, Any]]
    ) -> web.Response:
        to = request.query.get("To")
        sender = request.query.get("From")
        size = int(request.query.get("PageSize", "50"))
        page = int(request.query.get("Page", "0"))
        items = [
            r
            for r in reversed(store.values())
            if (to is None or r["to"] == to) and (sender is None or r["from"] == sender)
        ]
        chunk = items[page * size : (page + 1) * size]
        uri = request.path_qs
        more = len(items) > (page + 1) * size
        kept = [(k, v) for k, v in request.query.items() if k not in ("Page", "PageToken")]
        following = urlencode([*kept, ("Page", str(page + 1)), ("PageToken", f"PA{page + 1}")])
        return web.json_response(
            {
                name.lower(): chunk,
                "end": page * size + len(chunk) - 1,
                "first_page_uri": uri,
                "next_page_uri": f"{request.path}?{following}" if more else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": None,
                "start": page * size,
                "uri": uri,
            }
        )

    async def _create(
        self, request: web.Request, name: str, form: dict[str, str]
    ) -> web.StreamResponse:
        fault = self.faults[name].popleft() if self.faults[name] else None
        if fault is not None and fault.drop_before_accept:
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if fault is not None and not fault.accepts:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            return _error(fault.status, fault.code or fault.status, fault.message, headers)
        prefix, key = _RESOURCES[name]
        sid = prefix + secrets.token_hex(16)
        now = format_datetime(self.now().astimezone(UTC), usegmt=True).replace("GMT", "+0000")
        base = API.format(account=self.account_sid)
        record: dict[str, Any]
        if name == "Messages":
            body = form.get("Body", "")
            record = {
                "account_sid": self.account_sid,
                "api_version": "2010-04-01",
                "body": body,
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0",
                "num_segments": str(_segments(body)),
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued" if form.get("From") else "accepted",
                "subresource_uris": {"media": f"{base}/Messages/{sid}/Media.json"},
                "to": form.get("To"),
                "uri": f"{base}/Messages/{sid}.json",
            }
        else:
            record = {
                "sid": sid,
                "date_created": now,
                "date_updated": now,
                "parent_call_sid": None,
                "account_sid": self.account_sid,
                "to": form.get("To"),
                "to_formatted": form.get("To"),
                "from": form.get("From"),
                "from_formatted": form.get("From"),
                "phone_number_sid": None,
                "status": "queued",
                "start_time": None,
                "end_time": None,
                "duration": None,
                "price": None,
                "price_unit": "USD",
                "direction": "outbound-api",
                "answered_by": None,
                "api_version": "2010-04-01",
                "forwarded_from": None,
                "group_sid": None,
                "caller_name": None,
                "queue_time": "0",
                "trunk_sid": None,
                "uri": f"{base}/Calls/{sid}.json",
                "subresource_uris": {},
                "twiml": form.get("Twiml"),
            }
        self.records[key][sid] = record
        if fault is not None:
            self.unanswered.append(sid)
        if fault is not None and fault.delay_seconds:
            await asyncio.sleep(fault.delay_seconds)
        if fault is not None and fault.hang and self._released is not None:
            await self._released.wait()
        if fault is not None and (fault.drop_after_accept or fault.hang):
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # aiohttp drops the connection without a reply
        return web.json_response(record, status=201)


async def _serve(args: argparse.Namespace) -> None:
    checker = OpenAPIChecker.from_file() if args.check else None
    server = FakeTwilioServer(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        checker=checker,
        record_requests=False,
    )
    url = await server.start(args.port)
    print(url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve until killed; print the base URL first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--check", action="store_true", help="validate against the OpenAPI")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
