"""The gates that read more than the text: the known-value detector's (the account's
values, each as the normal form may have written it) and the Chinese-mobile detector's
(a 1 and then 3-9, or wide separators). A gate is False only where ``find`` finds
nothing; and the gates do skip work, or they would be worth nothing."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from notifysdk.privacy import ChineseMobileDetector, KnownValues, KnownValuesDetector
from notifysdk.privacy.known_match import probe_of
from notifysdk.privacy.prescan import Prescan

CORPUS = Path(__file__).parent / "realtext"

ACCOUNTS = {
    "name and loan id": KnownValues((("name", "张伟"), ("loan_id", "LN202600000001"))),
    "expanded, with amounts": KnownValues.expand(
        (
            ("name", "張偉"),
            ("name", "Sophie Bennett"),
            ("loan_id", "CL-2023-1807783"),
            ("amount", "27851.92"),
            ("phone", "+8613800138000"),
            ("national_id", "110105199003071234"),
            ("email", "zhang.wei@example.com"),
        )
    ),
    "given name alone": KnownValues((("name", "伟"), ("name", "国庆"))),
    "latin only": KnownValues((("name", "José Kelvin"), ("loan_id", "ab 12"))),
    "with an address": KnownValues.expand(
        (("name", "李娜"), ("address", "Flat 22, 1983 Cedar Avenue, Manchester M10 6YF"))
    ),
}

# Every way the normal form lets a value be written differently: Traditional
# characters, full-width letters, case, spaces and dots between CJK characters, JSON
# escapes, the Kelvin sign and a dotted capital I (which lower-case to ASCII).
CRAFTED = [
    "客户張偉已还款",
    "客户张 伟已还款",
    "客户张·伟已还款",
    "客户\\u5f20\\u4f1f已还款",
    "loan ＬＮ２０２６０００００００１ overdue",
    "loan Ln202600000001 overdue",
    "SOPHIE  BENNETT called",
    "sophie\tbennett called",
    "ref cl-2023-1807783",
    "JOSÉ \u212aELVIN",
    "jos\u00e9 kelvin",
    "\u0130 kelvin",
    "小伟你好",
    "阿伟，伟哥，伟伟",
    "国庆快乐",
    "应还 27,851.92 元",
    "欠款两万七千八百五十一元",
    "欠款兩萬元",
    "13800138000",
    "+86 138 0013 8000",
    "138  0013  8000",
    "138/0013/8000",
    "一三八零零一三八零零零",
    "幺三八 零零一三 八零零零",
    "+1 415-555-0143 and 2025-03-07 10:30",
    "Order #62492024 shipped on 2024-03-19.",
    "zhang.wei@example.com",
    "Flat 22, 1983 Cedar Avenue",
    "nothing personal here",
    "",
]


def _texts() -> list[str]:
    rows = [
        json.loads(line)["text"]
        for name in ("dev.jsonl", "holdout.jsonl")
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()
    ]
    rng = random.Random(11)
    pieces = [t[i : i + rng.randrange(10, 70)] for t in rows[:200] for i in range(0, len(t), 37)]
    return CRAFTED + rows + pieces


TEXTS = _texts()


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_known_gate_is_false_only_where_nothing_is_found(account: str) -> None:
    known = ACCOUNTS[account]
    detector = KnownValuesDetector()
    skipped = 0
    for text in TEXTS:
        if not detector.may_find(Prescan(text, known)):
            skipped += 1
            assert list(detector.find(text, known)) == [], (account, text)
    if not probe_of(known.values).always:
        # The gate does skip work (with amounts known, only texts with no digit).
        assert skipped > 50, account


def test_known_gate_finds_each_spelling() -> None:
    detector = KnownValuesDetector()
    known = ACCOUNTS["expanded, with amounts"]
    for text in CRAFTED[:12]:
        found = list(detector.find(text, known))
        assert detector.may_find(Prescan(text, known)) or not found, text
    assert detector.may_find(Prescan("客户張偉已还款", known))
    assert detector.may_find(Prescan("JOS\u00c9 \u212aELVIN", ACCOUNTS["latin only"]))


def test_known_gate_without_values() -> None:
    detector = KnownValuesDetector()
    assert detector.may_find(Prescan("张伟"))  # values not given: it may find anything
    assert not detector.may_find(Prescan("张伟", KnownValues()))


def test_cn_mobile_gate_is_false_only_where_nothing_is_found() -> None:
    detector = ChineseMobileDetector()
    known = KnownValues()
    skipped = 0
    for text in TEXTS:
        if not detector.may_find(Prescan(text, known)):
            skipped += 1
            assert list(detector.find(text, known)) == [], text
    assert skipped > len(TEXTS) // 2
    # Eleven digits without a mobile's shape: an English text with a US number.
    assert not detector.may_find(Prescan("+1 415-555-0143, order 202412345678", known))
    assert detector.may_find(Prescan("order 202412345678 and 138/0013/8000", known))
