"""The JSON API: the page's actions for a lender's own app, behind the same token,
verification, lock and limits, with a bearer session instead of a cookie; its OpenAPI
description is generated from the code and names every route it serves."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from notifysdk.account_events import AccountEventKind, account_events
from notifysdk.models import OutcomeStatus
from notifysdk.selfservice.api import openapi

from .conftest import Page
from .support import BIRTH_YEAR, NATIONAL_ID, PHONE, debtor_account, notice_to
from .test_page import delivered

RIGHT = {"national_id_last4": NATIONAL_ID[-4:], "birth_year": BIRTH_YEAR}


async def session_for(page: Page, token: str) -> dict[str, str]:
    r = await page.client.post(f"/api/v1/{token}/verify", json={"answers": RIGHT})
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['session']}"}


async def test_verify_then_see_choose_dispute_and_set_preferences(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(max_failures=3)
    account = debtor_account()
    token = page.token(await delivered(page, account))
    assert (await page.client.get(f"/api/v1/{token}/account")).status_code == 401
    wrong = await page.client.post(
        f"/api/v1/{token}/verify", json={"answers": {**RIGHT, "birth_year": "1950"}}
    )
    assert (wrong.status_code, wrong.json()) == (401, {"error": "wrong", "attempts_left": 2})
    auth = await session_for(page, token)
    assert (
        "set-cookie"
        not in (await page.client.get(f"/api/v1/{token}/account", headers=auth)).headers
    )
    view = (await page.client.get(f"/api/v1/{token}/account", headers=auth)).json()
    assert view["total_due"] == "1246.80" and view["currency"] == "CNY" and not view["fresh"]
    assert [p["count"] for p in view["plans"]] == [1, 3, 6, 12]
    assert view["plans"][1]["instalments"][0] == {"due": "2026-01-13", "amount": "415.60"}

    chosen = await page.client.post(f"/api/v1/{token}/plan", json={"count": 3}, headers=auth)
    assert chosen.status_code == 200 and chosen.json()["until"] == "2026-01-13T16:00:00Z"
    none = await page.client.post(f"/api/v1/{token}/plan", json={"count": 5}, headers=auth)
    assert (none.status_code, none.json()) == (422, {"error": "no_such_plan"})
    nxt = await page.dispatcher.send(notice_to(account, data={"n": 2}))
    assert (nxt.status, nxt.rule) == (OutcomeStatus.DEFERRED, "account-state")

    text = {"text": f"not mine, call {PHONE}"}
    assert (
        await page.client.post(f"/api/v1/{token}/dispute", json=text, headers=auth)
    ).status_code == 200
    prefs = {"opt_out": ["email"], "inconvenient": ["after_20"], "language": "en"}
    r = await page.client.post(f"/api/v1/{token}/preferences", json=prefs, headers=auth)
    assert r.json()["detail"]["opt_out"] == ["email"]
    bad = await page.client.post(
        f"/api/v1/{token}/preferences", json={"opt_out": ["fax"]}, headers=auth
    )
    assert (bad.status_code, bad.json()) == (400, {"error": "bad_request"})
    events = await account_events(page.ledger, account, before=page.clock.now() + timedelta(1))
    assert [e.kind for e in events] == [AccountEventKind.PROMISE_TO_PAY, AccountEventKind.DISPUTE]
    assert events[1].note is not None and PHONE not in events[1].note
    # the session is bound to the notice: another notice's token does not take it
    other = page.token(await delivered(page, debtor_account(2)))
    assert (await page.client.get(f"/api/v1/{other}/account", headers=auth)).status_code == 401


async def test_the_api_locks_like_the_page_and_refuses_bad_links(
    make_page: Callable[..., Page],
) -> None:
    page = make_page(max_failures=2)
    token = page.token(await delivered(page, debtor_account()))
    for code in ("wrong", "locked"):
        r = await page.client.post(f"/api/v1/{token}/verify", json={"answers": {"birth_year": "1"}})
        assert r.json()["error"] == code
    r = await page.client.post(f"/api/v1/{token}/verify", json={"answers": RIGHT})
    assert (r.status_code, r.json()) == (423, {"error": "locked"})
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    r = await page.client.post(f"/api/v1/{forged}/verify", json={"answers": RIGHT})
    assert r.status_code in (400, 403)


def test_the_openapi_description_is_generated_and_names_every_route(
    make_page: Callable[..., Page],
) -> None:
    doc = openapi("/self-service")
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {
        "/api/v1/{token}/verify",
        "/api/v1/{token}/account",
        "/api/v1/{token}/plan",
        "/api/v1/{token}/dispute",
        "/api/v1/{token}/preferences",
    }
    schemas = doc["components"]["schemas"]
    refs = {m.split("/")[-1] for m in _refs(doc)}
    assert refs <= set(schemas) and {"AccountView", "PreferencesRequest"} <= refs
    prefs = schemas["PreferencesRequest"]["properties"]["opt_out"]["items"]
    assert prefs["enum"] == ["sms", "email", "calls"]
    page = make_page()
    app = page.client._transport.app  # type: ignore[attr-defined]
    routed = {getattr(r, "path", "") for r in app.routes}
    assert {p for p in doc["paths"]} <= routed and "/api/v1/openapi.json" in routed
    json.dumps(doc)


async def test_the_description_is_served(make_page: Callable[..., Page]) -> None:
    page = make_page()
    r = await page.client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.json()["servers"] == [{"url": "/self-service"}]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in _refs(v)
        ]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
