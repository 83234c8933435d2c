"""The scope-string convention and the call-outcome table."""

from __future__ import annotations

import pytest

from notifysdk.compliance import scopes as sc
from notifysdk.errors import InvalidInputError

from .conftest import cn_account


def test_scope_round_trip_quotes_separators() -> None:
    s = sc.scope("call", sc.Per.DEBT, "Bank:A", "LN/1")
    assert sc.parse_scope(s) == ("call", "debt", ("Bank:A", "LN/1"))
    with pytest.raises(InvalidInputError, match="scope"):
        sc.parse_scope("call")


def test_numbers_are_pseudonymous() -> None:
    s = sc.number_scope("call.unanswered", "+8613800138000")
    assert "13800138000" not in s and s.startswith("call.unanswered:number:")


def test_agency_shares_the_institution_scope() -> None:
    acc = cn_account()
    agency = acc.model_copy(update={"agency": "Agency Co"})
    assert sc.debtor_scope("call.connected", acc) == sc.debtor_scope("call.connected", agency)


@pytest.mark.parametrize(
    ("outcome", "counters"),
    [
        (
            "connected",
            {"call", "conversation", "call.connected", "phone.personal", "contact", "comm"},
        ),
        ("voicemail", {"call", "call.unanswered", "phone.personal", "contact"}),
        ("no_answer", {"call", "call.unanswered"}),
        ("answered_other", {"call"}),
        ("busy", {"call.unanswered"}),
        ("network_error", {"call.unanswered"}),
    ],
)
def test_call_outcome_table(outcome: str, counters: set[str]) -> None:
    acc = cn_account()
    got = sc.call_scopes(acc, acc.debtor, "+8613800138000", outcome)
    assert {sc.parse_scope(s)[0] for s in got} == counters


def test_location_call_counts_per_person_only() -> None:
    acc = cn_account()
    got = sc.call_scopes(
        acc, acc.debtor, "+8613800138000", "connected", role="third_party", location=True
    )
    assert [sc.parse_scope(s)[0] for s in got] == ["location"]
