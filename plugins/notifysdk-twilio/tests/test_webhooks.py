"""Acceptance of the webhook app: real HTTP over loopback (uvicorn), requests signed with
the official validator's algorithm, the real dispatcher and the SQLite ledger, SMS sent
through the official client to the loopback Twilio."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import Notice, OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.retry import RetryPolicy
from notifysdk.testing import sample_notice
from notifysdk_twilio.testing import FakeTwilioServer
from notifysdk_twilio.webhooks import WebhookSettings, create_app
from notifysdk_twilio.webhooks.loopback import LoopbackServer, signed

from .conftest import ACCOUNT_SID, AUTH_TOKEN

PHONE = "+8613800138000"


@dataclass(frozen=True)
class Answer:
    """What the app answered."""

    status_code: int
    text: str


class Client:
    """An aiohttp client for the app (httpx's async pool tops out near 150 requests/s
    on loopback; aiohttp's does not)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))

    async def post(
        self, path: str, *, content: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        async with self.session.post(self.base_url + path, data=content, headers=headers) as r:
            return Answer(r.status, await r.text())

    async def aclose(self) -> None:
        await self.session.close()


class Hooks:
    """The app on loopback, a client, and the pieces a test looks at."""

    def __init__(
        self,
        server: LoopbackServer,
        client: Client,
        dispatcher: Dispatcher,
        ledger: SqliteLedger,
        twilio: FakeTwilioServer,
        public: str,
    ) -> None:
        self.server, self.client, self.dispatcher = server, client, dispatcher
        self.ledger, self.twilio, self.public = ledger, twilio, public

    async def post(
        self, path: str, form: dict[str, str], *, token: str = AUTH_TOKEN, url: str | None = None
    ) -> Answer:
        body, headers = signed(url or self.public + path, form, token)
        return await self.client.post(path, content=body, headers=headers)

    async def status(self, sid: str, status: str, code: str | None = None) -> Answer:
        form = {
            "AccountSid": ACCOUNT_SID,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": PHONE,
            "From": "+14155552345",
            "ApiVersion": "2010-04-01",
        }
        if code is not None:
            form["ErrorCode"] = code
        return await self.post("/status", form)

    async def inbound(self, body: str, sid: str) -> Answer:
        form = {
            "AccountSid": ACCOUNT_SID,
            "MessageSid": sid,
            "From": PHONE,
            "To": "+14155552345",
            "Body": body,
            "NumMedia": "0",
        }
        return await self.post("/inbound", form)

    async def send(self, key: str) -> Any:
        return await self.dispatcher.send(notice(key))

    async def audit_events(self, event: str) -> int:
        return sum(1 for e in await self.ledger.audit_entries() if e.event == event)


def notice(key: str) -> Notice:
    return sample_notice(channel="twilio-sms", idempotency_key=key)


def sid_of(n: int) -> str:
    return "SM" + f"{n:032x}"


@pytest.fixture
async def make_hooks(
    plugin_manager: PluginManager,
    fake_clock: FakeClock,
    twilio_section: dict[str, Any],
    twilio_server: FakeTwilioServer,
    tmp_path: Path,
) -> AsyncIterator[Callable[..., Any]]:
    """``await make_hooks(server_config=None, limit_concurrency=None, **webhook_settings)``:
    the app on loopback over a SQLite ledger (``server_config``: ``uvicorn_config``'s
    keywords; ``limit_concurrency``: ``create_app``'s)."""
    stack: list[Any] = []

    async def build(
        public_base_url: str | None = None,
        server_config: dict[str, Any] | None = None,
        limit_concurrency: int | None = None,
        **overrides: Any,
    ) -> Hooks:
        ledger = SqliteLedger(f"sqlite:///{tmp_path / 'ledger.db'}")
        dispatcher = Dispatcher(
            Settings(output_dir=tmp_path / "out", channels={"twilio-sms": twilio_section}),
            plugins=plugin_manager,
            clock=fake_clock,
            ledger=ledger,
            retry=RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=5),
        )
        settings = WebhookSettings(
            auth_token=AUTH_TOKEN,
            account_sid=ACCOUNT_SID,
            public_base_url=public_base_url,
            **overrides,
        )
        app = create_app(settings, dispatcher, limit_concurrency=limit_concurrency)
        server = await LoopbackServer(app, **(server_config or {})).__aenter__()
        client = Client(server.base_url)
        stack.append((client, server, dispatcher, ledger))
        return Hooks(
            server, client, dispatcher, ledger, twilio_server, public_base_url or server.base_url
        )

    yield build
    for client, server, dispatcher, ledger in stack:
        await client.aclose()
        await server.__aexit__()
        await dispatcher.aclose()
        await ledger.aclose()


async def delivered(h: Hooks, key: str) -> str:
    """Send ``key`` and return the SID Twilio gave it."""
    outcome = await h.send(key)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    return str(outcome.receipt.provider_id)


async def test_the_channel_passes_the_status_callback_url(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks()
    await delivered(h, "nk_cb")
    (create,) = [r for r in h.twilio.requests if r.method == "POST"]
    assert ("StatusCallback", "https://hooks.example.com/twilio/status") in create.form


async def test_a_delivered_receipt_moves_the_message_through_its_statuses(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks()
    sid = await delivered(h, "nk_ok")
    for status in ("queued", "sent", "delivered"):
        r = await h.status(sid, status)
        assert r.status_code == 204, r.text
        state = await h.ledger.delivery(sid)
        assert state is not None and state.status == status
    late_sent = await h.status(sid, "sent")  # out of order: never moves it backwards
    assert late_sent.status_code == 204
    state = await h.ledger.delivery(sid)
    assert state is not None and state.status == "delivered" and state.key == "nk_ok"
    record = await h.ledger.get("nk_ok")
    assert record is not None and record.state is NoticeState.DELIVERED
    assert await h.audit_events("delivery_status") == 3


async def test_undelivered_30006_fails_the_notice_and_is_not_retried(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks()
    sid = await delivered(h, "nk_landline")
    r = await h.status(sid, "undelivered", "30006")
    assert r.status_code == 204
    await h.server.app.state.webhooks.drain()
    record = await h.ledger.get("nk_landline")
    assert record is not None and record.state is NoticeState.FAILED
    assert record.outcome is not None and record.outcome.provider_code == "30006"
    assert record.outcome.rule == "delivery-receipt"
    assert len(h.twilio.messages) == 1  # no re-send
    assert [t.to_state for t in await h.ledger.transitions("nk_landline")][-1] is (
        NoticeState.FAILED
    )


async def test_30003_is_resent_within_its_bound_then_dead_lettered(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks(late_retry_limit=2)
    sid = await delivered(h, "nk_unreachable")
    sids = [sid]
    for _ in range(3):
        r = await h.status(sids[-1], "undelivered", "30003")
        assert r.status_code == 204
        await h.server.app.state.webhooks.drain()
        sids.append(h.twilio.messages[-1]["sid"])
    # two re-sends (the bound), then no more: three messages in all
    assert len(h.twilio.messages) == 3
    assert len(set(sids[:3])) == 3
    record = await h.ledger.get("nk_unreachable")
    assert record is not None and record.state is NoticeState.DEAD_LETTERED
    assert record.outcome is not None and record.outcome.provider_code == "30003"
    assert await h.audit_events("redrive") == 2


async def test_a_delivered_receipt_after_a_resend_keeps_the_notice_delivered(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks(late_retry_limit=1)
    first = await delivered(h, "nk_retry_ok")
    assert (await h.status(first, "undelivered", "30008")).status_code == 204
    await h.server.app.state.webhooks.drain()
    second = h.twilio.messages[-1]["sid"]
    assert second != first
    assert (await h.status(second, "delivered")).status_code == 204
    record = await h.ledger.get("nk_retry_ok")
    assert record is not None and record.state is NoticeState.DELIVERED
    # a late receipt for the first message no longer touches the notice
    assert (await h.status(first, "failed", "30008")).status_code == 204
    record = await h.ledger.get("nk_retry_ok")
    assert record is not None and record.state is NoticeState.DELIVERED


@pytest.mark.parametrize("word", ["STOP", "stop ", "Ｓｔｏｐ", "退订", "回复退订", "TD", "t"])
async def test_an_opt_out_reply_blocks_the_next_sms_then_start_reopens(
    make_hooks: Callable[..., Any], fake_clock: FakeClock, word: str
) -> None:
    h: Hooks = await make_hooks()
    await delivered(h, "nk_before")
    r = await h.inbound(word, sid_of(1))
    assert r.status_code == 200 and "<Response>" in r.text
    blocked = await h.send("nk_after_stop")
    assert blocked.status is OutcomeStatus.BLOCKED
    assert blocked.rule == "ledger-opt-out"
    assert len(h.twilio.messages) == 1

    fake_clock.advance(hours=1)
    assert (await h.inbound("START", sid_of(2))).status_code == 200
    # a replay of the old STOP after the START changes nothing
    assert (await h.inbound(word, sid_of(1))).status_code == 200
    fake_clock.advance(hours=1)
    again = await h.send("nk_after_start")
    assert again.rule != "ledger-opt-out", again.reason
    assert await h.audit_events("opt_out") == 1
    assert await h.audit_events("opt_in") == 1


async def test_other_replies_change_nothing(make_hooks: Callable[..., Any]) -> None:
    h: Hooks = await make_hooks()
    assert (
        await h.inbound("I will pay on Friday, stop calling at night", sid_of(3))
    ).status_code == 200
    outcome = await h.send("nk_after_chat")
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason


async def test_forged_or_missing_signatures_get_403_and_change_nothing(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks()
    sid = await delivered(h, "nk_forged")
    entries = len(await h.ledger.audit_entries())
    form = {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "30006",
    }
    forged = await h.post("/status", form, token="not-the-token")
    assert forged.status_code == 403
    other_url = await h.post("/status", form, url="https://evil.example.com/status")
    assert other_url.status_code == 403
    body, headers = signed(h.public + "/status", form, AUTH_TOKEN)
    tampered = body.replace(b"30006", b"30005")
    assert (await h.client.post("/status", content=tampered, headers=headers)).status_code == 403
    del headers["X-Twilio-Signature"]
    assert (await h.client.post("/status", content=body, headers=headers)).status_code == 403
    stop = {"AccountSid": ACCOUNT_SID, "MessageSid": sid_of(9), "From": PHONE, "Body": "STOP"}
    assert (await h.post("/inbound", stop, token="x")).status_code == 403
    other_account = dict(form, AccountSid="AC" + "f" * 32)
    assert (await h.post("/status", other_account)).status_code == 403

    state = await h.ledger.delivery(sid)
    assert state is not None and state.status is None
    record = await h.ledger.get("nk_forged")
    assert record is not None and record.state is NoticeState.DELIVERED
    assert len(await h.ledger.audit_entries()) == entries
    assert (await h.send("nk_forged_next")).rule != "ledger-opt-out"


async def test_a_configured_public_url_is_what_signatures_cover(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks(public_base_url="https://hooks.example.com/twilio")
    sid = await delivered(h, "nk_proxy")
    assert (await h.status(sid, "delivered")).status_code == 204
    form = {"AccountSid": ACCOUNT_SID, "MessageSid": sid, "MessageStatus": "read"}
    direct = await h.post("/status", form, url=h.server.base_url + "/status")
    assert direct.status_code == 403


async def test_1000_replayed_callbacks_change_state_once(make_hooks: Callable[..., Any]) -> None:
    h: Hooks = await make_hooks()
    sid = await delivered(h, "nk_replayed")
    form = {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "30006",
        "To": PHONE,
    }
    body, headers = signed(h.public + "/status", form, AUTH_TOKEN)
    gate = asyncio.Semaphore(32)

    async def one() -> int:
        async with gate:
            return (await h.client.post("/status", content=body, headers=headers)).status_code

    codes = await asyncio.gather(*(one() for _ in range(1000)))
    assert set(codes) == {204}
    assert await h.audit_events("delivery_status") == 1
    transitions = [t.to_state for t in await h.ledger.transitions("nk_replayed")]
    assert transitions.count(NoticeState.FAILED) == 1
    assert len(h.twilio.messages) == 1


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b'{"MessageSid": "x"}', 400),
        ("application/x-www-form-urlencoded", b"\xff\xfe=\x00", 400),
        ("application/x-www-form-urlencoded", b"a=1&a=2", 400),
        ("application/x-www-form-urlencoded", b"==&&=", 400),
        ("application/x-www-form-urlencoded", b"", 400),
        ("application/x-www-form-urlencoded", b"x=" + b"a" * 70_000, 413),
    ],
)
async def test_malformed_bodies_get_4xx(
    make_hooks: Callable[..., Any], content_type: str, body: bytes, expected: int
) -> None:
    h: Hooks = await make_hooks()
    headers = {"X-Twilio-Signature": "c2lnbmF0dXJl", "Content-Type": content_type}
    r = await h.client.post("/status", content=body, headers=headers)
    assert r.status_code == expected


@pytest.mark.parametrize(
    "form",
    [
        {"AccountSid": ACCOUNT_SID, "MessageStatus": "delivered"},
        {"AccountSid": ACCOUNT_SID, "MessageSid": "SM123", "MessageStatus": "delivered"},
        {"AccountSid": ACCOUNT_SID, "MessageSid": "SM" + "0" * 32, "MessageStatus": "exploded"},
        {
            "AccountSid": ACCOUNT_SID,
            "MessageSid": "SM" + "0" * 32,
            "MessageStatus": "failed",
            "ErrorCode": "3000x",
        },
        {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"},
    ],
)
async def test_signed_but_invalid_callbacks_get_400(
    make_hooks: Callable[..., Any], form: dict[str, str]
) -> None:
    h: Hooks = await make_hooks()
    assert (await h.post("/status", form)).status_code == 400


async def test_inbound_needs_an_e164_sender(make_hooks: Callable[..., Any]) -> None:
    h: Hooks = await make_hooks()
    form = {"AccountSid": ACCOUNT_SID, "MessageSid": sid_of(4), "From": "12345", "Body": "STOP"}
    assert (await h.post("/inbound", form)).status_code == 400
    form = {"AccountSid": ACCOUNT_SID, "MessageSid": sid_of(4), "From": PHONE}
    assert (await h.post("/inbound", form)).status_code == 400


async def test_unknown_messages_and_call_statuses_are_accepted_and_ignored(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks()
    assert (await h.status(sid_of(77), "delivered")).status_code == 204
    call = {"AccountSid": ACCOUNT_SID, "CallSid": "CA" + "1" * 32, "CallStatus": "no-answer"}
    assert (await h.post("/status", call)).status_code == 204
    assert await h.audit_events("delivery_status") == 0


async def test_a_slow_body_gets_408(make_hooks: Callable[..., Any]) -> None:
    h: Hooks = await make_hooks(request_timeout_seconds=0.2)
    host, port = h.server.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /status HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: c2ln\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        b"AccountSid="
    )
    await writer.drain()
    status_line = await reader.readline()  # the rest of the body never comes
    writer.close()
    assert status_line.split()[1] == b"408"


async def test_no_personal_data_in_logs(
    make_hooks: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h: Hooks = await make_hooks()
    sid = await delivered(h, "nk_logs")
    caplog.clear()
    secret_body = "STOP"
    await h.status(sid, "delivered")
    await h.inbound(secret_body, sid_of(5))
    await h.inbound("我的电话是 +8613800138000，请别再发", sid_of(6))
    await h.client.post(f"/{PHONE}?to={PHONE}", content=b"x")
    assert "POST /status 204" in caplog.text
    assert "POST <other> 4" in caplog.text
    assert "opt_out" in caplog.text
    server_side = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp.client")
    )
    assert PHONE not in server_side and "13800138000" not in server_side
    assert "请别再发" not in server_side
    assert not any(r.name == "uvicorn.access" for r in caplog.records)


def test_serve_is_added_through_the_commands_hook(plugin_manager: PluginManager) -> None:
    import typer
    from typer.testing import CliRunner

    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """The root."""

    plugin_manager.hook.notifysdk_register_commands(app=app)
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "--public-url" in result.output


async def test_metrics_count_the_sends_and_name_no_one(make_hooks: Callable[..., Any]) -> None:
    h: Hooks = await make_hooks()
    outcome = await h.send("nk_metrics")
    async with h.client.session.get(h.server.base_url + "/metrics") as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=")
        text = await r.text()
    line = (
        f'notifysdk_outcomes_total{{channel="twilio-sms",rule="{outcome.rule or ""}",'
        f'status="{outcome.status.value}"}}'
    )
    assert line in text
    assert "notifysdk_attempts_total" in text and "notifysdk_provider_latency_seconds" in text
    assert PHONE not in text and PHONE[3:] not in text and "nk_metrics" not in text


def test_serve_logs_json_lines_when_the_root_command_asks() -> None:
    import click

    from notifysdk.observability import JsonFormatter
    from notifysdk_twilio.webhooks.serve import _log_handler

    with click.Context(click.Command("notifysdk")) as ctx:
        ctx.params["log_format"] = "json"
        assert isinstance(_log_handler().formatter, JsonFormatter)
        ctx.params["log_format"] = "text"
        assert not isinstance(_log_handler().formatter, JsonFormatter)
