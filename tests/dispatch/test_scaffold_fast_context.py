"""NoticeContext.reservations joins the votes' tuples itself: the same tuple as the
decisions' ``reservations`` property gives; links read the environment as
``os.environ.get`` does."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.dispatch.context import NoticeContext
from notifysdk.policy import Decision, Verdict, Vote
from notifysdk.reservations import Reservation
from notifysdk.selfservice import links
from notifysdk.selfservice.settings import URL_ENV
from notifysdk.testing import sample_notice

AT = datetime(2026, 1, 5, tzinfo=UTC)


def _res(i: int) -> Reservation:
    return Reservation(
        rule=f"r{i}", profile="cn", scope=f"s{i}", limit=i, window_start=AT, window_end=AT
    )


class _Decision(Decision):
    @property
    def reservations(self) -> tuple[Reservation, ...]:
        return (_res(99),)


reservations = st.one_of(
    st.lists(st.integers(0, 5).map(_res), max_size=3).map(tuple),
    st.lists(st.integers(0, 5).map(_res), max_size=2),  # a list: the property's way
)
votes = st.builds(
    lambda res, i: Vote(Verdict.ALLOW, f"rule{i}", reservations=res),
    reservations,
    st.integers(0, 9),
)
decisions = st.one_of(
    st.none(),
    st.builds(lambda vs: Decision(Verdict.ALLOW, None, tuple(vs)), st.lists(votes, max_size=6)),
    st.builds(lambda vs: _Decision(Verdict.ALLOW, None, tuple(vs)), st.lists(votes, max_size=2)),
)


@settings(max_examples=400, deadline=None)
@given(decisions, decisions)
def test_reservations_as_the_property(policy: Any, content: Any) -> None:
    ctx = NoticeContext(notice=sample_notice(1), channel=None, now=AT)  # type: ignore[arg-type]
    ctx = ctx.evolve(policy=policy, content=content)
    want: tuple[Reservation, ...] = ()
    for decision in (policy, content):
        if decision is not None:
            want += decision.reservations
    got = ctx.reservations
    assert type(got) is tuple
    assert got == want
    assert [type(r) for r in got] == [type(r) for r in want]


@pytest.mark.parametrize("value", [None, "", "https://pay.example.com/ss", "https://例え.jp/é"])
def test_getenv_as_os_environ(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv(URL_ENV, raising=False)
    else:
        monkeypatch.setenv(URL_ENV, value)
    assert links._getenv(URL_ENV, links._URL_KEY) == os.environ.get(URL_ENV, "")
    assert type(links._getenv(URL_ENV, links._URL_KEY)) is str


def test_getenv_replaced_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "environ", {URL_ENV: "https://x.example"})
    assert links._getenv(URL_ENV, links._URL_KEY) == "https://x.example"
    monkeypatch.setattr(os, "environ", {})
    assert links._getenv(URL_ENV, links._URL_KEY) == ""
