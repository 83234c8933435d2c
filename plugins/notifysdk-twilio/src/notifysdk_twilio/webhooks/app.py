"""The ASGI app: ``POST /status`` (message status callbacks) and ``POST /inbound``
(inbound messages), each signed by Twilio; ``GET /healthz`` (the process answers) and
``GET /readyz`` (the ledger answers too, within ``READY_TIMEOUT`` seconds; 503 if not);
``GET /metrics``: the SDK's Prometheus metrics (outcomes, attempts, retries, provider
latency; no personal data in any label).

Every request goes through the same gate, in this order: a missing
``X-Twilio-Signature`` → 403; a body that is not a form, too large (413), too slow (408)
or malformed → 400; a signature that does not match the public URL and the form → 403;
another account's ``AccountSid`` → 403. Only then is anything stored. Handling must
finish within ``request_timeout_seconds`` (503 otherwise: Twilio may retry, and a replay
is idempotent). Errors name fields, never values.

Other plugins' webhooks (:func:`notifysdk.hookspecs.notifysdk_register_webhooks`: a
China SMS provider's delivery reports and replies) are mounted beside these as ``POST``
routes, behind the same body bound, deadlines and concurrency limit; each handler
authenticates its own requests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from notifysdk.plugin import (
    ConfigurationError,
    Dispatcher,
    DurableLedger,
    TxRunner,
    Webhook,
    WebhookRefusedError,
    WebhookRequest,
    metrics_text,
    mounts,
)

from .access_log import AccessLog
from .forms import (
    BadRequestError,
    check_account,
    parse_form,
    parse_inbound,
    parse_status,
    read_body,
)
from .guard import ConcurrencyLimit
from .inbound import apply_inbound
from .receipts import WebhookLedger, apply_status
from .settings import WebhookSettings
from .signature import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, SignatureChecker, public_url

log = logging.getLogger("notifysdk_twilio.webhooks")

STATUS_PATH = "/status"
INBOUND_PATH = "/inbound"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
READY_TIMEOUT = 2.0
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
FORM_TYPE = "application/x-www-form-urlencoded"

Handler = Callable[[dict[str, str]], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class Webhooks:
    """The endpoints' logic, bound to one dispatcher (its ledger, clock and channels)."""

    def __init__(self, settings: WebhookSettings, dispatcher: Dispatcher) -> None:
        ledger = dispatcher.ledger
        if not isinstance(ledger, WebhookLedger):
            raise ConfigurationError(
                f"the webhook app needs a ledger that stores delivery receipts; "
                f"{type(ledger).__name__} does not"
            )
        self.settings = settings
        self.dispatcher = dispatcher
        self.ledger: WebhookLedger = ledger
        self.checker = SignatureChecker(settings.auth_token.get_secret_value())
        self._tasks: set[asyncio.Task[None]] = set()

    # -- endpoints ---------------------------------------------------------------

    async def status(self, request: Request) -> Response:
        """A message status callback: 204 once stored (or known to be a replay)."""
        return await self._gate(request, self._status)

    async def inbound(self, request: Request) -> Response:
        """An inbound message: 200 with empty TwiML (no automatic reply from us)."""
        return await self._gate(request, self._inbound)

    async def healthz(self, request: Request) -> Response:
        """200 while the process serves requests (a liveness probe)."""
        return PlainTextResponse("ok")

    async def readyz(self, request: Request) -> Response:
        """200 when the ledger answers a trivial query within ``READY_TIMEOUT`` seconds,
        else 503 (a readiness probe: take the server out of rotation, do not restart
        it; the PostgreSQL ledger reconnects by itself)."""
        runner = getattr(self.ledger, "runner", None)
        if not isinstance(runner, TxRunner):  # an in-process ledger is always reachable
            return PlainTextResponse("ready")
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await runner.run(_ping)
        except Exception as exc:
            log.warning("not ready: the ledger did not answer (%s)", type(exc).__name__)
            return PlainTextResponse("the ledger is unreachable", 503)
        return PlainTextResponse("ready")

    async def metrics(self, request: Request) -> Response:
        """The SDK's metrics in Prometheus' text format (without prometheus-client: 503
        and how to install it)."""
        status, body, content_type = metrics_text()
        return Response(body, status, media_type=content_type)

    async def drain(self) -> None:
        """Wait for every re-send started by a late failure to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def plugin_endpoint(
        self, path: str, handler: Webhook
    ) -> Callable[[Request], Awaitable[Response]]:
        """The Starlette endpoint of another plugin's webhook at ``path``: the body read
        within the bounds, the handler given a :class:`WebhookRequest`, its refusal or
        failure answered without a value."""

        async def endpoint(request: Request) -> Response:
            s = self.settings
            try:
                body = await read_body(
                    request.stream(),
                    declared=request.headers.get("content-length"),
                    limit=s.max_body_bytes,
                    timeout=s.request_timeout_seconds,
                )
            except BadRequestError as exc:
                return PlainTextResponse(exc.reason, exc.status)
            except ClientDisconnect:
                return PlainTextResponse("the client disconnected", 400)
            req = WebhookRequest(
                path=path,
                headers={k.lower(): v for k, v in request.headers.items()},
                query=dict(request.query_params),
                body=body,
                ledger=self.ledger,
                now=self.dispatcher.clock.now(),
                settings=self.dispatcher.settings,
            )
            try:
                async with asyncio.timeout(s.request_timeout_seconds):
                    out = await handler(req)
            except WebhookRefusedError as exc:
                log.info("refused %s: %d %s", path, exc.status, exc.reason)
                return PlainTextResponse(exc.reason, exc.status)
            except TimeoutError:
                log.warning("%s took longer than %ss", path, s.request_timeout_seconds)
                return PlainTextResponse("timed out", 503)
            except Exception as exc:  # never leak a value: the type only
                log.error("%s failed: %s", path, type(exc).__name__)
                return PlainTextResponse("temporarily unavailable", 503)
            return Response(
                out.body, out.status, headers=dict(out.headers), media_type=out.media_type
            )

        return endpoint

    # -- the gate ----------------------------------------------------------------

    async def _gate(self, request: Request, handler: Handler) -> Response:
        s = self.settings
        try:
            form = await self._signed_form(request)
        except BadRequestError as exc:
            log.info("refused %s: %d %s", request.url.path, exc.status, exc.reason)
            return PlainTextResponse(exc.reason, exc.status)
        except ClientDisconnect:  # it went away (or was closed as too slow) mid-body
            return PlainTextResponse("the client disconnected", 400)
        try:
            async with asyncio.timeout(s.request_timeout_seconds):
                return await handler(form)
        except BadRequestError as exc:
            log.info("refused %s: %d %s", request.url.path, exc.status, exc.reason)
            return PlainTextResponse(exc.reason, exc.status)
        except TimeoutError:
            log.warning("%s took longer than %ss", request.url.path, s.request_timeout_seconds)
            return PlainTextResponse("timed out", 503)
        except Exception as exc:  # the ledger failed: say so, never leak a value
            log.error("%s failed: %s", request.url.path, type(exc).__name__)
            return PlainTextResponse("temporarily unavailable", 503)

    async def _signed_form(self, request: Request) -> dict[str, str]:
        s = self.settings
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise BadRequestError(403, f"{SIGNATURE_HEADER} is missing")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != FORM_TYPE:
            raise BadRequestError(400, f"the body must be {FORM_TYPE}")
        body = await read_body(
            request.stream(),
            declared=request.headers.get("content-length"),
            limit=s.max_body_bytes,
            timeout=s.request_timeout_seconds,
        )
        form = parse_form(body)
        url = public_url(
            s.public_base_url,
            str(request.url),
            request.scope.get("path", ""),
            request.scope.get("query_string", b"").decode("latin-1"),
        )
        settings_header = request.headers.get(SIGNATURE_SETTINGS_HEADER)
        if not self.checker.valid(url, form, signature, settings_header):
            raise BadRequestError(403, f"{SIGNATURE_HEADER} does not match")
        account = check_account(form)
        if s.account_sid is not None and account.lower() != s.account_sid.lower():
            raise BadRequestError(403, "the request is for another account")
        return form

    # -- handlers ----------------------------------------------------------------

    async def _status(self, form: dict[str, str]) -> Response:
        cb = parse_status(form)
        if cb.is_call:
            log.info("call status %s for %s: not tracked", cb.status[:20], cb.sid)
            return Response(status_code=204)
        now = self.dispatcher.clock.now()
        result = await apply_status(
            self.ledger, cb, now=now, retry_limit=self.settings.late_retry_limit
        )
        u = result.update
        if not u.known:
            log.info("status %s for unknown message %s: ignored", cb.status, cb.sid)
            return Response(status_code=204)
        # The ledger wrote the ``delivery_status`` audit entry in the same transaction.
        if u.changed and u.retry and u.key is not None:
            self._resend(u.key)
        return Response(status_code=204)

    async def _inbound(self, form: dict[str, str]) -> Response:
        msg = parse_inbound(form)
        keyword = await apply_inbound(self.ledger, msg, now=self.dispatcher.clock.now())
        if keyword is not None:
            log.info("inbound %s: %s", msg.sid, keyword.value)
        return Response(EMPTY_TWIML, 200, media_type="text/xml")

    # -- late re-sends -------------------------------------------------------------

    def _resend(self, key: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run_resend(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_resend(self, key: str) -> None:
        if not isinstance(self.ledger, DurableLedger):
            log.warning("late failure of %s not re-sent: the ledger is not durable", key)
            return
        try:
            (outcome,) = await self.dispatcher.redrive([key])
        except Exception as exc:
            log.error("re-sending %s after a late failure failed: %s", key, type(exc).__name__)
            return
        log.info("re-sent %s after a late failure: %s", key, outcome.status.value)


def create_app(
    settings: WebhookSettings, dispatcher: Dispatcher, *, limit_concurrency: int | None = None
) -> Starlette:
    """The webhook app for ``dispatcher``'s ledger; ``app.state.webhooks`` is the
    :class:`Webhooks` (``await app.state.webhooks.drain()`` waits for late re-sends).
    ``limit_concurrency``: at most that many requests handled at once (503 beyond).

    Raises :class:`~notifysdk.errors.ConfigurationError` when the ledger cannot store
    delivery receipts.
    """
    hooks = Webhooks(settings, dispatcher)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await hooks.drain()

    routes = [
        Route(STATUS_PATH, hooks.status, methods=["POST"]),
        Route(INBOUND_PATH, hooks.inbound, methods=["POST"]),
        Route(HEALTH_PATH, hooks.healthz, methods=["GET"]),
        Route(READY_PATH, hooks.readyz, methods=["GET"]),
        Route(METRICS_PATH, hooks.metrics, methods=["GET"]),
    ]
    own = {STATUS_PATH, INBOUND_PATH, HEALTH_PATH, READY_PATH, METRICS_PATH}
    registry = dispatcher.registry
    for path, handler in sorted(registry.webhooks.items()):
        if path in own:
            owner = registry.owners.get(("webhook", path), "?")
            raise ConfigurationError(
                f"plugin {owner!r} registered webhook {path!r}, a path notifysdk serve "
                "answers itself"
            )
        routes.append(Route(path, hooks.plugin_endpoint(path, handler), methods=["POST"]))
    routes.extend(mounts(dispatcher))  # other plugins' apps (the self-service page)
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.webhooks = hooks
    if limit_concurrency is not None:
        app.add_middleware(ConcurrencyLimit, limit=limit_concurrency)
    app.add_middleware(AccessLog, endpoints=(*own, *registry.webhooks))
    return app


def _ping(db: Any) -> object:
    return db.one("SELECT 1")
