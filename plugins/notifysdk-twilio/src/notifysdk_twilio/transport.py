"""The official twilio client on its own async HTTP client, with its retries off.

:class:`PooledAsyncHttpClient` is twilio-python's :class:`AsyncTwilioHttpClient` with
three changes:

- **no retries**: twilio's client wraps its session in ``aiohttp_retry.RetryClient``
  (which retries every 5xx) when given ``max_retries``; we never pass it, and refuse a
  retrying session, so the SDK's tenacity policy stays the only retry layer (a
  duplicate SMS is harassment);
- **connection reuse**: one :class:`aiohttp.ClientSession` with a bounded
  :class:`aiohttp.TCPConnector`, opened lazily inside the running loop, closed by
  :meth:`close`; the configured timeout applies to every request (twilio's async
  client ignores its own ``timeout``);
- **response headers kept**: :class:`TwilioRestException` drops the headers, so the
  last response of the current task is kept in a context variable for the error
  mapping to read Retry-After.

Its request log is silenced: twilio logs query strings, which carry phone numbers.
"""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import Mapping
from contextvars import ContextVar

import aiohttp
from twilio.http.async_http_client import AsyncTwilioHttpClient  # type: ignore[import-untyped]
from twilio.http.response import Response  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from .settings import DEFAULT_BASE_URL, TwilioSettings

_wire_log = logging.getLogger("notifysdk_twilio.wire")


@functools.lru_cache(maxsize=8)
def _basic(user: str, password: str) -> str:
    # Built once per account, not per request (the credentials are already in settings).
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


_wire_log.setLevel(logging.WARNING)  # twilio logs query strings (phone numbers) at INFO
_wire_log.propagate = False

last_response_headers: ContextVar[Mapping[str, str] | None] = ContextVar(
    "notifysdk_twilio_last_response_headers", default=None
)
"""Headers of the last Twilio response seen by the current task."""


class PooledAsyncHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """twilio's async HTTP client on one pooled session, without retries."""

    def __init__(self, *, timeout: float, max_connections: int) -> None:
        super().__init__(
            pool_connections=False, timeout=timeout, logger=_wire_log, max_retries=None
        )
        self.max_connections = max_connections
        self.session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self.max_connections, limit_per_host=self.max_connections
            ),
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send one request on the pooled session; keep its headers for the caller."""
        if self.session is None or self.session.closed:
            self.session = self._open()
        if not isinstance(self.session, aiohttp.ClientSession):
            raise RuntimeError(
                "a retrying session is refused: the SDK's retry policy is the only one"
            )
        if auth is not None:  # a header, not aiohttp's deprecated BasicAuth object
            headers = {**(headers or {}), "Authorization": _basic(auth[0], auth[1])}
        response: Response = await super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=timeout or self.timeout,  # aiohttp reads None as no timeout at all
            allow_redirects=allow_redirects,
        )
        last_response_headers.set(response.headers)
        return response

    async def close(self) -> None:
        """Close the pooled session (idempotent)."""
        if self.session is not None and not self.session.closed:
            await self.session.close()
        self.session = None


def build_client(settings: TwilioSettings) -> tuple[Client, PooledAsyncHttpClient]:
    """An official :class:`twilio.rest.Client` on a pooled, non-retrying async HTTP client."""
    http = PooledAsyncHttpClient(
        timeout=settings.timeout_seconds, max_connections=settings.max_connections
    )
    client = Client(
        username=settings.account_sid,
        password=settings.auth_token.get_secret_value(),
        account_sid=settings.account_sid,
        http_client=http,
    )
    if settings.base_url != DEFAULT_BASE_URL:
        client.api.base_url = settings.base_url
        # Edge/region settings rewrite the host name: never let them redirect an override.
        client.edge = None
        client.region = None
    return client, http
