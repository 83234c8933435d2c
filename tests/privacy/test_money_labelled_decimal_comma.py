"""A money label before a number with a decimal comma (``欠款 12,50``, ``balance 12,50``).

The money detector read such a number as the European alternative of its number pattern,
which has no plain-number group, and raised AttributeError: ``Redactor.mask`` failed on the
text and the logging filter raised out of the caller's ``log.warning``. The label says
money as a currency sign would, so the number is an amount (masked where amounts are).
"""

from __future__ import annotations

import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.channels import Disclosure
from notifysdk.privacy import Level, Redactor, default_detectors
from notifysdk.redaction_logging import RedactingFilter

REDACTOR = Redactor(default_detectors())


def test_a_labelled_decimal_comma_is_an_amount() -> None:
    for text, value in (
        ("欠款 12,50", "12,50"),
        ("共计 97,80", "97,80"),
        ("balance 12,50", "12,50"),
        ("balance 1.234,50 due", "1.234,50"),
    ):
        found = REDACTOR.find(text)
        assert [(f.kind, text[f.start : f.end]) for f in found] == [("amount", value)], text
        masked = REDACTOR.mask(text, Level.LOG).text
        assert value not in masked, masked


def test_after_ordinal_di_it_counts_and_is_no_amount() -> None:
    assert REDACTOR.find("第12,50") == []


def test_the_logging_filter_does_not_raise_on_it() -> None:
    logger = logging.getLogger("notifysdk.tests.decimal_comma")
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Keep()
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("balance %s for %s", "12,50", "13800138000")
    finally:
        logger.removeHandler(handler)
    assert records and "12,50" not in records[0] and "13800138000" not in records[0]


_LABELS = st.sampled_from(["欠款", "应还", "共计", "余额", "balance ", "owed ", "amount due "])
_NUMBERS = st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{3}){0,2}[,.][0-9]{1,3}\Z").map(str.strip)


@settings(max_examples=300, deadline=None)
@given(
    before=st.sampled_from(["", "第", "您", " ", "x"]),
    label=_LABELS,
    gap=st.sampled_from(["", " ", "：", ": "]),
    number=_NUMBERS,
    after=st.sampled_from(["", "元", " EUR", "。", "k", "天", " due"]),
)
def test_mask_never_raises_on_a_labelled_number(
    before: str, label: str, gap: str, number: str, after: str
) -> None:
    text = f"{before}{label}{gap}{number}{after}"
    for level in (Disclosure.LIMITED, Level.LOG):
        REDACTOR.mask(text, level)
