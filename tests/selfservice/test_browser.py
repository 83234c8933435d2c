"""The issue's acceptance in a real headless Chromium against ``notifysdk serve`` on
loopback, in zh-CN and en.

One server and one browser for the module. The test process sends the notices through
its own dispatcher on the server's SQLite ledger (same key folder), with a fake clock a
day ahead of the server's real one, so what the page recorded is on record when the
next notice is decided by the real rules.

A failed test leaves a screenshot and the page's HTML in the folder its failure names.
With ``NOTIFYSDK_SCREENSHOTS=DIR`` the verified page is saved as
``DIR/self-service.zh-CN.png`` and ``DIR/self-service.en.png`` (the README's images:
``docs/images``).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.explain import explain
from notifysdk.compliance.rules.base import EPOCH
from notifysdk.compliance.scopes import optout_scope
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Account, Notice, OutcomeStatus
from notifysdk.selfservice.links import link_for, unsubscribe_url_for
from notifysdk.selfservice.settings import SelfServiceSettings
from notifysdk.templating import money

from .browser import chromium, free_port, serve, write_config
from .support import BIRTH_YEAR, NATIONAL_ID, PHONE, channels, debtor_account, notice_to

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "privacy"))
from pii_scan import PiiScanner  # type: ignore[import-not-found]

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOTLINE = "95555"
WORDS = {
    "zh-CN": {
        "sender": "客户服务中心",
        "wrong": "剩余尝试次数：4",
        "plan": "还款计划已记录",
        "dispute": "异议已记录",
        "prefs": "偏好已保存",
        "csrf": "表单已过期",
        "locked": "此链接已锁定",
    },
    "en": {
        "sender": "Customer Service Center",
        "wrong": "Attempts left: 4.",
        "plan": "Your plan is recorded",
        "dispute": "Your dispute is recorded",
        "prefs": "Your preferences are saved",
        "csrf": "This form has expired",
        "locked": "This link is locked",
    },
}


@dataclass
class Site:
    """The running server and what the tests share with it."""

    base: str
    folder: Path
    config: Path
    log: Path
    self_service: SelfServiceSettings
    accounts: list[Account]
    keys: list[str]
    tokens: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("self-service-site")
    config = write_config(folder, HOTLINE)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    public = f"{base}/self-service"
    # the ledger's keys and the self-service key exist before the server starts
    Settings.load(config)
    log = folder / "serve.log"
    with serve(config, port, log, {"NOTIFYSDK_SELF_SERVICE_URL": public}) as running:
        yield Site(
            running, folder, config, log, SelfServiceSettings(public_base_url=public), [], [], []
        )


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.fixture
def shots(browser: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The browser; a failed test leaves a screenshot and the HTML under ``tmp_path``."""
    browser.delete_all_cookies()
    yield browser
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = tmp_path / "screenshots"
        folder.mkdir(exist_ok=True)
        browser.save_screenshot(str(folder / "failure.png"))
        (folder / "failure.html").write_text(browser.page_source, encoding="utf-8")
        print(f"screenshot and HTML of the failure: {folder}")


def server_now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
async def dispatcher(site: Site) -> AsyncIterator[Dispatcher]:
    """The test's own dispatcher on the server's ledger; its clock starts two days
    before the server's (the first notice) and is moved a day after it (the next)."""
    sms, email = channels()
    start = datetime.combine(server_now().astimezone(SHANGHAI).date(), time(10), SHANGHAI)
    clock = FakeClock(start - timedelta(days=2))
    d = Dispatcher(Settings.load(site.config), channels={"sms": sms, "email": email}, clock=clock)
    try:
        yield d
    finally:
        await d.aclose()


def after_server(d: Dispatcher) -> datetime:
    """Move the test's clock to 10:00 Shanghai the day after the server's now."""
    tomorrow = server_now().astimezone(SHANGHAI).date() + timedelta(days=1)
    at = datetime.combine(tomorrow, time(10), SHANGHAI)
    d.clock.set(at)  # type: ignore[attr-defined]
    return at


async def first_notice(
    site: Site, d: Dispatcher, n: int, locale: str, channel: str = "sms"
) -> Notice:
    """The first notice to debtor ``n``: under ``cn`` in zh-CN, ``uk-conc`` in en (each
    profile's neutral sender name in its language)."""
    profiles = ("cn",) if locale == "zh-CN" else ("uk-conc",)
    account = debtor_account(n, locale=locale, profiles=profiles)
    notice = notice_to(account, channel)
    await d.send(notice)
    site.accounts.append(account)
    site.keys.append(notice.idempotency_key)
    return notice


