"""``token_guarded``: a webhook for a provider that does not sign its pushes refuses one
without the configured secret (503 unconfigured, 403 wrong or missing, in constant
time) before it reaches the ledger, and answers the provider's ack otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from notifysdk.config import Settings
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.webhooks import WebhookRefusedError, WebhookRequest, token_guarded

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def _request(settings: Settings, query: dict[str, str]) -> WebhookRequest:
    return WebhookRequest(
        path="/pager/reply",
        headers={},
        query=query,
        body=b"[]",
        ledger=MemoryLedger(),
        now=NOW,
        settings=settings,
    )


async def test_only_the_configured_token_reaches_the_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOTIFYSDK_PAGER_CALLBACK_TOKEN", raising=False)
    applied: list[bytes] = []

    async def apply(ledger: Any, body: bytes, *, now: datetime) -> None:
        applied.append(body)

    hook = token_guarded("pager", apply, {"result": 0})
    unconfigured = Settings()
    with pytest.raises(WebhookRefusedError) as info:
        await hook(_request(unconfigured, {"token": "anything"}))
    assert info.value.status == 503
    configured = Settings(channels={"pager": {"callback_token": "s3cret"}})
    for query in ({}, {"token": ""}, {"token": "guess"}):
        with pytest.raises(WebhookRefusedError) as info:
            await hook(_request(configured, query))
        assert info.value.status == 403
    assert applied == []
    answer = await hook(_request(configured, {"token": "s3cret"}))
    assert answer.status == 200 and json.loads(answer.body) == {"result": 0}
    monkeypatch.setenv("NOTIFYSDK_PAGER_CALLBACK_TOKEN", "from-env")
    assert (await hook(_request(unconfigured, {"token": "from-env"}))).status == 200
    assert applied == [b"[]", b"[]"]
