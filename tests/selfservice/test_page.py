"""The page over a real dispatcher and SQLite ledger, through httpx's ASGI transport:
what an unverified visitor sees, verification and its lock, CSRF, the actions and what
the rules then decide, the one-click unsubscribe, refused links, limits per address."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from notifysdk.account_events import AccountEventKind, account_events
from notifysdk.hookspecs import hookimpl
from notifysdk.models import Account, OutcomeStatus
from notifysdk.selfservice.tokens import Purpose, revoke

from .conftest import Page
from .support import BIRTH_YEAR, NATIONAL_ID, PHONE, debtor_account, notice_to, raw_values

RIGHT = {"national_id_last4": NATIONAL_ID[-4:].lower(), "birth_year": BIRTH_YEAR}
WRONG = {"national_id_last4": "1234", "birth_year": "1990"}


def csrf(html: str, form: str) -> str:
    """The CSRF token of the form posting to ``/{form}``."""
    m = re.search(
        rf'action="[^"]*/{form}"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"', html
    )
    assert m, f"no {form} form"
    return m.group(1)


async def delivered(page: Page, account: Account, channel: str = "sms", **kw: object) -> str:
    """Send a first notice (stored in the ledger) and return its key."""
    notice = notice_to(account, channel, **kw)
    outcome = await page.dispatcher.send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome
    return notice.idempotency_key


async def verified(page: Page, token: str) -> str:
    """Verify through the form; returns the account page's HTML."""
    first = await page.client.get(f"/{token}")
    r = await page.client.post(
        f"/{token}/verify", data={**RIGHT, "csrf": csrf(first.text, "verify")}
    )
    assert r.status_code == 303, r.text
    shown = await page.client.get(f"/{token}")
    assert shown.status_code == 200 and 'id="total-due"' in shown.text
    return shown.text


