"""Running the app on loopback for tests and benchmarks, and signing requests the way
Twilio does (the official :class:`RequestValidator`'s ``compute_signature``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from .serve import listening_socket, uvicorn_config


def signed(url: str, form: Mapping[str, str], auth_token: str) -> tuple[bytes, dict[str, str]]:
    """A form body and the headers Twilio would send with it to ``url``."""
    signature = RequestValidator(auth_token).compute_signature(url, dict(form))
    headers = {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return urlencode(dict(form)).encode(), headers


class LoopbackServer:
    """An ASGI app under uvicorn on ``127.0.0.1`` (a free port, TCP_NODELAY), in the
    running event loop; ``async with`` starts and stops it."""

    def __init__(self, app: Any, **config: Any) -> None:
        self.app = app
        self.config = config
        self.base_url = ""
        self._task: asyncio.Task[None] | None = None
        self._server: Any = None

    async def __aenter__(self) -> LoopbackServer:
        import uvicorn

        sock = listening_socket("127.0.0.1", 0)
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn_config(self.app, **self.config))
        self._task = asyncio.get_running_loop().create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        return self

    @property
    def guard(self) -> Any:
        """The server's :class:`~notifysdk_twilio.webhooks.guard.SlowClientGuard`."""
        return self._server.config.http.guard

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
