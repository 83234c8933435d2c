"""Memoised scopes are the scopes: quoting as ``urllib.parse.quote`` does, and a counter
given as its enum or as its text builds the same string."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from notifysdk.compliance import scopes as sc


@given(st.text(max_size=12))
def test_quoting_is_urllib_quote(part: str) -> None:
    assert sc._q(part) == quote(part, safe="")


@given(st.text(min_size=1, max_size=8), st.text(max_size=8))
def test_a_scope_is_its_quoted_parts(institution: str, ident: str) -> None:
    got = sc.scope(sc.Counter.CALL, sc.Per.DEBT, institution, ident)
    assert got == ":".join(quote(p, safe="") for p in ("call", "debt", institution, ident))
    assert sc.scope("call", "debt", institution, ident) == got
    assert sc.parse_scope(got) == ("call", "debt", (institution, ident))
