"""Every hook is documented with its exact signature and has a test of its own here.

The test of hook ``notifysdk_X`` is named ``test_hook_notifysdk_X``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pytest
import typer
from typer.testing import CliRunner

from notifysdk import hookspecs
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.errors import DuplicateRegistrationError, PluginError
from notifysdk.hookspecs import hookimpl
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Message, OutcomeStatus
from notifysdk.plugins import PluginManager
from notifysdk.policy import Profile, RuleContext, Vote
from notifysdk.privacy import Finding, KnownValues
from notifysdk.testing import MockChannel, sample_account, sample_notice

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"
HOOKS = {n: f for n, f in vars(hookspecs).items() if n.startswith("notifysdk_")}


def signature_line(fn: Callable[..., Any]) -> str:
    sig = inspect.signature(fn)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {fn.__name__}({params}) -> {sig.return_annotation}"


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_is_documented_with_its_exact_signature(name: str) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    assert f"## {name}\n" in doc, f"{name} is missing from docs/hooks.md"
    assert signature_line(HOOKS[name]) in doc, f"docs/hooks.md has a stale signature for {name}"


def test_docs_list_no_hook_that_does_not_exist() -> None:
    documented = set(re.findall(r"^## (notifysdk_\w+)$", DOCS.read_text(encoding="utf-8"), re.M))
    assert documented == set(HOOKS)


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_has_a_test(name: str) -> None:
    assert f"test_hook_{name}" in globals(), f"no test_hook_{name} in {__file__}"


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_has_a_docstring(name: str) -> None:
    doc = inspect.getdoc(HOOKS[name]) or ""
    assert ("Called" in doc and "Returns" in doc) or "awaitable" in doc


# -- one test per hook ------------------------------------------------------------


async def test_hook_notifysdk_register_channels(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher]
) -> None:
    built: list[MockChannel] = []

    class Plugin:
        @hookimpl
        def notifysdk_register_channels(self, register: Callable[[str, Any], None]) -> None:
            def factory(ctx: Any) -> MockChannel:
                built.append(MockChannel(name=ctx.name, clock=ctx.clock))
                return built[-1]

            register("pager", factory)

    register_plugin(Plugin(), "pager-plugin")
    d = dispatcher()
    outcome = await d.send(sample_notice(channel="pager"))
    await d.send(sample_notice(2, channel="pager"))
    assert outcome.ok and len(built) == 1  # built lazily, once
    assert [m.channel for m in built[0].sent] == ["pager", "pager"]


async def test_hook_notifysdk_register_rules(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher]
) -> None:
    class NoWeekends:
        name = "no-weekends"
        citation = "house rule"
        profiles = frozenset({"cn"})
        stage: Literal["policy", "content"] = "policy"

        def evaluate(self, ctx: RuleContext) -> Vote | None:
            if ctx.now.weekday() >= 5:
                return Vote.deny(self.name, "cn", "no notices at weekends", citation=self.citation)
            return None

    class Plugin:
        @hookimpl
        def notifysdk_register_rules(self, register: Callable[[Any], None]) -> None:
            register(NoWeekends())

    register_plugin(Plugin(), "weekends")
    d = dispatcher(MockChannel())
    assert (await d.send(sample_notice(1))).ok  # 2026-01-05 is a Monday
    d.clock.set(datetime.fromisoformat("2026-01-10T10:00:00+00:00"))  # type: ignore[attr-defined]
    blocked = await d.send(sample_notice(2))
    assert blocked.status is OutcomeStatus.BLOCKED and blocked.rule == "no-weekends"
    # A notice under another profile is not affected.
    other = sample_notice(account=sample_account(3, profiles=("uk-conc",)))
    assert (await d.send(other)).ok


async def test_hook_notifysdk_register_profiles(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher]
) -> None:
    seen: list[dict[str, Any]] = []

    class Probe:
        name = "probe"
        citation = ""
        profiles = frozenset({"*"})
        stage: Literal["policy", "content"] = "policy"

        def evaluate(self, ctx: RuleContext) -> None:
            seen.append({k: dict(v.params) for k, v in ctx.profiles.items()})

    class Plugin:
        @hookimpl
        def notifysdk_register_profiles(self, register: Callable[[Profile], None]) -> None:
            register(Profile("test-jurisdiction", {"max_per_day": 2}))

        @hookimpl
        def notifysdk_register_rules(self, register: Callable[[Any], None]) -> None:
            register(Probe())

    register_plugin(Plugin(), "jurisdiction")
    account = sample_account(profiles=("test-jurisdiction",))
    await dispatcher(MockChannel()).send(sample_notice(account=account))
    assert seen == [{"test-jurisdiction": {"max_per_day": 2}}]


async def test_hook_notifysdk_register_detectors(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher], tmp_path: Path
) -> None:
    class MembershipNumbers:
        name = "membership-number"

        def find(self, text: str, known: KnownValues) -> list[Finding]:
            return [
                Finding("national_id", m.start(), m.end(), self.name)
                for m in re.finditer(r"MEM-\d{6}", text)
            ]

    folder = tmp_path / "tpl" / "overdue_notice"
    folder.mkdir(parents=True)
    (folder / "sms.en.txt.j2").write_text("{{ institution }}: member MEM-123456, please call.")

    class Plugin:
        @hookimpl
        def notifysdk_register_detectors(self, register: Callable[[Any], None]) -> None:
            register(MembershipNumbers())

        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(tmp_path / "tpl")

    register_plugin(Plugin(), "members")
    ch = MockChannel()
    outcome = await dispatcher(ch).send(sample_notice(account=sample_account(locale="en")))
    assert outcome.ok
    assert "MEM-123456" not in ch.sent[0].body
    assert "123456" not in ch.sent[0].body and "member " in ch.sent[0].body


async def test_hook_notifysdk_register_template_dirs(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher], tmp_path: Path
) -> None:
    folder = tmp_path / "tpl" / "overdue_notice"
    folder.mkdir(parents=True)
    (folder / "sms.en.txt.j2").write_text("{{ institution }} override: {{ days_overdue }} days")

    class Plugin:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(tmp_path / "tpl")

    register_plugin(Plugin(), "override")
    ch = MockChannel()
    await dispatcher(ch).send(sample_notice(account=sample_account(locale="en")))
    assert ch.sent[0].body == "Example Bank override: 10 days\n"
    assert ch.sent[0].metadata["template"] == "overdue_notice/sms.en.txt.j2"


async def test_hook_notifysdk_register_filters(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher], tmp_path: Path
) -> None:
    folder = tmp_path / "tpl" / "overdue_notice"
    folder.mkdir(parents=True)
    (folder / "sms.en.txt.j2").write_text("{{ institution }} {{ institution | spaced }}")

    class Plugin:
        @hookimpl
        def notifysdk_register_filters(self, register: Callable[[str, Any], None]) -> None:
            register("spaced", lambda s: " ".join(str(s)))

        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(tmp_path / "tpl")

    register_plugin(Plugin(), "filters")
    ch = MockChannel()
    await dispatcher(ch).send(sample_notice(account=sample_account(locale="en")))
    assert ch.sent[0].body.startswith("Example Bank E x a m p l e")


def test_hook_notifysdk_register_ledgers(
    register_plugin: Callable[..., str], notifysdk_plugins: PluginManager
) -> None:
    opened: list[str] = []

    def factory(url: str) -> MemoryLedger:
        opened.append(url)
        return MemoryLedger(url)

    class Plugin:
        @hookimpl
        def notifysdk_register_ledgers(self, register: Callable[[str, Any], None]) -> None:
            register("scratch", factory)

    register_plugin(Plugin(), "scratch-ledger")
    ledger = open_ledger("scratch://anything", notifysdk_plugins)
    assert isinstance(ledger, MemoryLedger) and opened == ["scratch://anything"]
    from notifysdk.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="no ledger back-end for scheme 'nosuch'"):
        open_ledger("nosuch://x", notifysdk_plugins)


def test_hook_notifysdk_register_commands(
    register_plugin: Callable[..., str], notifysdk_plugins: PluginManager
) -> None:
    class Plugin:
        @hookimpl
        def notifysdk_register_commands(self, app: typer.Typer) -> None:
            @app.command("hello")
            def hello(name: str = "operator") -> None:
                """Say hello."""
                typer.echo(f"hello {name}")

    register_plugin(Plugin(), "hello-cmd")
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Root."""

    notifysdk_plugins.hook.notifysdk_register_commands(app=app)
    result = CliRunner().invoke(app, ["hello", "--name", "ops"])
    assert result.exit_code == 0 and result.output == "hello ops\n"


