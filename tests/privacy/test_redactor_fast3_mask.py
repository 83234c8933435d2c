"""``Redactor.mask`` runs the detectors itself (``detect`` inlined, its prescan's folded
text reused for the masked pieces) and takes a single finding as carried as written when
its kind is: it must give what the plain definition gives, written out here from the
documented steps (detect, merge, mask what the level may not carry as written, report
forbidden kinds and what the leak guard still finds).
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from pii_corpus import corpus

from notifysdk.privacy import KnownValues, Level, Redaction, Redactor, default_detectors
from notifysdk.privacy.redactor import Style, _all_raw, _replacement, merge_findings
from notifysdk.privacy.rescan import WHOLE_BELOW

PLAIN = Redactor(default_detectors())
PUBLIC = Redactor(default_detectors(), public=("95588", "+86 138 0013 8000", "service@bank.cn"))
KNOWN = KnownValues.expand(
    [
        ("name", "张伟"),
        ("loan_id", "LN202600000001"),
        ("amount", "1246.80"),
        ("phone", "+8613800138000"),
        ("address", "上海市浦东新区世纪大道100号"),
    ]
)
PIECES = (
    "您好，",
    "张伟",
    "伟",
    "应还¥1,246.80。",
    "13800138000",
    "+86 138 0013 8000",
    "138-0013-8000",
    "95588",
    "110105199003071234",
    "6222 0213 8001 3800 123",
    "service@bank.cn",
    "user1@example.com",
    "SSN 536-90-4399",
    "出生日期 1990-03-07",
    "微信号 zhang_wei88",
    "LN202600000001",
    "+1 415-555-0143",
    "订单号DD202412345678",
    "2025-03-12 10:30",
    " contact: ",
    "上海市浦东新区世纪大道100号",
    "\\u5f20\\u4f1f",
    " ",
    "\n",
    "，",
)


def plain_mask(
    red: Redactor, text: str, level: Level, known: KnownValues, style: Style
) -> Redaction:
    """``mask`` as documented, for a text the leak guard scans whole."""
    rule = red.rule(level)
    raw = red.detect(text, known)
    if not raw:
        return Redaction(text, ())
    findings = merge_findings(raw)
    out: list[str] = []
    replacements: list[str] = []
    pos = 0
    for f in findings:
        value = text[f.start : f.end]
        if rule.allows_raw(f.kind) and _all_raw(f, raw, rule):
            replacements.append(value)
            continue
        masked_value = _replacement(f, value, style)
        replacements.append(masked_value)
        out += [text[pos : f.start], masked_value]
        pos = f.end
    leaks = [f for f in raw if rule.forbids(f.kind)]
    if not pos:
        return Redaction(text, tuple(findings), tuple(leaks), tuple(replacements))
    masked = "".join([*out, text[pos:]])
    leaks += red.leaks(masked, level, known)
    return Redaction(masked, tuple(findings), tuple(leaks), tuple(replacements))


def _check(text: str) -> None:
    assert len(text) < WHOLE_BELOW
    for red in (PLAIN, PUBLIC):
        for known in (None, KNOWN):
            for level in Level:
                for style in ("mask", "hash"):
                    got = red.mask(text, level, known, style=style)
                    want = plain_mask(red, text, level, known or KnownValues(), style)
                    assert got == want, (text, level, style)


def _texts() -> list[str]:
    rng = random.Random(31)
    samples = [s.text for s in corpus()]
    out = list(samples)
    for _ in range(150):
        out.append("".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 6))))
    return out


def test_mask_is_the_plain_definition_on_the_corpus() -> None:
    for text in _texts():
        _check(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6))
def test_mask_is_the_plain_definition_on_pieces(pieces: list[str]) -> None:
    _check("".join(pieces))


def test_one_finding_carried_as_written() -> None:
    # Full disclosure carries a phone number as written: one finding, no merging, no
    # masking, no guard; the same finding inside a wider one is masked.
    text = "请致电13800138000"
    got = PLAIN.mask(text, Level.FULL)
    assert got.text == text and got.replacements == ("13800138000",)
    assert got == plain_mask(PLAIN, text, Level.FULL, KnownValues(), "mask")
