"""The section format shared by scripts and letters."""

from __future__ import annotations

import pytest

from notifysdk.errors import TemplateError
from notifysdk_callscript.script import structure_problems
from notifysdk_callscript.sections import parse_sections, to_html, to_markdown

TEXT = """<!-- section: opening -->
## Opening
> Hello <there> & welcome
- a note
- Total | $5.00
- [ ] recording on
plain text
"""


def test_parse_kinds_and_round_trip() -> None:
    (s,) = parse_sections(TEXT)
    assert s.id == "opening" and s.title == "Opening"
    assert [ln.kind for ln in s.lines] == ["say", "item", "row", "check", "text"]
    assert (s.lines[2].label, s.lines[2].value) == ("Total", "$5.00")
    again = parse_sections(to_markdown((s,)))
    assert [ln.kind for ln in again[0].lines] == ["say", "item", "row", "check", "text"]
    assert again[0].lines[2].value == "$5.00"


def test_html_is_escaped() -> None:
    html = to_html(parse_sections(TEXT), title="t", lang="en")
    assert "Hello &lt;there&gt; &amp; welcome" in html and "<there>" not in html


@pytest.mark.parametrize(
    "bad",
    [
        "text first\n<!-- section: a -->",
        "no markers at all",
        "<!-- section: a -->\nx\n<!-- section: a -->\ny",
    ],
)
def test_malformed_text_is_a_template_error(bad: str) -> None:
    with pytest.raises(TemplateError):
        parse_sections(bad)


def test_disclosure_before_identity_check_is_a_structure_problem() -> None:
    text = "\n".join(
        f"<!-- section: {s} -->\n> say"
        for s in (
            "opening",
            "amounts",
            "identity_check",
            "disclosures",
            "repayment_options",
            "objections",
            "never_say",
            "closing",
        )
    )
    problems = structure_problems("appointment_call", parse_sections(text))
    assert any("amounts before the identity check" in p for p in problems)
    assert any("out of order" in p for p in problems)


def test_location_script_may_not_carry_debt_sections() -> None:
    text = "\n".join(
        f"<!-- section: {s} -->\n> say"
        for s in ("opening", "location_question", "amounts", "never_say", "closing")
    )
    problems = structure_problems("location_call", parse_sections(text))
    assert problems == ["section(s) not allowed in a location script: amounts"]
