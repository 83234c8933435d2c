"""A loopback HTTP receiver for testing a channel that posts to a provider's API.

Plugin authors test their channel against a real HTTP server rather than a mock of
their client: :class:`LoopbackReceiver` listens on ``127.0.0.1`` (a free port,
``TCP_NODELAY``), records every request, and answers with the responses you queue
(``200`` with ``{}`` once the queue is empty)::

    with LoopbackReceiver() as receiver:
        receiver.reply(503)              # the first request fails, the next succeeds
        settings = {"url": receiver.url}
        ...
        assert receiver.requests[-1].json()["to"] == "+8613800138000"

The pytest fixture ``notifysdk_http_receiver`` gives one per test, closed after it.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class ReceivedRequest:
    """One request the receiver answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class QueuedReply:
    """A response to give to one request (``delay``: seconds to wait before answering,
    ``drop``: close the connection without answering, as a provider that timed out)."""

    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0
    drop: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()


class LoopbackReceiver:
    """A real HTTP server on loopback that records requests and replays queued replies."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._replies: deque[QueuedReply] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: a test's output is its own

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = ReceivedRequest(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with receiver._lock:
                    receiver.requests.append(request)
                    reply = receiver._replies.popleft() if receiver._replies else QueuedReply()
                if reply.delay:
                    receiver._stop.wait(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_PUT = do_GET = do_DELETE = _handle  # noqa: N815

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="notifysdk-loopback", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(
        self,
        status: int = 200,
        body: bytes | str | Any = b"{}",
        *,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        drop: bool = False,
    ) -> None:
        """Queue the response to the next request not yet answered (``body``: bytes,
        text, or anything JSON-serialisable)."""
        if isinstance(body, str):
            data = body.encode()
        elif isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body).encode()
        reply = QueuedReply(status, data, delay=delay, drop=drop)
        if headers is not None:
            reply.headers = headers
        with self._lock:
            self._replies.append(reply)

    def close(self) -> None:
        """Stop the server and its thread (pending delays end at once)."""
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
