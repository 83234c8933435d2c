"""Stated inconvenient times, end to end: the debtor marks them on the page (its real
form and action, on SQLite and PostgreSQL), then the dispatcher's next notice is
deferred by ``stated-inconvenience``; a later submission replaces the statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from notifysdk.compliance.explain import explain
from notifysdk.models import OutcomeStatus
from notifysdk.selfservice.actions import SelfService
from notifysdk.selfservice.tokens import Purpose

from .conftest import Page
from .support import debtor_account, notice_to
from .test_page import csrf, delivered, verified

SH = "+08:00"
WEDNESDAY_0830 = datetime.fromisoformat(f"2026-01-07T08:30:00{SH}")
RULE = "stated-inconvenience"


async def submit(page: Page, token: str, html: str, *times: str) -> None:
    """Post the preferences form with ``times`` ticked (and nothing else)."""
    data: dict[str, object] = {"inconvenient": list(times), "csrf": csrf(html, "preferences")}
    r = await page.client.post(f"/{token}/preferences", data=data)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=prefs")


async def test_a_statement_on_the_page_defers_then_a_later_one_clears_it(
    make_page: Callable[..., Page], durable_ledger_url: str
) -> None:
    page = make_page(durable_ledger_url)
    account = debtor_account()
    token = page.token(await delivered(page, account))
    html = await verified(page, token)
    await submit(page, token, html, "before_9", "weekends")

    page.clock.set(WEDNESDAY_0830)
    out = await page.dispatcher.send(notice_to(account, data={"n": 2}))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, RULE)
    assert out.until == datetime.fromisoformat(f"2026-01-07T09:00:00{SH}")
    assert out.until is not None
    page.clock.set(out.until)
    assert (await page.dispatcher.run_due())[0].status is OutcomeStatus.DELIVERED

    # explain shows the statement it read: its instant and the marked times
    page.clock.set(WEDNESDAY_0830 + timedelta(days=1))
    shown = await explain(page.dispatcher, notice_to(account, data={"n": 3}), page.clock.now())
    (row,) = [r for r in shown.rows if r.rule == RULE]
    assert row.numbers["stated_at"] == "2026-01-06T02:00:00+00:00"  # the submission, 10:00
    assert row.numbers["inconvenient"] == ["before_9", "weekends"]

    # the debtor comes back (verifies again) and ticks only weekends: 08:30 on a
    # weekday is fine again
    html = await verified(page, token)
    await submit(page, token, html, "weekends")
    again = await page.dispatcher.send(notice_to(account, data={"n": 4}))
    assert again.status is OutcomeStatus.DELIVERED, again
    saturday = datetime.fromisoformat(f"2026-01-10T10:00:00{SH}")
    page.clock.set(saturday)
    weekend = await page.dispatcher.send(notice_to(account, data={"n": 5}))
    assert (weekend.status, weekend.rule) == (OutcomeStatus.DEFERRED, RULE)
    assert weekend.until == datetime.fromisoformat(f"2026-01-12T08:00:00{SH}")


async def test_a_form_with_no_box_ticked_clears_and_saying_nothing_keeps(
    make_page: Callable[..., Page],
) -> None:
    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    html = await verified(page, token)
    await submit(page, token, html, "before_9")
    svc = SelfService(page.dispatcher, page.config, page.keys)
    visit = await svc.open(token, Purpose.PAGE)

    async def at_0830() -> tuple[str, dict[str, object]]:
        shown = await explain(page.dispatcher, notice_to(account, data={"n": 2}), WEDNESDAY_0830)
        (row,) = [r for r in shown.rows if r.rule == RULE]
        return row.verdict, dict(row.numbers)

    # a platform's API call about a medium only (inconvenient=None) keeps the statement
    page.clock.set(page.clock.now() + timedelta(minutes=1))
    detail = await svc.preferences(visit, medium="email", inconvenient=None)
    assert detail["statement"] is False
    verdict, numbers = await at_0830()
    assert verdict == "defer" and numbers["inconvenient"] == ["before_9"]
    assert await svc.stated_times(visit) == {"before_9"}  # what the form can show ticked
    # the page's form posted with no box ticked is a statement of none
    page.clock.set(page.clock.now() + timedelta(minutes=1))
    await submit(page, token, html)
    verdict, numbers = await at_0830()
    assert verdict == "allow" and numbers["inconvenient"] == []
    assert await svc.stated_times(visit) == frozenset()
    assert numbers["stated_at"] == "2026-01-06T02:02:00+00:00"
    page.clock.set(WEDNESDAY_0830)
    cleared = await page.dispatcher.send(notice_to(account, data={"n": 3}))
    assert cleared.status is OutcomeStatus.DELIVERED, cleared
    statements = [
        e.detail["statement"]
        for e in await page.ledger.audit_entries()
        if e.detail.get("action") == "preferences"
    ]
    assert statements == [True, False, True]


async def test_the_page_shows_the_stated_times_ticked(make_page: Callable[..., Page]) -> None:
    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    html = await verified(page, token)
    assert 'id="inconvenient-before_9" checked' not in html
    await submit(page, token, html, "before_9")
    html = (await page.client.get(f"/{token}")).text
    assert 'value="before_9" id="inconvenient-before_9" checked' in html
    assert 'id="inconvenient-weekends" checked' not in html


async def test_an_api_call_that_says_nothing_of_times_keeps_them(
    make_page: Callable[..., Page],
) -> None:
    from .test_api import session_for

    page = make_page()
    account = debtor_account()
    token = page.token(await delivered(page, account))
    auth = await session_for(page, token)
    url = f"/api/v1/{token}/preferences"
    assert (
        await page.client.post(url, json={"inconvenient": ["before_9"]}, headers=auth)
    ).status_code == 200
    # a platform that only opts the debtor out of email leaves the stated times alone
    page.clock.set(page.clock.now() + timedelta(minutes=1))
    assert (
        await page.client.post(url, json={"opt_out": ["email"]}, headers=auth)
    ).status_code == 200
    page.clock.set(WEDNESDAY_0830)
    out = await page.dispatcher.send(notice_to(account, data={"n": 2}))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, RULE)
    # an empty list is a statement: nothing is inconvenient any more
    auth = await session_for(page, token)  # the clock moved on: a new session
    assert (await page.client.post(url, json={"inconvenient": []}, headers=auth)).status_code == 200
    again = await page.dispatcher.send(notice_to(account, data={"n": 3}))
    assert again.status is OutcomeStatus.DELIVERED, again.reason
