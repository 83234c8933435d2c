"""``notifysdk serve``: the webhook app under uvicorn.

The auth token and account come from the channel's section (``--channel``, default
``twilio-sms``) or ``TWILIO_*``; the ledger from the settings (``--config``,
``NOTIFYSDK_LEDGER_URL``) or ``--ledger``. Uvicorn's access log is off (it prints the
client and the query string); :mod:`notifysdk_twilio.webhooks.access_log` logs method,
endpoint and status only.

Slow clients are bounded by :mod:`notifysdk_twilio.webhooks.guard`: headers must arrive
within ``--header-timeout`` seconds, a body within ``--timeout`` (the app answers 408)
or, at the latest, the guard's body deadline; at most ``--max-waiting`` connections may
be slow or idle at once, the oldest closed first, so a slowloris cannot hold the places
signed callbacks need.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # settings models and the dispatcher load when the command runs
    from notifysdk.plugin import Settings

    from .settings import WebhookSettings

HostOpt = typer.Option("127.0.0.1", help="Address to listen on.")
PortOpt = typer.Option(8080, help="Port to listen on.")
PublicUrlOpt = typer.Option(
    None,
    "--public-url",
    help="Base URL Twilio calls (e.g. https://hooks.example.com/twilio); "
    "signatures are checked against it. Default: http://HOST:PORT.",
)
ConfigOpt = typer.Option(None, "--config", "-c", help="Settings TOML.")
LedgerOpt = typer.Option(None, "--ledger", help="Ledger URL (overrides settings).")
ChannelOpt = typer.Option("twilio-sms", help="Channel whose Twilio account to use.")
MaxBodyOpt = typer.Option(64 * 1024, help="Largest request body, in bytes.")
TimeoutOpt = typer.Option(10.0, help="Per-request timeout, in seconds.")
LateRetriesOpt = typer.Option(2, help="Re-sends after a 30003/30008, per notice.")
HeaderTimeoutOpt = typer.Option(5.0, help="Seconds a client has to send a request's headers.")
MaxWaitingOpt = typer.Option(
    None,
    help="Most connections slow to send a request, or idle, at once (oldest closed first; "
    "default 2048, or half the open-file limit).",
)
ConcurrencyOpt = typer.Option(1000, help="Most requests handled at once (503 beyond).")

HEADER_TIMEOUT = 5.0
BODY_GRACE = 5.0
"""Seconds the guard's body deadline gives beyond the app's own (which answers 408)."""


def _log_handler() -> logging.Handler:
    """Where the server's lines go (stderr): JSON lines when the root command was given
    ``--log-format json``, else ``time logger message``."""
    import click

    from notifysdk.plugin import JsonFormatter

    ctx = click.get_current_context(silent=True)
    fmt = ctx.find_root().params.get("log_format") if ctx is not None else None
    handler = logging.StreamHandler()
    if str(fmt).lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    return handler


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket with TCP_NODELAY (accepted connections inherit it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def uvicorn_config(
    app: Any,
    *,
    header_timeout: float = HEADER_TIMEOUT,
    body_timeout: float = 10.0 + BODY_GRACE,
    max_waiting: int | None = None,
    **kw: Any,
) -> Any:
    """A uvicorn config for the app: no access log, bounded keep-alive and headers, and
    the slow-client guard (see :mod:`~notifysdk_twilio.webhooks.guard`); the guard is
    ``config.http.guard``."""
    import uvicorn

    from .guard import SlowClientGuard, default_max_waiting, guarded_h11

    guard = SlowClientGuard(
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        max_waiting=default_max_waiting() if max_waiting is None else max_waiting,
    )
    return uvicorn.Config(
        app,
        http=guarded_h11(guard),
        access_log=False,
        log_config=None,
        lifespan="on",
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
        h11_max_incomplete_event_size=16 * 1024,
        **kw,
    )


async def serve(
    settings: Settings,
    webhook: WebhookSettings,
    sock: socket.socket,
    *,
    limit_concurrency: int | None = 1000,
    header_timeout: float = HEADER_TIMEOUT,
    max_waiting: int | None = None,
) -> None:
    """Run the app on ``sock`` until interrupted (Ctrl-C / SIGTERM)."""
    import uvicorn

    from notifysdk.plugin import Dispatcher

    from .app import create_app

    async with Dispatcher(settings) as dispatcher:
        app = create_app(webhook, dispatcher, limit_concurrency=limit_concurrency)
        config = uvicorn_config(
            app,
            header_timeout=header_timeout,
            body_timeout=webhook.request_timeout_seconds + BODY_GRACE,
            max_waiting=max_waiting,
        )
        server = uvicorn.Server(config)
        await server.serve(sockets=[sock])


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``notifysdk`` command line."""

    @app.command("serve")
    def serve_command(
        host: str = HostOpt,
        port: int = PortOpt,
        public_url: str = PublicUrlOpt,
        config: Path = ConfigOpt,
        ledger: str = LedgerOpt,
        channel: str = ChannelOpt,
        max_body: int = MaxBodyOpt,
        timeout: float = TimeoutOpt,
        late_retries: int = LateRetriesOpt,
        header_timeout: float = HeaderTimeoutOpt,
        max_waiting: int | None = MaxWaitingOpt,
        concurrency: int = ConcurrencyOpt,
    ) -> None:
        """Serve Twilio status callbacks (POST /status) and inbound messages (POST /inbound);
        GET /healthz and /readyz for probes, GET /metrics for Prometheus."""
        import asyncio

        from notifysdk.plugin import Settings, without_rate_limit

        from ..settings import TwilioSettings
        from .settings import WebhookSettings

        overrides: dict[str, Any] = {}
        if ledger:
            overrides["ledger_url"] = ledger
        settings = Settings.load(config, **overrides)
        section = without_rate_limit(settings.channels.get(channel, {}))  # the SDK's table
        twilio = TwilioSettings.load(section, name=channel)
        webhook = WebhookSettings.from_twilio(
            twilio,
            public_base_url=public_url or f"http://{host}:{port}",
            max_body_bytes=max_body,
            request_timeout_seconds=timeout,
            late_retry_limit=late_retries,
        )
        logging.basicConfig(level=logging.INFO, handlers=[_log_handler()])
        sock = listening_socket(host, port)
        typer.echo(f"serving {webhook.public_base_url}/status and /inbound on {host}:{port}")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                serve(
                    settings,
                    webhook,
                    sock,
                    limit_concurrency=concurrency,
                    header_timeout=header_timeout,
                    max_waiting=max_waiting,
                )
            )