def text_of(driver: Any) -> str:
    body: str = driver.find_element("tag name", "body").text
    return body


def fill(driver: Any, answers: dict[str, str]) -> None:
    for name, value in answers.items():
        field = driver.find_element("name", name)
        field.clear()
        field.send_keys(value)
    submit(driver, "verify-button")


def submit(driver: Any, button: str) -> None:
    """Click a form's button and wait until the next page has loaded."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    element = driver.find_element("id", button)
    element.click()

    def next_page(d: Any) -> bool:
        try:
            element.is_enabled()  # still the old page's node
        except WebDriverException:  # stale, or "does not belong to the document"
            return bool(d.execute_script("return document.readyState") == "complete")
        return False

    WebDriverWait(driver, 15).until(next_page)


async def verdicts(d: Dispatcher, notice: Notice, rule: str) -> set[str]:
    """What ``rule`` voted for ``notice`` now (a rule may vote more than once)."""
    explained = await explain(d, notice, d.clock.now())
    return {r.verdict for r in explained.rows if r.rule == rule}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
async def test_the_debtor_verifies_sees_chooses_disputes_and_opts_out(
    site: Site, shots: Any, dispatcher: Dispatcher, locale: str
) -> None:
    d, b, w = dispatcher, shots, WORDS[locale]
    n = 1 if locale == "zh-CN" else 2
    notice = await first_notice(site, d, n, locale)
    account = notice.account
    url = link_for(d.settings, notice, server_now(), site.self_service)
    assert url.startswith(site.base + "/self-service/")
    site.tokens.append(url.rsplit("/", 1)[1])

    # 1. unverified: the neutral name and the hotline, nothing about the debt
    b.get(url)
    shown, html = text_of(b), b.page_source
    assert w["sender"] in shown and HOTLINE in shown
    total = money(account.total_due, account.currency, locale)
    for value in (
        account.debtor.name,
        account.institution,
        account.loan_id,
        total,
        "1,246.80",
        NATIONAL_ID,
        PHONE,
        PHONE[3:],
    ):
        assert value not in shown and value not in html, value

    # 2. a wrong answer, then the right ones: the amounts as they stand
    fill(b, {"national_id_last4": "9999", "birth_year": "1990"})
    assert w["wrong"] in text_of(b)
    fill(b, {"national_id_last4": NATIONAL_ID[-4:], "birth_year": BIRTH_YEAR})
    assert b.find_element("id", "total-due").text == total
    assert b.find_element("id", "loan").text == account.loan_id
    if os.environ.get("NOTIFYSDK_SCREENSHOTS"):
        folder = Path(os.environ["NOTIFYSDK_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        height = b.execute_script("return document.documentElement.scrollHeight")
        b.set_window_size(420, int(height) + 120)
        b.save_screenshot(str(folder / f"self-service.{locale}.png"))
        b.set_window_size(420, 900)

    # 3. opt out of SMS: the next SMS is blocked by the ledger-opt-out rule, email goes
    b.find_element("id", "optout-sms").click()
    submit(b, "prefs-button")
    assert w["prefs"] in text_of(b)
    after_server(d)
    sms = notice_to(account, data={"n": 2})
    assert (await d.send(sms)).status is OutcomeStatus.BLOCKED
    assert "deny" in await verdicts(d, sms, "ledger-opt-out")
    email = notice_to(account, "email", data={"n": 2})
    assert await verdicts(d, email, "ledger-opt-out") == {"allow"}

    # 4. choose 3 instalments: the next notice waits for the plan's first date
    b.find_element("id", "plan-3").click()
    submit(b, "plan-button")
    assert w["plan"] in text_of(b)
    email = notice_to(account, "email", data={"n": 3})
    outcome = await d.send(email)
    assert outcome.status is OutcomeStatus.DEFERRED and outcome.until is not None
    assert "defer" in await verdicts(d, email, "account-state")
    first_due = server_now().astimezone(SHANGHAI).date() + timedelta(days=7)
    assert outcome.until.astimezone(SHANGHAI).date() >= first_due + timedelta(days=1)

    # 5. a form without its CSRF token is refused and records nothing
    b.execute_script(
        "document.querySelector('#dispute form input[name=csrf]').remove();"
        "document.getElementById('dispute-text').value = 'x';"
    )
    submit(b, "dispute-button")
    assert w["csrf"] in text_of(b)
    email = notice_to(account, "email", data={"n": 4})
    found = await verdicts(d, email, "account-state")
    assert "defer" in found and "deny" not in found  # no dispute recorded
    b.back()
    b.refresh()

    # 6. a dispute holds the next notice
    b.find_element("id", "dispute-text").send_keys(
        f"我没有借过这笔钱 I never borrowed this, call {PHONE}"
    )
    submit(b, "dispute-button")
    assert w["dispute"] in text_of(b)
    email = notice_to(account, "email", data={"n": 5})
    assert (await d.send(email)).status is OutcomeStatus.BLOCKED
    assert "deny" in await verdicts(d, email, "account-state")


async def test_wrong_answers_lock_the_link(site: Site, shots: Any, dispatcher: Dispatcher) -> None:
    notice = await first_notice(site, dispatcher, 3, "en")
    b = shots
    b.get(link_for(dispatcher.settings, notice, server_now(), site.self_service))
    for _ in range(5):  # max_failures defaults to 5
        fill(b, {"national_id_last4": "0000", "birth_year": "2001"})
    assert WORDS["en"]["locked"] in text_of(b)
    b.refresh()
    assert WORDS["en"]["locked"] in text_of(b)
    assert b.find_elements("name", "national_id_last4") == []


async def test_the_page_works_without_javascript(site: Site, dispatcher: Dispatcher) -> None:
    notice = await first_notice(site, dispatcher, 5, "zh-CN")
    with chromium(javascript=False) as b:
        b.get("data:text/html,<title>off</title><script>document.title='on'</script>")
        assert b.title == "off"  # the page's own scripts do not run
        b.get(link_for(dispatcher.settings, notice, server_now(), site.self_service))
        fill(b, {"national_id_last4": NATIONAL_ID[-4:], "birth_year": BIRTH_YEAR})
        total = money(notice.account.total_due, notice.account.currency, "zh-CN")
        assert b.find_element("id", "total-due").text == total
        submit(b, "plan-button")  # pay in full: the first plan, checked by default
        assert WORDS["zh-CN"]["plan"] in text_of(b)
    after_server(dispatcher)
    nxt = notice_to(notice.account, data={"n": 2})
    assert "defer" in await verdicts(dispatcher, nxt, "account-state")


async def sms_optouts(d: Dispatcher) -> int:
    """SMS opt-outs on record for the debtors' mobile number."""
    end = server_now() + timedelta(days=30)
    return await d.ledger.count(optout_scope("sms", PHONE), EPOCH, end)