async def test_an_unverified_visitor_learns_nothing_about_the_debt(
    make_page: Callable[..., Page],
) -> None:
    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    r = await page.client.get(f"/{token}")
    assert r.status_code == 200
    html = r.text
    assert "客户服务中心" in html and "95555" in html  # the neutral name and the hotline
    for value in [*raw_values(account), account.institution, "逾期", "欠款", "overdue"]:
        assert value not in html, value
    assert 'name="national_id_last4"' in html and 'name="birth_year"' in html
    h = r.headers
    assert h["content-security-policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY" and h["referrer-policy"] == "no-referrer"
    assert h["cache-control"] == "no-store, private"
    cookie = h["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert "path=/self-service" in cookie


async def test_verified_the_debtor_sees_current_amounts_from_the_refresh_hook(
    make_page: Callable[..., Page], notifysdk_register_plugin: Callable[..., str]
) -> None:
    class Platform:
        @hookimpl
        def notifysdk_refresh_account(self, account: Account) -> Account:
            return account.model_copy(update={"overdue_amount": Decimal("1000.00")})

    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    notifysdk_register_plugin(Platform())
    html = await verified(page, token)
    assert "¥1,012.30" in html  # 1000.00 + 12.30 penalty interest: as the platform has it now
    assert "¥1,246.80" not in html
    assert "以上为我们当前记录的数据" in html
    assert 'value="3"' in html and "¥337.43" in html  # 3 instalments of the refreshed total
    actions = [
        (e.detail["action"], e.detail["result"])
        for e in await page.ledger.audit_entries()
        if e.event == "self_service"
    ]
    assert actions == [("verify", "ok"), ("view", "shown")]  # what was disclosed, audited


async def test_a_chosen_plan_defers_the_next_notice_to_its_date(
    make_page: Callable[..., Page], durable_ledger_url: str
) -> None:
    page = make_page(durable_ledger_url)
    account = debtor_account(locale="en")
    token = page.token(await delivered(page, account))
    html = await verified(page, token)
    assert "Pay in full: CN¥1,246.80 by January 13, 2026" in html
    r = await page.client.post(f"/{token}/plan", data={"count": "3", "csrf": csrf(html, "plan")})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=plan")
    (event,) = await account_events(page.ledger, account, before=page.clock.now() + timedelta(1))
    assert event.kind is AccountEventKind.PROMISE_TO_PAY and event.source == "self-service"
    assert event.until is not None and event.until.isoformat() == "2026-01-13T16:00:00+00:00"
    shown = (await page.client.get(f"/{token}?done=plan")).text
    assert "Your plan is recorded" in shown
    assert "Your plan on record: first payment due by January 13, 2026." in shown
    page.clock.set(page.clock.now() + timedelta(days=1))
    nxt = await page.dispatcher.send(notice_to(account, data={"n": 2}))
    assert (nxt.status, nxt.rule) == (OutcomeStatus.DEFERRED, "account-state")
    assert nxt.until is not None and nxt.until >= event.until
    # the session ran out meanwhile: the page asks again
    assert 'id="total-due"' not in (await page.client.get(f"/{token}")).text


async def test_a_dispute_is_masked_and_holds_the_next_notice(
    make_page: Callable[..., Page],
) -> None:
    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    html = await verified(page, token)
    text = f"这笔钱我已经还过了，请打 {PHONE} 或看身份证 {NATIONAL_ID}"
    r = await page.client.post(
        f"/{token}/dispute", data={"text": text, "csrf": csrf(html, "dispute")}
    )
    assert r.status_code == 303
    (event,) = await account_events(page.ledger, account, before=page.clock.now() + timedelta(1))
    assert event.kind is AccountEventKind.DISPUTE and event.note is not None
    assert PHONE not in event.note and NATIONAL_ID not in event.note and "已经还过了" in event.note
    nxt = await page.dispatcher.send(notice_to(account, data={"n": 2}))
    assert (nxt.status, nxt.rule) == (OutcomeStatus.BLOCKED, "account-state")


async def test_an_sms_opt_out_blocks_the_next_sms_only(make_page: Callable[..., Page]) -> None:
    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    html = await verified(page, token)
    r = await page.client.post(
        f"/{token}/preferences",
        data={
            "opt_out": "sms",
            "inconvenient": ["before_9", "weekends"],
            "medium": "email",
            "language": "en",
            "csrf": csrf(html, "preferences"),
        },
    )
    assert r.status_code == 303
    sms = await page.dispatcher.send(notice_to(account, data={"n": 2}))
    assert (sms.status, sms.rule) == (OutcomeStatus.BLOCKED, "ledger-opt-out")
    mail = await page.dispatcher.send(notice_to(account, "email", data={"n": 2}))
    assert mail.status is OutcomeStatus.DELIVERED
    (entry,) = [
        e for e in await page.ledger.audit_entries() if e.detail.get("action") == "preferences"
    ]
    # every number of the recipient: the mobile and the work line
    assert entry.detail["opt_out"] == ["sms"] and entry.detail["destinations"] == 2
    assert entry.detail["preferences"] == [
        "inconvenient.before_9",
        "inconvenient.weekends",
        "medium.email",
        "language.en",
    ]


async def test_at_work_is_enforced_as_an_opt_out_of_the_work_line(
    make_page: Callable[..., Page],
) -> None:
    from notifysdk.compliance.rules.base import EPOCH
    from notifysdk.compliance.scopes import optout_scope

    from .support import WORK_PHONE

    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    html = await verified(page, token)
    data = {"inconvenient": "at_work", "csrf": csrf(html, "preferences")}
    assert (await page.client.post(f"/{token}/preferences", data=data)).status_code == 303
    end = page.clock.now() + timedelta(seconds=1)
    assert await page.ledger.count(optout_scope("*", WORK_PHONE), EPOCH, end) == 1
    assert await page.ledger.count(optout_scope("*", PHONE), EPOCH, end) == 0


@pytest.mark.parametrize("shape", ["urlencoded", "multipart"])
async def test_one_click_unsubscribe_as_a_mail_client_posts_it(
    make_page: Callable[..., Page], shape: str
) -> None:
    page = make_page()
    account = debtor_account()
    key = await delivered(page, account, "email")
    token = page.token(key, Purpose.UNSUBSCRIBE)
    # GET (a link scanner, a preview) changes nothing
    assert (await page.client.get(f"/unsubscribe/{token}")).status_code == 200
    assert (await page.dispatcher.send(notice_to(account, "email", data={"n": 2}))).status is (
        OutcomeStatus.DELIVERED
    )
    fresh = httpx.AsyncClient(transport=page.client._transport, base_url=str(page.client.base_url))
    async with fresh:  # a mail client: no cookie, no CSRF token, the RFC 8058 body only
        if shape == "urlencoded":
            r = await fresh.post(
                f"/unsubscribe/{token}",
                content=b"List-Unsubscribe=One-Click",
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
        else:
            r = await fresh.post(
                f"/unsubscribe/{token}", files={"List-Unsubscribe": (None, "One-Click")}
            )
    assert r.status_code == 200, r.text
    mail = await page.dispatcher.send(notice_to(account, "email", data={"n": 3}))
    assert (mail.status, mail.rule) == (OutcomeStatus.BLOCKED, "ledger-opt-out")
    assert (await page.dispatcher.send(notice_to(account, data={"n": 3}))).status is (
        OutcomeStatus.DELIVERED
    )
    # a page token is not an unsubscribe token, nor the reverse
    assert (
        await page.client.post(
            f"/unsubscribe/{page.token(key)}",
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    ).status_code == 403
    assert (await page.client.get(f"/{token}")).status_code == 403


async def test_the_smtp_plugins_own_unsubscribe_url_lands_here(
    make_page: Callable[..., Page],
) -> None:
    from notifysdk_smtp.headers import list_unsubscribe_post, unsubscribe_uris

    template = "https://pay.example.com/self-service/unsubscribe/smtp/smtp-email/{token}"
    page = make_page(
        channel_settings={
            "smtp-email": {"unsubscribe_secret": "s3cret", "unsubscribe_url": template}
        }
    )
    account = debtor_account()
    key = await delivered(page, account, "email")
    # what the SMTP channel writes in List-Unsubscribe for this notice
    (uri,) = unsubscribe_uris(None, template, key, "s3cret")
    assert list_unsubscribe_post([uri]) == {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    path = uri.removeprefix("https://pay.example.com/self-service")
    one_click = {
        "content": b"List-Unsubscribe=One-Click",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    }
    forged = path[:-4] + ("AAAA" if path[-4:] != "AAAA" else "BBBB")
    assert (await page.client.post(forged, **one_click)).status_code == 403  # type: ignore[arg-type]
    other = path.replace("/smtp-email/", "/other-email/")
    assert (await page.client.post(other, **one_click)).status_code == 404  # type: ignore[arg-type]
    assert (await page.client.get(path)).status_code == 200
    mail = await page.dispatcher.send(notice_to(account, "email", data={"n": 2}))
    assert mail.status is OutcomeStatus.DELIVERED  # neither GET nor a forged POST opted out
    assert (await page.client.post(path, **one_click)).status_code == 200  # type: ignore[arg-type]
    mail = await page.dispatcher.send(notice_to(account, "email", data={"n": 3}))
    assert (mail.status, mail.rule) == (OutcomeStatus.BLOCKED, "ledger-opt-out")


async def test_wrong_answers_lock_the_link_after_the_configured_count(
    make_page: Callable[..., Page], durable_ledger_url: str
) -> None:
    page = make_page(durable_ledger_url, max_failures=3)
    account = debtor_account(locale="en")
    key = await delivered(page, account)
    token = page.token(key)
    html = (await page.client.get(f"/{token}")).text
    token_csrf = csrf(html, "verify")
    for left in (2, 1):
        r = await page.client.post(f"/{token}/verify", data={**WRONG, "csrf": token_csrf})
        assert r.status_code == 200 and f"Attempts left: {left}." in r.text
    r = await page.client.post(f"/{token}/verify", data={**WRONG, "csrf": token_csrf})
    assert r.status_code == 403 and "locked" in r.text
    # now even the right answers are refused, and the page says locked
    r = await page.client.post(f"/{token}/verify", data={**RIGHT, "csrf": token_csrf})
    assert r.status_code == 403 and 'id="total-due"' not in r.text
    assert (await page.client.get(f"/{token}")).status_code == 403
    entries = [e.detail for e in await page.ledger.audit_entries() if e.event == "self_service"]
    assert [d["result"] for d in entries] == ["wrong", "wrong", "locked", "locked"]
    assert entries[2]["reason"] == "too_many_wrong_answers" and entries[2]["failures"] == 3
    assert all(NATIONAL_ID[-4:] not in str(d) and "1990" not in str(d) for d in entries)


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    make_page: Callable[..., Page],
) -> None:
    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    (await page.client.get(f"/{token}")).raise_for_status()
    r = await page.client.post(f"/{token}/verify", data=RIGHT)
    assert r.status_code == 403 and "表单已过期" in r.text
    html = await verified(page, token)
    for form, data in (
        ("plan", {"count": "1"}),
        ("dispute", {"text": "x"}),
        ("preferences", {"opt_out": "sms"}),
    ):
        assert (await page.client.post(f"/{token}/{form}", data=data)).status_code == 403
        forged = {**data, "csrf": csrf(html, "plan" if form != "plan" else "dispute")}
        assert (await page.client.post(f"/{token}/{form}", data=forged)).status_code == 403
    assert await account_events(page.ledger, account, before=page.clock.now() + timedelta(1)) == ()
    sms = await page.dispatcher.send(notice_to(account, data={"n": 2}))
    assert sms.status is OutcomeStatus.DELIVERED


@pytest.mark.parametrize("case", ["expired", "forged", "revoked", "wrong_purpose", "unknown"])
async def test_a_refused_link_gets_a_clear_page_and_changes_nothing(
    make_page: Callable[..., Page], case: str
) -> None:
    page = make_page()
    account = debtor_account(locale="en")
    key = await delivered(page, account)
    token = page.token(key, days=1)
    if case == "expired":
        page.clock.set(page.clock.now() + timedelta(days=3))
    elif case == "forged":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif case == "revoked":
        await revoke(page.ledger, key, now=page.clock.now())
    elif case == "wrong_purpose":
        token = page.token(key, Purpose.UNSUBSCRIBE)
    else:
        token = page.token("nk_" + "0" * 32)
    before = len(await page.ledger.audit_entries())
    r = await page.client.get(f"/{token}")
    expected = {"expired": 410, "revoked": 410, "forged": 403, "wrong_purpose": 403, "unknown": 404}
    assert r.status_code == expected[case]
    assert 'name="national_id_last4"' not in r.text and "form" not in r.text
    words = {
        "expired": "This link has expired",
        "revoked": "no longer valid",
        "forged": "This link is not valid",
        "wrong_purpose": "cannot be used here",
        "unknown": "This link is not valid",
    }
    assert words[case] in r.text
    for form in ("verify", "plan", "dispute", "preferences"):
        assert (
            await page.client.post(f"/{token}/{form}", data={"csrf": "x", **RIGHT})
        ).status_code == expected[case]
    assert len(await page.ledger.audit_entries()) == before
    assert await account_events(page.ledger, account, before=page.clock.now() + timedelta(1)) == ()


async def test_requests_and_wrong_answers_are_limited_per_address(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(ip_requests_per_minute=5, ip_failures_per_hour=2, max_failures=10)
    account = debtor_account()
    token = page.token(await delivered(page, account))
    html = (await page.client.get(f"/{token}")).text
    for _ in range(2):
        r = await page.client.post(f"/{token}/verify", data={**WRONG, "csrf": csrf(html, "verify")})
        assert r.status_code == 200
    r = await page.client.post(f"/{token}/verify", data={**RIGHT, "csrf": csrf(html, "verify")})
    assert r.status_code == 429  # this address gave too many wrong answers this hour
    statuses = [(await page.client.get(f"/{token}")).status_code for _ in range(3)]
    assert statuses[-1] == 429 and "retry-after" in (await page.client.get(f"/{token}")).headers


async def test_serve_on_a_ledger_without_notices_keeps_its_webhooks_and_says_the_page_is_off(
    notifysdk_plugins: object,
) -> None:
    from notifysdk.config import Settings
    from notifysdk.dispatcher import Dispatcher
    from notifysdk.ledger.memory import MemoryLedger
    from notifysdk_twilio.webhooks.app import create_app
    from notifysdk_twilio.webhooks.settings import WebhookSettings

    d = Dispatcher(Settings(), ledger=MemoryLedger())
    app = create_app(WebhookSettings(auth_token="t"), d)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hooks"
    ) as client:
        assert (await client.get("/healthz")).status_code == 200
        off = await client.get("/self-service/anything")
        assert off.status_code == 503 and "ledger that stores notices" in off.text
    await d.aclose()


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(ip_requests_per_minute=2, trusted_proxies=("127.0.0.1",))
    token = page.token(await delivered(page, debtor_account()))

    async def status(forwarded: str) -> int:
        r = await page.client.get(f"/{token}", headers={"x-forwarded-for": forwarded})
        return r.status_code

    assert [await status("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert await status("198.51.100.2") == 200  # another client behind the same proxy
    # a client cannot pick its own address: the proxy appends the real one
    assert await status("198.51.100.2, 203.0.113.7") == 429
