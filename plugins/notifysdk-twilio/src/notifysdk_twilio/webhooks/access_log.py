"""An access log that cannot leak personal data: method, endpoint and status only.

Uvicorn's own access log prints the client address and the full path with its query
string; ``notifysdk serve`` turns it off and uses this middleware instead. Only the
app's own endpoints are named; any other path is logged as ``<other>`` (a path can
carry anything a caller typed, phone numbers included).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("notifysdk_twilio.webhooks.access")


class AccessLog:
    """ASGI middleware logging ``POST /status 204 1.3ms`` per HTTP request."""

    def __init__(self, app: ASGIApp, endpoints: Collection[str]) -> None:
        self.app = app
        self.endpoints = frozenset(endpoints)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; log it when the response starts."""
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = scope.get("path", "")
        shown = path if path in self.endpoints else "<other>"
        method = str(scope.get("method", ""))[:10]

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - started) * 1000
                log.info("%s %s %d %.1fms", method, shown, message["status"], ms)
            await send(message)

        await self.app(scope, receive, logged_send)