async def test_hook_notifysdk_on_attempt(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher]
) -> None:
    attempts: list[tuple[int, str | None]] = []

    class Plugin:
        @hookimpl
        def notifysdk_on_attempt(self, notice: Any, attempt: Any, error: Any) -> Any:
            async def record() -> None:
                attempts.append((attempt.number, type(error).__name__ if error else None))

            return record()

    register_plugin(Plugin(), "attempts")
    from notifysdk.testing import FlakyChannel

    await dispatcher(FlakyChannel(2)).send(sample_notice())
    assert attempts == [(1, "TransientDeliveryError"), (2, "TransientDeliveryError"), (3, None)]


async def test_hook_notifysdk_on_outcome(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher]
) -> None:
    outcomes: list[tuple[str, bool]] = []

    class Plugin:
        @hookimpl
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            outcomes.append((outcome.status.value, outcome.duplicate))

    register_plugin(Plugin(), "outcomes")
    d = dispatcher(MockChannel())
    await d.send(sample_notice())
    await d.send(sample_notice())

    def refuse(message: Message) -> None:
        raise __import__("notifysdk").PermanentDeliveryError("no", provider_code=550)

    d2 = dispatcher(MockChannel(refuse))
    await d2.send(sample_notice(5))
    assert outcomes == [("delivered", False), ("delivered", True), ("failed", False)]


