"""The leak guard's windowed second look: on long texts it scans only around what was
replaced, and must report exactly what a scan of the whole masked text reports."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifysdk.channels import Disclosure
from notifysdk.privacy import KnownValues, Redactor, default_detectors
from notifysdk.privacy.disclosure import rule_for
from notifysdk.privacy.findings import Finding
from notifysdk.privacy.redactor import Redaction
from notifysdk.privacy.rescan import MARGIN, WHOLE_BELOW, windows

FILLER = (
    "本通知由系统自动发送，请勿回复。",
    "Please contact us to agree a repayment plan. ",
    "如有疑问请联系客服，工作日9:00-18:00。",
    "Meeting at 10:30, room 12. ",
)
CORPUS = Path(__file__).parent / "realtext"


PLAIN = ("本通知由系统自动发送。", "Please contact us to agree a repayment plan. ")
"""Prose without a comma (a line with one may be a CSV row: windows reach far above)."""


def _filler(rng: random.Random, size: int, pieces: tuple[str, ...] = FILLER) -> str:
    out: list[str] = []
    while sum(map(len, out)) < size:
        out.append(rng.choice(pieces))
        if rng.random() < 0.1:
            out.append("\n")
    return "".join(out)


def _corpus_texts() -> list[str]:
    rows = (CORPUS / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(r)["text"] for r in rows]


def _long_texts() -> Iterator[str]:
    rng = random.Random(13)
    texts = _corpus_texts()
    table = "name,phone,ssn\n" + "\n".join(
        f"Row {i},n/a,pending" for i in range(60)
    )  # a header far above the cell that follows it
    for n in range(12):
        parts = [_filler(rng, WHOLE_BELOW)]
        for _ in range(1 + n % 3):
            parts.append(rng.choice(texts))
            parts.append(_filler(rng, 3 * MARGIN))
        if n % 4 == 0:
            parts.insert(1, table + "\nAda,13800138000,536-90-4399\n")
        yield "\n".join(parts)


class _Stars:
    """A detector that finds runs of four asterisks: every mask it meets is a leak."""

    name = "stars"
    kind = "phone"
    _RUN = re.compile(r"\*{4,}")

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        for m in self._RUN.finditer(text):
            yield Finding(self.kind, m.start(), m.end(), self.name)


def _whole_guard(red: Redactor, text: str, masked: str, level: Disclosure) -> list[Finding]:
    """What the guard reported before windows: forbidden kinds of the input, then every
    leak :meth:`Redactor.leaks` finds in the whole masked text."""
    known = KnownValues()
    rule = rule_for(level)
    first = [f for f in red.detect(text, known) if rule.forbids(f.kind)]
    return first + red.leaks(masked, level, known)


def _masked_spans(text: str, out: Redaction) -> list[tuple[int, int]]:
    """Where the replacements stand in the masked text."""
    spans: list[tuple[int, int]] = []
    shift = 0
    for f, r in zip(out.findings, out.replacements, strict=True):
        if r != text[f.start : f.end]:
            spans.append((f.start + shift, f.start + shift + len(r)))
            shift += len(r) - (f.end - f.start)
    return spans


def test_short_texts_are_scanned_whole() -> None:
    assert windows("x" * (WHOLE_BELOW - 1), [(10, 20)]) is None


def test_windows_cover_each_replacement_with_context() -> None:
    text = "a" * 20_000
    spans = windows(text, [(5000, 5010), (15_000, 15_011)])
    assert spans == [(5000 - MARGIN, 5010 + MARGIN), (15_000 - MARGIN, 15_011 + MARGIN)]


def test_windows_take_whole_lines_and_the_table_above() -> None:
    table = "name,phone\n" + "x,y\n" * 400
    text = "z" * 3000 + "\n" + table + "\n" + "w" * 3000
    at = text.rindex("x,y")
    spans = windows(text, [(at, at + 1)])
    assert spans is not None
    (lo, hi), *_ = spans
    assert lo == text.index("name,phone")  # the header, far above the window's margin
    assert hi >= at + 1 + MARGIN


def test_a_dense_text_is_scanned_whole() -> None:
    text = "a" * 3000
    assert windows(text, [(i, i + 1) for i in range(0, 3000, 500)]) is None


def test_a_leak_near_a_replacement_in_a_long_text_is_reported() -> None:
    rng = random.Random(1)
    text = _filler(rng, 4 * WHOLE_BELOW, PLAIN) + " 13800138000 " + _filler(rng, 4 * WHOLE_BELOW)
    red = Redactor([*default_detectors(), _Stars()])
    out = red.mask(text, Disclosure.LIMITED)
    assert windows(out.text, [(len(text) // 2, len(text) // 2 + 1)]) is not None
    assert out.leaks, "the mask of the mobile number is itself detectable"
    assert out.leaks == tuple(_whole_guard(red, text, out.text, Disclosure.LIMITED))
    for f in out.leaks:
        assert "*" in out.text[f.start : f.end]


@pytest.mark.parametrize("level", [Disclosure.LIMITED, Disclosure.FULL])
def test_windowed_guard_reports_what_a_whole_scan_does(level: Disclosure) -> None:
    red = Redactor(default_detectors())
    windowed = 0
    for text in _long_texts():
        out = red.mask(text, level)
        if out.text != text and windows(out.text, _masked_spans(text, out)) is not None:
            windowed += 1
        assert list(out.leaks) == _whole_guard(red, text, out.text, level)
    assert windowed, "no text took the windowed path"


def test_windows_reach_the_csv_header_a_phone_cell_looks_for() -> None:
    # Rows with fewer cells than the header are no table for :func:`columns`, but the
    # phone detector still reads the first comma line above a cell as its header.
    rows = "phone,name,note\n" + ("a" * 20 + "," + "b" * 20 + "\n") * 30
    text = "z" * 3000 + "\n" + rows + "w" * 3000
    at = text.rindex("a,b")
    assert text.index("phone,name") < at - MARGIN - 100  # beyond the window's margin
    spans = windows(text, [(at, at + 1)])
    assert spans is not None
    assert spans[0][0] == text.index("phone,name")


def test_a_comma_run_naming_no_phone_keeps_the_window_short() -> None:
    # Lines with fewer and fewer commas: no table, but a run the phone detector's CSV
    # search walks up; none names a phone, so the window need not reach its top.
    prose = "".join(
        "，".join(["请尽快还款"] * (k + 1)) + "。" * 150 + "\n" for k in range(9, 0, -1)
    )
    text = "z" * 3000 + "\n" + prose + "w" * 3000
    at = text.rindex("请尽快")
    assert text.index("请尽快") < at - MARGIN - 100
    spans = windows(text, [(at, at + 1)])
    assert spans is not None
    assert spans[0][0] > text.index("请尽快")
