"""The phone detector's shortcut past phonenumbers' matcher: where it says a window holds
one plain mainland mobile (138-0013-8000 between quiet characters), the matcher says the
same of that window, whatever regions follow CN."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import phones

_CONTEXT = st.text(
    alphabet=st.sampled_from(
        list(" :：,，。、；;！？联系方式电话您好請㐀豈abcxyzPACT0123456789#()+-./@$%*\t\n")
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from("3456789"),
    st.integers(0, 10**9 - 1),
    st.sampled_from(" -"),
    _CONTEXT,
    _CONTEXT,
)
@example("3", 800138000, "-", "系方式:", "Plea")
@example("3", 800138000, " ", "ct: ", "如有疑问")
def test_a_plain_mobile_is_what_the_matcher_reports(
    second: str, rest: int, sep: str, before: str, after: str
) -> None:
    digits = f"1{second}{rest:09d}"
    number = f"{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}"
    window = before + number + after
    span = (len(before), len(before) + len(number))
    if phones._plain_mobile(window, *span):
        for regions in (("CN", "US", "GB"), ("CN",)):
            assert phones._match_window.__wrapped__(window, regions) == (span,)
