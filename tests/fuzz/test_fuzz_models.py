"""Fuzzing the models: accounts, people and notices built from mutated dicts.

Every dict either validates or raises the SDK's own typed error within the deadline,
the error names no personal value of the input (nor the hostile value put in), and a
model that validates can be used: its amounts formatted in its currency, its notice
keyed and stored as JSON (what the ledger does).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from fuzz_support import (
    HOSTILE_TEXT,
    full_account,
    get_path,
    leaked,
    paths,
    personal_values,
    set_path,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from notifysdk.errors import NotifyError
from notifysdk.models import Account, Notice, Person
from notifysdk.privacy import KnownValues
from notifysdk.templating import money

FUZZ = settings(
    max_examples=200,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)


def _nested(depth: int, leaf: Any = 1) -> Any:
    value: Any = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


hostile_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=30),
    st.sampled_from([10**5000, -(10**5000), 10**30, 2**63, -(2**63) - 1, 10**15]),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.sampled_from([Decimal("1E+1000000"), Decimal("-0"), Decimal("1E-1000000"), Decimal("1e15")]),
    st.builds(_nested, st.sampled_from([10, 100, 3000, 20_000])),
    st.none(),
    st.booleans(),
    st.binary(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
"""Values put in place of any field of a valid record."""


def _texts(value: Any) -> list[str]:
    """The distinctive strings of an injected value: any error echoing one leaks it."""
    if isinstance(value, str):
        v = value.strip()
        return [v] if len(v) >= 8 and any(c.isalnum() for c in v) and len(set(v)) > 3 else []
    return []


@st.composite
def mutated(
    draw: st.DrawFn, base: Any, focus: tuple[tuple[Any, ...], ...] = ()
) -> tuple[Any, list[str]]:
    """``base`` with up to three fields replaced (half of the time one of ``focus``), a
    list blown up or a personal key."""
    obj = copy.deepcopy(base)
    secrets: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        where = list(focus) if focus and draw(st.booleans()) else paths(obj)
        if not where:
            break
        path = draw(st.sampled_from(where))
        value = draw(hostile_values)
        try:
            set_path(obj, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # a focus path under a field an earlier mutation replaced
        secrets += _texts(value)
    action = draw(st.integers(0, 9))
    if action == 0 and isinstance(obj, dict):
        obj[draw(st.sampled_from(sorted(obj)))] = None
    elif action == 1:
        lists = [p for p in paths(obj) if isinstance(get_path(obj, p), list) and get_path(obj, p)]
        if lists:
            path = draw(st.sampled_from(lists))
            set_path(obj, path, get_path(obj, path) * draw(st.sampled_from([30, 1000])))
    return obj, secrets


def _assert_safe(exc: NotifyError, secrets: list[str]) -> None:
    text = str(exc)
    assert not leaked(text, secrets), (text, leaked(text, secrets))


def _use(account: Account) -> None:
    for amount in (account.total_due, account.principal, account.penalty_interest):
        money(amount, account.currency, account.debtor.locale)
    KnownValues.from_account(account)


ACCOUNT_FOCUS: tuple[tuple[Any, ...], ...] = (
    ("principal",),
    ("overdue_amount",),
    ("penalty_interest",),
    ("days_overdue",),
    ("account_id",),
    ("loan_id",),
    ("debtor", "person_id"),
    ("debtor", "name"),
    ("debtor", "contacts"),
    ("debtor", "contacts", 2, "kind"),
    ("parties",),
)
"""Fields that broke a campaign before: amounts, day counts, IDs, lists."""


@st.composite
def accounts(draw: st.DrawFn) -> tuple[Any, list[str]]:
    values = draw(personal_values())
    obj, injected = draw(mutated(full_account(values), ACCOUNT_FOCUS))
    return obj, [*values.values(), *injected]


@FUZZ
@given(case=accounts())
def test_an_account_validates_or_raises_a_typed_error_naming_no_value(
    case: tuple[Any, list[str]],
) -> None:
    obj, secrets = case
    try:
        account = Account.model_validate(obj)
    except NotifyError as exc:
        _assert_safe(exc, secrets)
        return
    _use(account)


@st.composite
def people(draw: st.DrawFn) -> tuple[Any, list[str]]:
    values = draw(personal_values())
    focus = (("person_id",), ("name",), ("contacts",), ("locale",), ("time_zone",))
    obj, injected = draw(mutated(full_account(values)["debtor"], focus))
    return obj, [*values.values(), *injected]


@FUZZ
@given(case=people())
def test_a_person_validates_or_raises_a_typed_error_naming_no_value(
    case: tuple[Any, list[str]],
) -> None:
    obj, secrets = case
    try:
        Person(**obj) if isinstance(obj, dict) else Person.model_validate(obj)
    except NotifyError as exc:
        _assert_safe(exc, secrets)


@st.composite
def notices(draw: st.DrawFn) -> tuple[Any, list[str]]:
    values = draw(personal_values())
    account = full_account(values)
    base = {
        "kind": "overdue_notice",
        "channel": "capture-sms",
        "account": account,
        "recipient": {"person": account["debtor"], "role": "debtor"},
        "to": values["phone"],
        "data": {"plan": {"counts": [3, 6]}, "note": "x"},
        "stage": "D+1-sms",
        "idempotency_key": "",
    }
    focus = (("data",), ("data", "note"), ("to",), ("stage",), ("idempotency_key",), ("channel",))
    obj, injected = draw(mutated(base, focus))
    if draw(st.integers(0, 3)) == 0:
        obj["data"] = draw(hostile_data(values))
    return obj, [*values.values(), *injected]


def hostile_data(values: dict[str, str]) -> st.SearchStrategy[Any]:
    """``Notice.data`` that is deep, huge, keyed by a personal value or shadowing."""
    return st.sampled_from(
        [
            {"k": _nested(3000)},
            {"k": _nested(50)},
            {f"k{i}": "v" * 100 for i in range(5000)},
            {"blob": "x" * 2_000_000},
            {values["phone"]: values["email"]},
            {"amount_due": "¥0.00"},
            {"set": {1, 2}},
            {"obj": object()},
            {1: "not a string key"},
        ]
    )


@FUZZ
@given(case=notices())
def test_a_notice_validates_or_raises_a_typed_error_and_can_be_stored(
    case: tuple[Any, list[str]],
) -> None:
    obj, secrets = case
    try:
        notice = Notice.model_validate(obj)
    except NotifyError as exc:
        _assert_safe(exc, secrets)
        return
    assert notice.idempotency_key
    notice.model_dump_json()  # the ledger stores the notice as JSON
    _use(notice.account)