async def test_hook_tracing_prints_summaries_only(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    import logging

    from notifysdk import Settings
    from notifysdk.clock import FakeClock

    monkeypatch.setenv("NOTIFYSDK_TRACE_HOOKS", "1")
    caplog.set_level(logging.DEBUG, logger="notifysdk.hooks")
    pm = PluginManager()
    notice = sample_notice()
    async with Dispatcher(
        Settings(output_dir=tmp_path),
        plugins=pm,
        clock=FakeClock(),
        ledger=MemoryLedger(),
        channels={"mock": MockChannel()},
    ) as d:
        await d.send(notice)
    text = caplog.text
    assert f"notifysdk_on_outcome(notice=Notice(key={notice.idempotency_key}" in text
    assert "status=delivered" in text
    for raw in (notice.account.debtor.name, "13800138000", notice.account.loan_id, "1234.50"):
        assert raw not in text


def test_hook_notifysdk_register_webhooks() -> None:
    from notifysdk.webhooks import WebhookRequest, WebhookResponse

    async def report(request: WebhookRequest) -> WebhookResponse:
        return WebhookResponse(200, "ok")

    class Reports:
        @hookimpl
        def notifysdk_register_webhooks(self, register: Callable[[str, Any], None]) -> None:
            register("/pager/report", report)

    class BadPath:
        @hookimpl
        def notifysdk_register_webhooks(self, register: Callable[[str, Any], None]) -> None:
            register("pager/../report", report)

    pm = PluginManager(load_entry_points=False)
    pm.register(Reports(), name="reports")
    assert pm.registry().webhooks == {"/pager/report": report}
    assert pm.registry().owners[("webhook", "/pager/report")] == "reports"
    pm.register(Reports(), name="copy")
    with pytest.raises(DuplicateRegistrationError, match="'reports' and plugin 'copy'"):
        pm.registry()
    bad = PluginManager(load_entry_points=False)
    bad.register(BadPath(), name="bad")
    with pytest.raises(PluginError, match="lower-case words"):
        bad.registry()


def test_hook_notifysdk_register_asgi_apps() -> None:
    from notifysdk.asgi import mounts

    made: list[object] = []

    def factory(dispatcher: Any) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None: ...

        made.append(dispatcher)
        return app

    class Portal:
        @hookimpl
        def notifysdk_register_asgi_apps(self, register: Callable[[str, Any], None]) -> None:
            register("/portal", factory)

    class BadPrefix:
        @hookimpl
        def notifysdk_register_asgi_apps(self, register: Callable[[str, Any], None]) -> None:
            register("/Portal/..", factory)

    builtin = PluginManager(load_entry_points=False).registry().asgi_apps
    assert "/self-service" in builtin  # the self-service page, a built-in plugin
    pm = PluginManager(load_entry_points=False, builtins=())
    pm.register(Portal(), name="portal")
    assert pm.registry().asgi_apps == {"/portal": factory}
    assert pm.registry().owners[("asgi_app", "/portal")] == "portal"

    class Holder:
        registry = pm.registry()

    holder = Holder()
    (route,) = mounts(holder)  # type: ignore[arg-type]
    assert route.path == "/portal" and made == [holder]
    pm.register(Portal(), name="copy")
    with pytest.raises(DuplicateRegistrationError, match="'portal' and plugin 'copy'"):
        pm.registry()
    bad = PluginManager(load_entry_points=False)
    bad.register(BadPrefix(), name="bad")
    with pytest.raises(PluginError, match="lower-case words"):
        bad.registry()


async def test_hook_notifysdk_refresh_account(
    register_plugin: Callable[..., str], dispatcher: Callable[..., Dispatcher], tmp_path: Path
) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from notifysdk.account_events import AccountEvent, record_account_event
    from notifysdk.keys import ephemeral_keys
    from notifysdk.ledger.sqlite import SqliteLedger

    asked: list[str] = []

    class Platform:
        @hookimpl
        def notifysdk_refresh_account(self, account: Any) -> Any:
            asked.append(account.account_id)

            async def fetch() -> Any:
                return account.model_copy(update={"overdue_amount": Decimal("1.00")})

            return fetch()

    register_plugin(Platform(), "platform")
    ledger = SqliteLedger(f"sqlite:///{tmp_path}/ledger.db", keys=ephemeral_keys())
    try:
        d = dispatcher(MockChannel(), ledger=ledger)
        notice = sample_notice()
        now = d.clock.now()
        promise = AccountEvent("promise_to_pay", now, until=now + timedelta(days=1))
        await record_account_event(ledger, notice.account, promise)
        assert (await d.send(notice)).status is OutcomeStatus.DEFERRED
        assert asked == []  # only run-due asks
        d.clock.advance(86_400)  # type: ignore[attr-defined]
        (outcome,) = await d.run_due()
        assert outcome.status is OutcomeStatus.DELIVERED and asked == [notice.account.account_id]
        stored = await ledger.load(notice.idempotency_key)
        assert stored is not None and stored.notice.account.overdue_amount == Decimal("1.00")
    finally:
        await ledger.aclose()
