"""A loopback HTTP peer that records every POSTed message, and a channel that uses it.

The peer stands in for a provider: ``POST /messages`` (JSON ``{"key", "to", "tag"}``)
records one delivery and answers ``201 {"id": ...}``; ``GET /messages/KEY`` answers
``200 {"id", "count"}`` when it has that key, ``404`` otherwise; ``GET /stats`` returns
every count. ``refuse(key, ...)`` scripts refusals (a 429 with Retry-After, a 400) that
store nothing, as a provider that did not accept the message. It can SIGKILL a process
when the Nth message arrives, *before* answering, the worst moment for the sender: the
provider has it, the sender never hears so.

:class:`PeerChannel` sends through it with httpx; with ``can_reconcile`` it looks an
interrupted attempt up by key (as the Twilio channel looks a message up) and answers from
what the peer server stored, otherwise it answers ``unknown`` like a provider with no
lookup (SMTP). :class:`PeerEmailChannel` is the same peer as an email provider.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# httpcore tries ``import sniffio`` on every request when it is not installed, and a
# failed import is not cached: that search costs milliseconds per request. Marking it
# absent makes the import fail at once (httpcore then assumes asyncio, which it is).
sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

import httpx  # noqa: E402

from notifysdk.channels import Attempt, BaseChannel, Disclosure, ReconcileResult, ReconcileStatus  # noqa: E402
from notifysdk.clock import Clock, SystemClock  # noqa: E402
from notifysdk.errors import PermanentDeliveryError, TransientDeliveryError  # noqa: E402
from notifysdk.models import Medium, Message, Receipt  # noqa: E402


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A killed client resets its connections: expected here, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class RecordingPeer:
    """The peer; ``start()`` serves it on 127.0.0.1 from a daemon thread."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.total = 0
        self.lock = threading.Lock()
        self.kill_pid: int | None = None
        self.kill_at: int | None = None
        self.kills = 0
        self.refusals: dict[str, list[tuple[int, float | None]]] = {}
        self.refused: Counter[str] = Counter()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                doc = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                refusal: tuple[int, float | None] | None = None
                with peer.lock:
                    if peer.refusals.get(doc["key"]):
                        refusal = peer.refusals[doc["key"]].pop(0)
                        peer.refused[doc["key"]] += 1
                if refusal is not None:  # refused: nothing stored
                    status, retry_after = refusal
                    body = {"code": status, "message": "refused", "status": status}
                    data = json.dumps(body).encode()
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", str(int(retry_after)))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                with peer.lock:
                    peer.counts[doc["key"]] += 1
                    peer.tags[doc.get("tag", "")] += 1
                    peer.total += 1
                    n = peer.total
                    kill = peer.kill_pid if peer.kill_at is not None and n >= peer.kill_at else None
                    if kill is not None:
                        peer.kill_at = None
                if kill is not None:
                    os.kill(kill, signal.SIGKILL)
                    with peer.lock:
                        peer.kills += 1
                    self.close_connection = True
                    return
                self._reply(201, {"id": f"m-{n}"})

            def do_GET(self) -> None:
                if self.path == "/stats":
                    with peer.lock:
                        body = {
                            "total": peer.total,
                            "counts": dict(peer.counts),
                            "tags": dict(peer.tags),
                        }
                    self._reply(200, body)
                    return
                key = self.path.rsplit("/", 1)[-1]
                with peer.lock:
                    count = peer.counts.get(key, 0)
                if count:
                    self._reply(200, {"id": f"k-{key}", "count": count})
                else:
                    self._reply(404, {"code": 20404, "message": "not found", "status": 404})

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> RecordingPeer:
        """Serve from a daemon thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def arm_kill(self, pid: int, at_total: int) -> None:
        """SIGKILL ``pid`` when the ``at_total``-th message arrives, before answering."""
        with self.lock:
            self.kill_pid, self.kill_at = pid, at_total

    def refuse(self, key: str, *answers: tuple[int, float | None]) -> None:
        """Answer the next POSTs of ``key`` with these ``(status, retry_after)`` refusals,
        storing nothing (a 429 with Retry-After, a 400...); then accept as usual."""
        with self.lock:
            self.refusals[key] = list(answers)

    def disarm(self) -> None:
        """Cancel a pending kill."""
        with self.lock:
            self.kill_at = None

    @property
    def duplicates(self) -> int:
        """Messages received beyond the first for their key."""
        with self.lock:
            return sum(c - 1 for c in self.counts.values() if c > 1)


class PeerChannel(BaseChannel):
    """Sends to a :class:`RecordingPeer`; reconciles by key when ``can_reconcile``."""

    name = "peer-sms"
    medium = Medium.SMS
    disclosure = Disclosure.LIMITED
    contact_kind = "phone"

    def __init__(
        self, base_url: str, *, can_reconcile: bool, clock: Clock | None = None, tag: str = ""
    ) -> None:
        # TCP_NODELAY on our side too: httpx writes headers and body separately.
        transport = httpx.AsyncHTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
        self.client = httpx.AsyncClient(base_url=base_url, timeout=30.0, transport=transport)
        self.can_reconcile = can_reconcile
        self.clock = clock or SystemClock()

    async def send(self, message: Message) -> Receipt:
        """POST the message; map transport errors and 5xx to transient, 4xx to permanent."""
        body = {
            "key": message.idempotency_key,
            "to": message.to,
            "tag": str(message.metadata.get("tag", "")),
        }
        try:
            resp = await self.client.post("/messages", json=body)
        except httpx.TransportError as exc:
            raise TransientDeliveryError(f"peer unreachable: {type(exc).__name__}") from None
        if resp.status_code >= 500 or resp.status_code == 429:
            after = resp.headers.get("Retry-After")
            raise TransientDeliveryError(
                "peer busy" if resp.status_code == 429 else "peer error",
                status=resp.status_code,
                retry_after=None if after is None else float(after),
            )
        if resp.status_code >= 400:
            raise PermanentDeliveryError("peer refused", status=resp.status_code)
        return Receipt(
            channel=self.name, provider_id=resp.json()["id"], accepted_at=self.clock.now()
        )

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """Look the message up by key (or say ``unknown`` when this peer has no lookup)."""
        if not self.can_reconcile:
            return ReconcileResult(ReconcileStatus.UNKNOWN)
        resp = await self.client.get(f"/messages/{attempt.idempotency_key}")
        if resp.status_code == 200:
            return ReconcileResult(ReconcileStatus.SENT, provider_id=resp.json()["id"])
        if resp.status_code == 404:
            return ReconcileResult(ReconcileStatus.NOT_SENT)
        return ReconcileResult(ReconcileStatus.UNKNOWN)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()


class PeerEmailChannel(PeerChannel):
    """The same peer as an email provider (a second medium for campaign ladders)."""

    name = "peer-email"
    medium = Medium.EMAIL
    disclosure = Disclosure.FULL
    contact_kind = "email"
