"""The lint's further clauses (every match has one string of each of them, besides one
of the phrase's required literals) never change a verdict: each clause is sound, and the
linter finds what searching every phrase on every text finds, on texts built from the
halves the clauses split phrases into (联系 without 单位, 单位 without 联系...)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance import lint
from notifysdk.compliance.lint import Linter, LintFinding
from notifysdk.compliance.literals import required_clauses


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", [{"abc"}]),
        ("(?:ab|cd)xyz", [{"ab", "cd"}, {"xyz"}]),
        ("(?:ab|cd)(?:ef|gh)", [{"ab", "cd"}, {"ef", "gh"}]),
        ("ab|c(?:dd|ee)f", [{"ab", "dd", "ee"}, {"ab", "c"}, {"ab", "f"}]),
        ("ab|[cd]", []),
        ("(?:abc)?x", [{"x"}]),
        ("(?i)abc", []),
        ("x(?i:abc)", [{"x"}]),
    ],
)
def test_required_clauses(pattern: str, expected: list[set[str]]) -> None:
    got = [set(c) for c in required_clauses(pattern)]
    assert sorted(map(sorted, got)) == sorted(map(sorted, expected))


def test_the_contacts_phrase_needs_both_halves() -> None:
    (contacts,) = [c for c in lint._compiled() if c.phrase.id == "zh-contacts"]
    assert contacts.also  # 联系 alone does not run the search
    assert not lint._has_all(contacts.also, "请尽快还款或联系我们协商还款计划")
    assert Linter().check("请联系我们") == []
    assert [f.phrase for f in Linter().check("我们会联系你的单位")] == ["zh-contacts"]


def _clause_strings(c: lint._Compiled) -> list[str]:
    out: list[str] = []
    for clause in c.also:
        if isinstance(clause, str):
            out.append(clause)
        else:
            out.extend(re.findall(r"[^\W\d_]+|\d+", clause.pattern.replace("?:", "")))
    return out


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([c for c in lint._compiled() if c.also]), st.data())
def test_every_match_has_a_string_of_each_clause(compiled: object, data: st.DataObject) -> None:
    assert isinstance(compiled, lint._Compiled)
    pieces = sorted({*(compiled.literals or ()), *_clause_strings(compiled)})
    text = data.draw(
        st.one_of(
            st.sampled_from(compiled.phrase.examples).map(lint.normalize),
            st.lists(st.sampled_from([*pieces, " ", "你", "的", "-"]), max_size=8).map("".join),
            st.lists(st.sampled_from([*pieces, " ", "your ", "the "]), max_size=8).map(" ".join),
        )
    )
    if compiled.regex.search(text):
        assert lint._has_all(compiled.also, text)


def _reference(text: str) -> list[LintFinding]:
    """Every phrase searched on every text it applies to, with no prefilter."""
    norm = lint.normalize(lint.strip_quoted(text))
    squeezed = lint._NOT_CJK_OR_ALNUM.sub("", norm)
    leet = norm
    for digit, letter in lint._LEET_PAIRS:
        leet = leet.replace(digit, letter)
    found = []
    for c in lint._compiled():
        if c.squeezed:
            hit = c.regex.search(squeezed)
        else:
            hit = c.regex.search(norm) or c.regex.search(leet)
        if hit:
            found.append(LintFinding(c.phrase.id, c.phrase.category, "body"))
    return found


_HALVES = sorted({s for c in lint._compiled() for s in (*(c.literals or ()), *_clause_strings(c))})


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_HALVES),
            st.sampled_from([e for c in lint._compiled() for e in c.phrase.examples]),
            st.sampled_from(["你的", "您", " ", "我们", "k1ll", "0", "*"]),
        ),
        max_size=6,
    ),
    st.sampled_from(["", " ", "*"]),
)
def test_the_linter_finds_what_the_reference_finds(pieces: list[str], sep: str) -> None:
    text = sep.join(pieces)
    assert Linter().check(text) == _reference(text)
