"""The shortcuts of the redaction fast path say exactly what the long way says: a
detector's ``may_find`` is False only where it finds nothing, the leak guard that skips
detectors whose kinds a level carries reports what a full scan reports, and the phone
detector's narrowed searches find what whole-text searches find."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from notifysdk.privacy import (
    KnownValues,
    Level,
    Redactor,
    default_detectors,
    merge_findings,
    phones,
)
from notifysdk.privacy.disclosure import rule_for
from notifysdk.privacy.prescan import Prescan, longest_number, number_stretches
from notifysdk.privacy.text import fold

CORPUS = Path(__file__).parent / "realtext"
KNOWN = KnownValues.expand((("name", "张伟"), ("loan_id", "LN202600000001"), ("amount", "3500.00")))


def _texts() -> list[str]:
    texts = [
        json.loads(row)["text"]
        for name in ("dev.jsonl", "holdout.jsonl")
        for row in (CORPUS / name).read_text(encoding="utf-8").splitlines()
    ]
    rng = random.Random(7)
    pieces = [t[i : i + rng.randrange(20, 90)] for t in texts[:300] for i in range(0, len(t), 41)]
    crafted = [
        "欠款¥3,500.00 电话13800138000",  # money next to a phone number
        "¥13800138000元",  # a phone-shaped amount: money starts first and swallows it
        "contact: 138****8000、88881234",
        "tel 12345678****9 (+852) 9123 4567",
        "1234567x8901234 2026/03/07 10:30",
    ]
    return texts + pieces + crafted


TEXTS = _texts()


def test_may_find_is_false_only_where_nothing_is_found() -> None:
    gated = [d for d in default_detectors() if hasattr(d, "may_find")]
    assert len(gated) >= 14
    skipped = 0
    for text in TEXTS:
        scan = Prescan(text)
        for detector in gated:
            if not detector.may_find(scan):  # type: ignore[attr-defined]
                skipped += 1
                assert list(detector.find(text, KNOWN)) == [], (detector.name, text)
    assert skipped > len(TEXTS)  # the gates do skip work


def test_longest_number_bounds_every_digit_run() -> None:
    for text in TEXTS:
        folded = fold(text)
        runs = [len(m) for m in re.findall(r"[0-9]+", folded)]
        longest = max(runs, default=0)
        assert longest_number(folded) >= (longest if longest >= 7 else 0)
        for start, end, digits in number_stretches(folded):
            assert digits == sum(c.isdigit() for c in folded[start:end]) >= 7


@pytest.mark.parametrize("level", list(Level))
def test_the_guard_reports_what_a_full_scan_reports(level: Level) -> None:
    red = Redactor(default_detectors())
    rule = rule_for(level)
    for text in TEXTS:
        full = [f for f in merge_findings(red.detect(text, KNOWN)) if rule.leaks(f.kind)]
        assert red.leaks(text, level, KNOWN) == full, text


def test_a_carried_kind_still_swallows_what_it_overlaps() -> None:
    # At ``limited`` the amount is carried, so the money detector alone reports no leak;
    # when it overlaps another finding it still runs, and the merge decides as before.
    red = Redactor(default_detectors())
    text = "¥13800138000元"
    full = [f for f in merge_findings(red.detect(text)) if rule_for(Level.LIMITED).leaks(f.kind)]
    assert red.leaks(text, Level.LIMITED) == full


def test_phone_candidates_are_those_of_a_whole_search() -> None:
    for text in TEXTS:
        folded = fold(text)
        whole = [
            m.span()
            for m in phones._CANDIDATE.finditer(folded)
            if sum(c.isdigit() for c in m.group()) >= 7
        ]
        narrowed = [
            m.span() for m in phones._candidates(folded) if sum(c.isdigit() for c in m.group()) >= 7
        ]
        assert narrowed == whole, text


def test_the_label_hint_finds_every_label_the_pattern_finds() -> None:
    checked = 0
    for text in TEXTS:
        folded = fold(text)
        for end in range(0, len(folded) + 1, 4):
            lo = max(0, end - phones._LABEL_REACH)
            expected = phones._LABEL_BEFORE.search(folded, lo, end) is not None
            assert phones._label_before(folded, end) == expected, (text, end)
            checked += expected
    assert checked > 50


def test_every_bare_id_hint_holds_the_shared_shape() -> None:
    from notifysdk.privacy import accounts, gov_ids
    from notifysdk.privacy.prescan import _ID_SHAPES

    hints = (gov_ids._SSN_HINT, gov_ids._NINO_HINT, gov_ids._HKID_HINT, gov_ids._TW)
    texts = ["AB 12 34 56 C", "A123456(3)", "A123456789", "GB29NWBK60161331926819"]
    for text in [*TEXTS, *texts]:
        folded = fold(text)
        for hint in (*hints, accounts._IBAN):
            if hint.search(folded) is not None:
                assert _ID_SHAPES.search(folded) is not None, (hint.pattern, text)


def test_the_masked_texts_fold_is_put_together_right() -> None:
    # The guard's detectors read the fold the redactor assembled for the masked text.
    from notifysdk.privacy import text as folding

    red = Redactor(default_detectors())
    changed = 0
    for text in TEXTS:
        for level in (Level.LIMITED, Level.LOG):
            masked = red.mask(text, level, KNOWN).text
            if masked != text and not masked.isascii():
                changed += 1
                assert folding.fold(masked) == masked.translate(folding._TABLE), text
    assert changed > 100


def _label_before_ignoring_case(folded: str, start: int) -> bool:
    hint = phones._LABEL_HINT.search(folded, max(0, start - phones._LABEL_REACH), start)
    while hint is not None:
        if phones._LABEL_BEFORE.match(folded, hint.start(), start) is not None:
            return True
        hint = phones._LABEL_HINT.search(folded, hint.start() + 1, start)
    return False


def test_phone_labels_are_looked_for_in_the_lower_cased_text_as_ignoring_case() -> None:
    rng = random.Random(5)
    odd = ["\u0130", "\u0131", "\u017f", "\u212a"]  # what IGNORECASE maps to i, s, k
    labels = ["Tel: ", "PHONE ", "Mobile no. ", "ſms ", "\u212aontact ", "電話：", "Call Me At "]
    texts = list(TEXTS[:400])
    for _ in range(400):
        label = rng.choice(labels)
        label = "".join(c.upper() if rng.random() < 0.5 else c for c in label)
        texts.append(rng.choice(["", "x ", rng.choice(odd)]) + label + "88881234 or 2025550143")
    checked = 0
    for text in texts:
        folded = fold(text)
        for m in re.finditer(r"[0-9]{7,}", folded):
            assert phones._label_before(folded, m.start()) == _label_before_ignoring_case(
                folded, m.start()
            ), text
            checked += 1
    assert checked > 800
