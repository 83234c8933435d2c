"""The e-mail gate of issue 13 (fourth pass) held to its definition: it looks for a
spelt-out ``@`` itself (``contact`` and ``date`` hold the letters ``at`` and no marker),
says no only where ``find`` finds nothing, and ``find`` reads the gate's matches, which
are those of the pattern's own search."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import EmailDetector, KnownValues, emails
from notifysdk.privacy.prescan import Prescan
from notifysdk.privacy.text import fold

_NO_VALUES = KnownValues()
_PIECES = (
    "at",
    "AT",
    "At",
    "aT",
    " at ",
    "[at]",
    "(at)",
    "{ at }",
    "<AT>",
    "艾特",
    "艾",
    "特",
    "@",
    "＠",
    " @ ",
    "li",
    "li_na88",
    "john",
    "contact",
    "date",
    "example",
    "qq",
    " dot ",
    "[dot]",
    ".",
    "。",
    "点",
    "com",
    "cn",
    " ",
    "\t",
    "email:",
    "meet",
    "邮箱",
    "5",
)
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=16).map("".join)
DETECTOR = EmailDetector()


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
@example("please contact us")
@example("li at qq dot com")
@example("li [at] example [dot] com")
@example("张伟 艾特 example.com")
@example("email: li at qq dot com")
def test_the_gate_never_hides_an_address(text: str) -> None:
    found = list(DETECTOR.find(text, _NO_VALUES))
    if not DETECTOR.may_find(Prescan(text, _NO_VALUES)):
        assert found == [], text
    folded = fold(text)
    assert emails._spelt_ats(folded) == tuple(m.span() for m in emails._SPELT_AT.finditer(folded))


def test_letters_without_a_marker_do_not_open_the_gate() -> None:
    for text in ("Please contact us to agree a repayment plan.", "the date", "ATM"):
        assert not DETECTOR.may_find(Prescan(text, _NO_VALUES)), text
    for text in ("meet at 5", "li [at] qq.com", "a@b.cn", "张伟艾特qq.com"):
        assert DETECTOR.may_find(Prescan(text, _NO_VALUES)), text
