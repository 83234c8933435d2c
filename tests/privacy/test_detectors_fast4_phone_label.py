"""The phone label look-back of issue 13 (fourth pass) held to the one first written:
:func:`~notifysdk.privacy.phones._label_before` tries the label pattern only at hints
from where a label could end in the run of characters the pattern may match after its
label; before every position of label, glue and prose soups (cases that match ASCII
letters under IGNORECASE included) and of the real-text corpus, it answers as the
search over the whole reach did."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import phones
from notifysdk.privacy.text import fold


def _label_before_as_first_written(folded: str, start: int) -> bool:
    hay, hints = phones._hint_text(folded)
    hint = hints.search(hay, max(0, start - phones._LABEL_REACH), start)
    while hint is not None:
        at = hint.start()
        if phones._LABEL_BEFORE.match(folded, at, start) is not None:
            return True
        hint = hints.search(hay, at + 1, start)
    return False


_PIECES = (
    "tel",
    "Tel:",
    "TELEPHONE",
    "phone",
    "Phone number: ",
    "mobile",
    "call me at ",
    "callback",
    "Call-Back",
    "wrong number",
    "wrong_party",
    "whatsapp",
    "whatſapp",
    "ſms",
    "dıal",
    "DİAL",
    "hong kong",
    "HK",
    "voicemail",
    "reachable",
    "contact",
    "电话",
    "手机号码：",
    "联系方式",
    "致电",
    "香港",
    " ",
    "\t",
    ":",
    "：",
    "=",
    "#",
    "(",
    "-",
    '"',
    "'",
    "_",
    ",",
    ".",
    "、",
    ";",
    "/",
    " or ",
    " and ",
    "或",
    "和",
    "号",
    "是",
    "为",
    "is",
    "at",
    "on",
    "me",
    "us",
    "him",
    "her",
    "no",
    "nr",
    "number",
    "88881234",
    "6688 1234",
    "2025550143",
    "13800138000",
    "Order #",
    "agree a repayment plan",
    "please",
    "of",
    "x",
    "订单",
    "\n",
)
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=20).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
@example("Please contact us to agree a repayment plan. Order #12345678")
@example("wrong_number is 88881234")
@example("Tel: 88881234、6688 1234 or 2025550143")
@example("电话号码是88881234")
@example("whatſapp " + "is " * 30 + "88881234")
@example("x wrong number 88881234")
@example("wrong_number88881234")
def test_the_label_look_back_is_the_one_first_written(text: str) -> None:
    folded = fold(text)
    for start in range(len(folded) + 1):
        assert phones._label_before(folded, start) == _label_before_as_first_written(
            folded, start
        ), (text, start)


def test_the_real_text_corpus_reads_as_before() -> None:
    here = Path(__file__).parent / "realtext"
    for split in ("dev", "holdout"):
        for line in (here / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            folded = fold(json.loads(line)["text"])
            for start in range(len(folded) + 1):
                if start == len(folded) or folded[start].isdigit():
                    assert phones._label_before(folded, start) == (
                        _label_before_as_first_written(folded, start)
                    )


@settings(max_examples=600, deadline=None)
@given(st.from_regex(phones._LABEL_FIELD, fullmatch=True))
def test_no_label_is_longer_than_the_bound(label: str) -> None:
    assert len(label) <= phones._LABEL_LONGEST


def test_the_longest_labels() -> None:
    for label in ("wrong_number", "wrong number", "hong kong", "voicemail", "telephone"):
        m = phones._LABEL_FIELD.fullmatch(label)
        assert m is not None and len(label) <= phones._LABEL_LONGEST, label
