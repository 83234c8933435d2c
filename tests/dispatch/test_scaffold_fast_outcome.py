"""models._outcome: the same Outcome as the validating constructor builds (or the same
error), whatever it is given; the fast path taken only for values validation keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.models import Outcome, OutcomeStatus, Receipt, Restriction, _outcome


class _Str(str):
    pass


class _Dt(datetime):
    pass


class _NoOffset(timezone.__base__):  # type: ignore[misc,name-defined]
    def utcoffset(self, dt: Any) -> None:
        return None


AT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
RECEIPT = Receipt(channel="c", provider_id="p", accepted_at=AT)
RESTRICTION = Restriction(variant="v", rule="r", profile="cn", reason="why")

texts = st.one_of(
    st.text(max_size=5),
    st.just(_Str("sub")),
    st.integers(0, 3),
)
opt_texts = st.one_of(st.none(), texts)
datetimes = st.one_of(
    st.just(AT),
    st.just(AT.astimezone(timezone(timedelta(hours=8)))),
    st.just(AT.astimezone(ZoneInfo("Asia/Shanghai"))),
    st.just(AT.replace(tzinfo=None)),
    st.just(_Dt(2026, 1, 5, tzinfo=UTC)),
    st.just("2026-01-05T10:00:00+00:00"),
    st.just(AT.replace(tzinfo=_NoOffset())),
)
statuses = st.one_of(st.sampled_from(list(OutcomeStatus)), st.just("delivered"), st.just("x"))
extra: dict[str, Any] = {
    "until": st.one_of(st.none(), datetimes),
    "rule": opt_texts,
    "profile": opt_texts,
    "provider_code": opt_texts,
    "receipt": st.one_of(st.none(), st.just(RECEIPT), st.just(RECEIPT.model_dump())),
    "attempts": st.one_of(st.integers(0, 5), st.just(True), st.just("2"), st.just(-1)),
    "duplicate": st.one_of(st.booleans(), st.just(1), st.just(0)),
    "restriction": st.one_of(st.none(), st.just(RESTRICTION), st.just(RESTRICTION.model_dump())),
    "bogus": st.just(1),
    "channel": st.just("again"),
}
kws = st.dictionaries(st.sampled_from(sorted(extra)), st.none()).flatmap(
    lambda d: st.fixed_dictionaries({k: extra[k] for k in d})
)


def _same(a: Outcome, b: Outcome) -> None:
    assert type(a) is type(b) is Outcome
    assert list(a.__dict__) == list(b.__dict__)
    for key, value in a.__dict__.items():
        other = b.__dict__[key]
        assert type(value) is type(other), key
        assert value == other, key
        if isinstance(value, datetime):
            assert value.tzinfo is other.tzinfo, key
    assert a.model_fields_set == b.model_fields_set
    assert type(a.__pydantic_fields_set__) is type(b.__pydantic_fields_set__)
    assert a.__pydantic_extra__ == b.__pydantic_extra__
    assert a.__pydantic_private__ == b.__pydantic_private__
    assert a == b
    try:
        hashed: Any = hash(b)
    except TypeError as exc:  # a receipt's detail dict is not hashable
        hashed = type(exc)
    try:
        assert hash(a) == hashed
    except TypeError as exc:
        assert type(exc) is hashed
    assert a.model_dump() == b.model_dump()
    assert a.model_dump_json() == b.model_dump_json()


@settings(max_examples=600, deadline=None)
@given(texts, statuses, texts, datetimes, opt_texts, kws)
def test_outcome_equals_validated(
    key: Any, status: Any, channel: Any, at: Any, reason: Any, kw: dict[str, Any]
) -> None:
    want: Outcome | Exception
    try:
        want = Outcome(
            idempotency_key=key, status=status, channel=channel, at=at, reason=reason, **kw
        )
    except Exception as exc:
        want = exc
    # called outside the except block: within one, CPython 3.11 reports a keyword given
    # twice as a KeyError instead of its TypeError
    if isinstance(want, Exception):  # the same error, of the same type and text
        try:
            _outcome(key, status, channel, at, reason, dict(kw))
        except Exception as got:
            assert type(got) is type(want)
            assert str(got) == str(want)
        else:
            raise AssertionError("the fast path accepted what validation refused")
        return
    _same(_outcome(key, status, channel, at, reason, dict(kw)), want)


def test_outcome_fast_path_taken() -> None:
    got = _outcome(
        "k",
        OutcomeStatus.DELIVERED,
        "c",
        AT,
        None,
        {"attempts": 1, "receipt": RECEIPT, "restriction": RESTRICTION},
    )
    assert got.receipt is RECEIPT and got.restriction is RESTRICTION and got.at is AT
    want = Outcome(
        idempotency_key="k",
        status=OutcomeStatus.DELIVERED,
        channel="c",
        at=AT,
        reason=None,
        attempts=1,
        receipt=RECEIPT,
        restriction=RESTRICTION,
    )
    _same(got, want)
