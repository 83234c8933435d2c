"""The per-account scope helpers build their strings without ``scope``'s cache, and the
carrier-links rule skips texts with no dot before a letter: both must say exactly what
the general path says (``scope(...)`` with the same parts; a search of ``_URL``)."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance import scopes as sc
from notifysdk.compliance.rules import carrier

_PART = st.text(alphabet=st.sampled_from("abcXYZ019 :%/._~-*+@中文é"), min_size=1, max_size=12)
_COUNTER = st.one_of(st.sampled_from(list(sc.Counter)), _PART)


@settings(max_examples=300, deadline=None)
@given(counter=_COUNTER, institution=_PART, loan=_PART, person=_PART, value=_PART)
def test_scope_helpers_equal_scope(
    counter: str, institution: str, loan: str, person: str, value: str
) -> None:
    debtor = SimpleNamespace(person_id=person + "d")
    account: object = SimpleNamespace(institution=institution, loan_id=loan, debtor=debtor)
    who: object = SimpleNamespace(person_id=person)
    a, p = account, who
    c = str(counter)
    assert sc.debt_scope(counter, a) == sc.scope(c, "debt", institution, sc.pseudonym(loan))  # type: ignore[arg-type]
    assert sc.debtor_scope(counter, a) == sc.scope(c, "debtor", institution, person + "d")  # type: ignore[arg-type]
    assert sc.debtor_scope(counter, a, p) == sc.scope(c, "debtor", institution, person)  # type: ignore[arg-type]
    assert sc.person_scope(counter, a, p) == sc.scope(c, "person", institution, person)  # type: ignore[arg-type]
    assert sc.number_scope(counter, value) == sc.scope(c, "number", sc.pseudonym(value))
    assert sc.address_scope(counter, value) == sc.scope(c, "address", sc.pseudonym(value))
    assert sc.notice_scope(value, a) == sc.scope(  # type: ignore[arg-type]
        f"notice.{value}", "debt", institution, sc.pseudonym(loan)
    )
    for dest in (value, "+" + value):
        per = "number" if dest.startswith("+") else "address"
        assert sc.optout_scope(value, dest) == sc.scope(f"optout.{value}", per, sc.pseudonym(dest))
        assert sc.optin_scope(value, dest) == sc.scope(f"optin.{value}", per, sc.pseudonym(dest))


_LINK_PIECES = st.sampled_from(
    ["http://", "https://", "HTTPS://", ".", "com", "cn", "CoM", "ſ", "K", "ı", "a", "Z", "9",
     "-", "_", "@", "【", "中", " ", "1,246.80", "www", "example", ".ly", "x.", "..", "/", "é",
     "ｃｏｍ", "．"]
)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(_LINK_PIECES, max_size=14).map("".join))
def test_links_prefilter_keeps_every_link(text: str) -> None:
    found = [(m.group("host") or m.group("bare")).lower() for m in carrier._URL.finditer(text)]
    assert carrier.links(text) == found
