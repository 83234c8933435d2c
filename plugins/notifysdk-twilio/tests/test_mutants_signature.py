"""The ``X-Twilio-Signature`` check, line by line (issue 22's mutation run): the URL it
covers (query string included, behind a proxy or not), the algorithm the settings header
names, and inputs the validator cannot hash refused rather than raised.

Requests go over real HTTP to the app on loopback (uvicorn) with the SQLite ledger and
are signed with the official client's :class:`RequestValidator`; an unknown message SID
is accepted and ignored (204), so a 204 here means "the signature was accepted" and a 403
"it was refused". Two tests call :class:`SignatureChecker` and :func:`public_url`
directly for what HTTP cannot carry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.plugins import PluginManager
from notifysdk_twilio.webhooks import WebhookSettings, create_app
from notifysdk_twilio.webhooks.loopback import LoopbackServer
from notifysdk_twilio.webhooks.signature import SignatureChecker, public_url

from .conftest import ACCOUNT_SID, AUTH_TOKEN

SHA256_SETTINGS = "key=webhooks_sharedkey_0123,algorithm=HMAC_SHA256"
FORM = {
    "AccountSid": ACCOUNT_SID,
    "MessageSid": "SM" + "7" * 32,
    "MessageStatus": "delivered",
}


class App:
    """The webhook app on loopback and a client that signs what it posts."""

    def __init__(self, base_url: str, public: str, session: aiohttp.ClientSession) -> None:
        self.base_url, self.public, self.session = base_url, public, session

    async def post(
        self,
        path: str,
        *,
        signed_url: str | None = None,
        algorithm: str | None = None,
        settings_header: str | None = None,
        form: dict[str, str] | None = None,
    ) -> int:
        """POST ``form`` to ``path``, signed over ``signed_url`` (default: the public URL
        of ``path``) with ``algorithm``; returns the status code."""
        form = FORM if form is None else form
        url = signed_url if signed_url is not None else self.public + path
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form, algorithm)
        headers = {
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        if settings_header is not None:
            headers["X-Twilio-Webhooks-Signature-Settings"] = settings_header
        body = urlencode(form).encode()
        async with self.session.post(self.base_url + path, data=body, headers=headers) as r:
            await r.read()
            return r.status


@pytest.fixture
async def make_app(
    plugin_manager: PluginManager, fake_clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """``await make_app(public_base_url=None)``: the app over a SQLite ledger."""
    opened: list[tuple[aiohttp.ClientSession, LoopbackServer, Dispatcher, SqliteLedger]] = []

    async def build(public_base_url: str | None = None) -> App:
        ledger = SqliteLedger(f"sqlite:///{tmp_path / f'ledger{len(opened)}.db'}")
        dispatcher = Dispatcher(
            Settings(output_dir=tmp_path / "out"),
            plugins=plugin_manager,
            clock=fake_clock,
            ledger=ledger,
        )
        settings = WebhookSettings(
            auth_token=AUTH_TOKEN, account_sid=ACCOUNT_SID, public_base_url=public_base_url
        )
        server = await LoopbackServer(create_app(settings, dispatcher)).__aenter__()
        session = aiohttp.ClientSession()
        opened.append((session, server, dispatcher, ledger))
        return App(server.base_url, public_base_url or server.base_url, session)

    yield build
    for session, server, dispatcher, ledger in opened:
        await session.close()
        await server.__aexit__()
        await dispatcher.aclose()
        await ledger.aclose()


async def test_the_query_string_is_part_of_what_is_signed_behind_a_proxy(
    make_app: Callable[..., Any],
) -> None:
    app: App = await make_app(public_base_url="https://hooks.example.com/twilio")
    public = "https://hooks.example.com/twilio/status"
    assert await app.post("/status?attempt=2", signed_url=public + "?attempt=2") == 204
    # signed without the query, or with another one: refused
    assert await app.post("/status?attempt=2", signed_url=public) == 403
    assert await app.post("/status?attempt=2", signed_url=public + "?attempt=3") == 403
    # no query: the URL ends at the path (no stray "?")
    assert await app.post("/status", signed_url=public) == 204
    assert await app.post("/status", signed_url=public + "?") == 403


async def test_the_query_string_is_part_of_what_is_signed_without_a_proxy(
    make_app: Callable[..., Any],
) -> None:
    app: App = await make_app()
    own = app.base_url + "/status"
    assert await app.post("/status?attempt=2", signed_url=own + "?attempt=2") == 204
    assert await app.post("/status?attempt=2", signed_url=own) == 403


async def test_the_settings_header_selects_hmac_sha256(make_app: Callable[..., Any]) -> None:
    app: App = await make_app()
    assert (
        await app.post("/status", algorithm="HMAC_SHA256", settings_header=SHA256_SETTINGS) == 204
    )
    # a SHA-256 signature without the header is checked as SHA-1: refused
    assert await app.post("/status", algorithm="HMAC_SHA256") == 403
    # a SHA-1 signature under a header that says SHA-256: refused
    assert await app.post("/status", settings_header=SHA256_SETTINGS) == 403
    # the control: plain SHA-1, no header
    assert await app.post("/status") == 204


async def test_an_unsupported_algorithm_is_refused(make_app: Callable[..., Any]) -> None:
    app: App = await make_app()
    header = "key=webhooks_sharedkey_0123,algorithm=HMAC_MD5"
    assert await app.post("/status", settings_header=header) == 403


def test_a_form_the_validator_cannot_hash_is_refused_not_raised() -> None:
    """What HTTP cannot deliver (a lone surrogate, a value that is not text) must still
    give ``False``, not an exception and not ``True``."""
    checker = SignatureChecker(AUTH_TOKEN)
    url = "https://hooks.example.com/twilio/status"
    good = RequestValidator(AUTH_TOKEN).compute_signature(url, FORM)
    assert checker.valid(url, FORM, good, None) is True
    assert checker.valid(url, dict(FORM, Body="\ud800"), good, None) is False
    assert checker.valid(url, cast_form(dict(FORM, NumMedia=0)), good, None) is False
    assert checker.valid(url, FORM, good, "algorithm=HMAC_MD5") is False


def cast_form(form: dict[str, Any]) -> dict[str, str]:
    """``form`` as the checker's declared type (it holds a non-string on purpose)."""
    return form


def test_public_url_rebuilds_what_twilio_called() -> None:
    own = "http://127.0.0.1:8000/status?x=1"
    assert public_url(None, own, "/status", "x=1") == own
    base = "https://hooks.example.com/twilio"
    assert public_url(base, own, "/status", "x=1") == base + "/status?x=1"
    assert public_url(base, own, "/status", "") == base + "/status"