async def test_one_click_unsubscribe_from_a_mail_client(site: Site, dispatcher: Dispatcher) -> None:
    notice = await first_notice(site, dispatcher, 4, "zh-CN", "email")
    url = unsubscribe_url_for(
        dispatcher.settings, notice.idempotency_key, server_now(), site.self_service
    )
    sms_before = await sms_optouts(dispatcher)
    # what Gmail and Apple Mail send (RFC 8058 section 3.1): no cookie, this body only
    request = urllib.request.Request(
        url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "mail"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status == 200
        assert r.headers["Cache-Control"] == "no-store, private"
    after_server(dispatcher)
    nxt = notice_to(notice.account, "email", data={"n": 2})
    assert (await dispatcher.send(nxt)).status is OutcomeStatus.BLOCKED
    assert "deny" in await verdicts(dispatcher, nxt, "ledger-opt-out")
    # email only: the SMS opt-outs on record for the number are as they were
    assert await sms_optouts(dispatcher) == sms_before
    bad = urllib.request.Request(url, data=b"List-Unsubscribe=Maybe", method="POST")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(bad, timeout=10)
    assert exc.value.code == 400


async def test_no_raw_value_in_logs_ledger_or_outputs_after_the_session(
    site: Site, dispatcher: Dispatcher
) -> None:
    assert site.accounts, "runs after the browser tests of this module"
    scanner = PiiScanner.for_accounts(site.accounts)
    scanner.add("serve.log", site.log.read_text(encoding="utf-8", errors="replace"))
    await scanner.add_ledger(dispatcher.ledger, site.keys)
    for path in sorted(site.folder.glob("ledger.db*")):
        scanner.add(f"raw {path.name}", path.read_bytes().decode("latin-1"))
    assert scanner.sources["serve.log"] == 1 and scanner.sources["ledger.audit"] > 10
    log = site.log.read_text(encoding="utf-8")
    assert "POST <other> 303" in log  # the access log names no path under the mount
    assert "/self-service/" not in log and not any(t in log for t in site.tokens)
    assert scanner.hits == [], scanner.report()
