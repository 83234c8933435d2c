"""The test harness's own Redis server: it answers, and each test's database is empty."""

from __future__ import annotations

import pytest

redis = pytest.importorskip("redis")


def test_a_fresh_database_per_test(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.dbsize() == 0
    client.set("marker", "1")
    assert client.get("marker") == b"1"


def test_the_next_test_does_not_see_the_last_ones_keys(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.get("marker") is None
