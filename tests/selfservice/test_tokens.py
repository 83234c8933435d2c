"""Signed links: a token names one notice and one purpose, expires, can be revoked, is
sealed under the self-service key (outside the database) and carries no personal data."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.hookspecs import hookimpl
from notifysdk.keys import ephemeral_keys, new_key
from notifysdk.selfservice.keys import KEY_FILE, SelfServiceKeys, load_self_service_keys
from notifysdk.selfservice.links import link_for, unsubscribe_url_for
from notifysdk.selfservice.settings import SelfServiceSettings, self_service_settings
from notifysdk.selfservice.tokens import (
    Purpose,
    TokenError,
    is_revoked,
    issue,
    open_token,
    revoke,
)
from notifysdk.templating import TemplateRenderer, notice_context
from notifysdk.testing import MockChannel, render, sample_account, sample_notice

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def keys(tmp_path: Path) -> SelfServiceKeys:
    return load_self_service_keys(tmp_path / "keys", environ={})


def test_a_token_names_its_notice_purpose_and_last_day(keys: SelfServiceKeys) -> None:
    key = sample_notice().idempotency_key
    token = issue(keys, key, Purpose.PAGE, now=NOW, days=30)
    assert len(token) <= 48 and key not in token
    link = open_token(keys, token, Purpose.PAGE, now=NOW)
    assert (link.key, link.purpose) == (key, Purpose.PAGE)
    assert link.expires_at == datetime(2027, 1, 2, tzinfo=UTC)
    # deterministic: a retry renders the same text
    assert issue(keys, key, Purpose.PAGE, now=NOW + timedelta(hours=1), days=30) == token


def test_a_caller_key_with_personal_data_is_sealed_not_readable(keys: SelfServiceKeys) -> None:
    key = "loan-LN2026-13800138000"
    token = issue(keys, key, Purpose.PAGE, now=NOW, days=30)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"13800138000" not in raw and b"LN2026" not in raw
    assert open_token(keys, token, Purpose.PAGE, now=NOW).key == key


def test_expired_forged_altered_and_wrong_purpose_tokens_are_refused(
    keys: SelfServiceKeys, tmp_path: Path
) -> None:
    key = sample_notice().idempotency_key
    token = issue(keys, key, Purpose.PAGE, now=NOW, days=1)
    with pytest.raises(TokenError) as exc:
        open_token(keys, token, Purpose.PAGE, now=NOW + timedelta(days=2))
    assert exc.value.reason == "expired"
    other = load_self_service_keys(tmp_path / "other", environ={})
    with pytest.raises(TokenError) as exc:
        open_token(other, token, Purpose.PAGE, now=NOW)
    assert exc.value.reason == "forged"
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    with pytest.raises(TokenError) as exc:
        open_token(keys, flipped, Purpose.PAGE, now=NOW)
    assert exc.value.reason in {"forged", "malformed"}
    with pytest.raises(TokenError) as exc:
        open_token(keys, token, Purpose.UNSUBSCRIBE, now=NOW)
    assert exc.value.reason == "wrong_purpose"
    for junk in ("", "a" * 500, "not/a/token", "abc"):
        with pytest.raises(TokenError) as exc:
            open_token(keys, junk, Purpose.PAGE, now=NOW)
        assert exc.value.reason == "malformed"


def test_a_retired_key_still_opens_its_links(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    old = load_self_service_keys(folder, environ={})
    token = issue(old, "nk_" + "a" * 32, Purpose.PAGE, now=NOW, days=30)
    path = folder / KEY_FILE
    path.write_text(new_key() + "\n" + path.read_text())
    rotated = load_self_service_keys(folder, environ={})
    assert rotated.links[0] != old.links[0]
    assert open_token(rotated, token, Purpose.PAGE, now=NOW).key == "nk_" + "a" * 32
    assert path.stat().st_mode & 0o077 == 0


async def test_revocation_is_kept_in_the_ledger_keyed_and_audited(tmp_path: Path) -> None:
    keys = ephemeral_keys()
    ledger = open_ledger(f"sqlite:///{tmp_path}/l.db", keys=lambda: keys)
    try:
        key = sample_notice().idempotency_key
        assert not await is_revoked(ledger, key, now=NOW)
        await revoke(ledger, key, now=NOW, reason="reissued")
        assert await is_revoked(ledger, key, now=NOW)
        assert not await is_revoked(ledger, key, now=NOW - timedelta(seconds=1))
        assert not await is_revoked(ledger, sample_notice(2).idempotency_key, now=NOW)
        (entry,) = [e for e in await ledger.audit_entries() if e.event == "self_service"]
        assert entry.detail == {"action": "revoke", "reason": "reissued"}
    finally:
        await ledger.aclose()
    raw = (tmp_path / "l.db").read_bytes()
    assert b"selfservice.revoked" not in raw  # the scope is stored keyed


def test_the_link_variable_is_there_when_configured_and_empty_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOTIFYSDK_SELF_SERVICE_URL", raising=False)
    monkeypatch.delenv("NOTIFYSDK_SELF_SERVICE_KEY", raising=False)
    settings = Settings(key_dir=tmp_path / "keys")
    notice = sample_notice()
    assert link_for(settings, notice, NOW) == ""
    assert unsubscribe_url_for(settings, notice.idempotency_key, NOW) == ""
    monkeypatch.setenv("NOTIFYSDK_SELF_SERVICE_URL", "https://pay.example.com/s/")
    url = link_for(settings, notice, NOW)
    assert url.startswith("https://pay.example.com/s/") and "//" not in url[8:]
    keys = load_self_service_keys(tmp_path / "keys", environ={})
    opened = open_token(keys, url.rsplit("/", 1)[1], Purpose.PAGE, now=NOW)
    assert opened.key == notice.idempotency_key
    unsub = unsubscribe_url_for(settings, notice.idempotency_key, NOW)
    assert unsub.startswith("https://pay.example.com/s/unsubscribe/")
    assert self_service_settings(settings).link_days == 30

    renderer = TemplateRenderer([tmp_path])
    source = "Pay: {% if self_service_url %}{{ self_service_url }}{% else %}call us{% endif %}"
    with_link = notice_context(notice, now=NOW, self_service_url=url)
    assert renderer.render_string(source, with_link) == f"Pay: {url}"
    assert renderer.render_string(source, notice_context(notice, now=NOW)) == "Pay: call us"


def test_settings_errors_name_the_setting_never_the_value() -> None:
    from notifysdk.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as exc:
        self_service_settings(
            Settings(), environ={"NOTIFYSDK_SELF_SERVICE_URL": "ftp://x13800138000"}
        )
    assert "public_base_url" in str(exc.value) and "13800138000" not in str(exc.value)
    assert SelfServiceSettings(plan_counts=(6, 1, 6)).plan_counts == (1, 6)


@pytest.fixture
def link_dispatcher(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    notifysdk_register_plugin: Callable[..., str],
    dispatcher: Callable[..., Dispatcher],
) -> Dispatcher:
    """A dispatcher whose ``linkmock`` SMS template prints the self-service link, with a
    public base URL set (uk-conc notices: a cn SMS may link only to registered domains)."""
    folder = tmp_path / "templates" / "overdue_notice"
    folder.mkdir(parents=True)
    default = Path(__file__).resolve().parents[2] / "templates" / "overdue_notice"
    text = (default / "sms.en.txt.j2").read_text(encoding="utf-8").rstrip()
    (folder / "linkmock.en.txt.j2").write_text(
        text + "{% if self_service_url %} {{ self_service_url }}{% endif %}\n", encoding="utf-8"
    )

    class Templates:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(tmp_path / "templates")

    notifysdk_register_plugin(Templates())
    monkeypatch.setenv("NOTIFYSDK_SELF_SERVICE_URL", "https://pay.example.com/s")
    return dispatcher(MockChannel(name="linkmock"), settings=Settings(key_dir=tmp_path / "keys"))


LINK_NOW = datetime.fromisoformat("2026-01-06T10:00:00+08:00")


async def test_the_dispatch_path_fills_the_link_into_a_rendered_notice(
    link_dispatcher: Dispatcher,
) -> None:
    account = sample_account(profiles=("uk-conc",), locale="en")
    notice = sample_notice(channel="linkmock", account=account)
    message = await render(link_dispatcher, notice, now=LINK_NOW)
    assert "https://pay.example.com/s/" in message.body


async def test_only_the_debtor_gets_the_link(link_dispatcher: Dispatcher) -> None:
    from notifysdk.models import Recipient, Role

    account = sample_account(profiles=("uk-conc",), locale="en")
    to_debtor = sample_notice(channel="linkmock", account=account)
    # The page is about the debt: whoever else is told of it is not pointed there.
    to_guarantor = to_debtor.model_copy(
        update={
            "recipient": Recipient(person=account.debtor, role=Role.GUARANTOR),
            "idempotency_key": "",
        }
    )
    d = link_dispatcher
    assert "https://pay.example.com/s/" in (await render(d, to_debtor, now=LINK_NOW)).body
    assert "pay.example.com" not in (await render(d, to_guarantor, now=LINK_NOW)).body
