"""The shortcuts taken on an account's values (issue 13), held to the definitions they
replace: :func:`~notifysdk.privacy.known_match.normal_value` to
:func:`~notifysdk.privacy.normalize.normalize_value`, and the one-pass expansion of
``KnownValues._collect`` to ``_dedupe(expand(...))``."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.models import EmailContact, Party, PhoneContact, PostalAddress, Role
from notifysdk.privacy import findings
from notifysdk.privacy.findings import KnownValues, _dedupe, _expanded
from notifysdk.privacy.known import expand
from notifysdk.privacy.known_match import normal_value
from notifysdk.privacy.normalize import normalize_value
from notifysdk.testing import sample_account, sample_person

_CHARS = list("abcXYZ019 .,-_@+#/\\u5f20\\\\u \t\n\x0b\x1f\x7f\u00a0\u3000張伟ＡＢ１İ\u212a")


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CHARS), max_size=20))
@example("a  b")
@example(" LN2026 ")
@example("\\u5f20")
@example("x\ty")
@example("İ")
def test_a_value_s_normal_form_is_normalize_value_s(value: str) -> None:
    assert normal_value(value) == normalize_value.__wrapped__(value)


@given(st.text(max_size=16))
def test_any_value_s_normal_form_is_normalize_value_s(value: str) -> None:
    assert normal_value(value) == normalize_value.__wrapped__(value)


_KINDS = st.sampled_from(["name", "phone", "email", "address", "loan_id", "amount"])
_VALUES = st.sampled_from(
    [
        "",
        "a",
        "伟",
        "张伟",
        "欧阳娜娜",
        "阿依·古丽",
        "Alex Smith",
        "Al",
        "+8613800138000",
        "+85291234567",
        "138",
        "+1",
        "x@y.cn",
        "1234.50",
        "国庆",
        "李国庆",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_KINDS, _VALUES), max_size=14))
@example([("name", "伟"), ("name", "张伟"), ("name", "伟")])
@example([("phone", "+8613800138000"), ("phone", "13800138000")])
@example([("name", ""), ("phone", "a")])
def test_the_one_pass_expansion_is_dedupe_of_expand(pairs: list[tuple[str, str]]) -> None:
    assert _expanded(pairs) == _dedupe(expand(pairs))
    assert KnownValues(_expanded(pairs)) == KnownValues.expand(pairs)


def _accounts() -> list[object]:
    plain = sample_account(3)
    guarantor = sample_person(9, locale="en", phone="+12025550143")
    shared = sample_account(4).model_copy(
        update={"parties": (Party(person=guarantor, role=Role.GUARANTOR),)}
    )
    person = sample_person(5).model_copy(
        update={
            "name": "欧阳娜娜",
            "national_id": "110105199001011234",
            "contacts": (
                PhoneContact(value="+8613800138000"),
                EmailContact(value="n@example.com"),
                PostalAddress(
                    lines=("南山区科技园路88号", "阳光花园3栋2单元202室"),
                    city="深圳",
                    region="广东省",
                    country="CN",
                ),
            ),
        }
    )
    chinese = sample_account(5).model_copy(
        update={"debtor": person, "penalty_interest": Decimal("0")}
    )
    return [plain, shared, chinese]


def test_an_account_s_values_are_its_values_expanded_as_first_written() -> None:
    for account in _accounts():
        first = KnownValues.from_account(account)  # type: ignore[arg-type]
        assert first == KnownValues._collect(account)  # type: ignore[arg-type]
        assert KnownValues.from_account(account) is first  # type: ignore[arg-type]
        twin = account.model_copy()  # type: ignore[attr-defined]
        assert twin is not account
        assert KnownValues.from_account(twin) == first
        pairs = [("loan_id", twin.loan_id), *findings._person_pairs(twin.debtor)]
        for party in twin.parties:
            pairs += findings._person_pairs(party.person)
        amounts = {twin.overdue_amount, twin.principal, twin.total_due, twin.penalty_interest}
        pairs += [("amount", f"{a:.2f}") for a in amounts if a > 0]
        assert first == KnownValues.expand(pairs)  # the expansion as first written


_ENTRY_VALUES = [
    ("name", "张伟"),
    ("name", "Alex Smith"),
    ("name", "伟"),
    ("phone", "+8613800138000"),
    ("email", "Zhang.Wei@Example.COM"),
    ("loan_id", "LN202600000001"),
    ("address", "1 Sample Road, Shanghai, CN"),
    ("address", "1 Sample Road"),
    ("address", "Flat 3, 12 Sample Rd, London, SW1A 1AA, GB"),
    ("address", "广东省深圳市南山区科技园路88号阳光花园3栋2单元202室"),
    ("national_id", "110105199001011234"),
    ("amount", "1234.50"),
]


def test_entries_and_needles_are_the_named_tuples_their_constructors_build() -> None:
    from notifysdk.privacy.addresses import EnglishAddress
    from notifysdk.privacy.known_match import _Entry, _entry, _Needle

    for pair in _ENTRY_VALUES:
        entry = _entry.__wrapped__(pair)
        assert entry is not None
        assert type(entry) is _Entry
        assert entry == _Entry(**entry._asdict())
        if entry.needle is not None:
            needle = entry.needle
            assert type(needle) is _Needle
            assert needle._asdict() == _Needle(*needle[:4])._asdict()  # detector: the default
        for matcher in entry.matchers:
            if isinstance(matcher, EnglishAddress):
                assert type(matcher) is EnglishAddress
                assert matcher == EnglishAddress(**matcher._asdict())
                assert len(matcher) == len(EnglishAddress._fields)
