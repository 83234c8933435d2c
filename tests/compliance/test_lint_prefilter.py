"""The lint's literal prefilter never changes a verdict: every match of a phrase contains
one of its required literals, and the prefiltered linter finds exactly what searching
every phrase on every text finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance import lint
from notifysdk.compliance.lint import Linter, LintFinding
from notifysdk.compliance.literals import required_literals
from notifysdk.compliance.phrases import PHRASES


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", {"abc"}),
        ("foo|bar", {"foo", "bar"}),
        (r"\bkill(?:s|ed)? (?:you|u)\b", {"kill"}),
        ("(?:ab|cd)xyz", {"xyz"}),  # the longer requirement wins
        ("x(?:ab|cd)", {"ab", "cd"}),
        ("(?:abc)+", {"abc"}),
        ("a.{0,2}b", {"a"}),
        ("(?:abc)?", None),
        ("[ab]+", None),
        ("(?i)abc", None),
        ("x(?i:abc)", {"x"}),
        ("(?:ab|[cd])", None),  # an alternative that requires nothing
    ],
)
def test_required_literals(pattern: str, expected: set[str] | None) -> None:
    got = required_literals(pattern)
    assert (None if got is None else set(got)) == expected


def test_a_case_insensitive_pattern_has_no_prefilter() -> None:
    assert required_literals("abc", re.IGNORECASE) is None


def test_every_phrase_has_a_prefilter() -> None:
    """Not needed for correctness, but a phrase without one is searched on every text."""
    assert all(c.literals for c in lint._compiled())


def _reference(text: str, redact: tuple[str, ...] = ()) -> list[LintFinding]:
    """Every phrase searched on every text it applies to, with no prefilter."""
    norm = lint.normalize(lint.strip_quoted(text))
    for value in redact:
        v = lint.normalize(value).strip()
        if len(v) >= 2:
            norm = norm.replace(v, " ")
    squeezed = lint._NOT_CJK_OR_ALNUM.sub("", norm)
    leet = norm
    for digit, letter in lint._LEET_PAIRS:
        leet = leet.replace(digit, letter)
    found = []
    for c in lint._compiled():
        if c.phrase.lang == "zh":
            hit = c.regex.search(squeezed)
        else:
            hit = c.regex.search(norm) or c.regex.search(leet)
        if hit:
            found.append(LintFinding(c.phrase.id, c.phrase.category, "body"))
    return found


_EXAMPLES = [e for p in PHRASES for e in p.examples]
_SUBSTITUTED = [e.replace("o", "0").replace("i", "1").replace("a", "@") for e in _EXAMPLES]
_NOISE = st.text(
    alphabet=st.sampled_from([*"abcdefiklmnorstuwy013457@$! .,-_*'\n", "您", "的", "杀"]),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_EXAMPLES), st.sampled_from(_SUBSTITUTED), _NOISE),
        max_size=5,
    )
)
def test_the_prefiltered_linter_finds_what_the_reference_finds(pieces: list[str]) -> None:
    text = " ".join(pieces)
    assert Linter().check(text) == _reference(text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(lint._compiled())), st.data())
def test_every_match_contains_a_required_literal(compiled: object, data: st.DataObject) -> None:
    assert isinstance(compiled, lint._Compiled)
    literals = compiled.literals
    assert literals is not None
    chars = sorted({ch for lit in literals for ch in lit} | set(" -_0@$"))
    text = data.draw(
        st.one_of(
            st.sampled_from(compiled.phrase.examples).map(lint.normalize),
            st.text(alphabet=st.sampled_from(chars), max_size=30),
        )
    )
    if compiled.regex.search(text):
        assert any(lit in text for lit in literals)


def test_names_are_still_blanked_before_the_prefilter() -> None:
    text = "Dear Idiot Smith, your loan is overdue."
    assert Linter().check(text) != []
    assert Linter().check(text, redact=["Idiot Smith"]) == []
    assert _reference(text, ("Idiot Smith",)) == []
