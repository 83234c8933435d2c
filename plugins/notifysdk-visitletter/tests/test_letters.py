"""Visit and summons letters as real PDFs, checked with poppler's pdftotext/pdftoppm."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Account, NoticeKind, OutcomeStatus
from notifysdk.testing import sample_account

from .conftest import book, letter_notice, pdftotext, poppler

EXPECT = {
    ("visit_letter", "zh-CN"): [
        "上门通知函",
        "函号：VL-20260105-",
        "欠款明细",
        "¥1,246.80",
        "分3期按月还款",
        "王强",
        "工号 S-1001",
        "全程录音录像",
        "合法合规声明",
        "投诉渠道",
        "400-800-1234",
        "2026年1月8日 星期四 10:00",
    ],
    ("summons_letter", "zh-CN"): [
        "约谈通知函",
        "函号：SL-20260105-",
        "约谈时间",
        "¥1,246.80",
        "约谈工作人员",
        "Li Na",
        "合法合规声明",
        "投诉渠道",
    ],
    ("visit_letter", "en"): [
        "Notice of a home visit",
        "Letter No. VL-20260105-",
        "What is owed",
        "¥1,246.80",
        "3 monthly instalments",
        "Staff ID S-1001",
        "王强",
        "recorded on audio and video",
        "Statement of lawful conduct",
        "Complaints",
        "Thursday 8 January 2026, 10:00",
    ],
    ("summons_letter", "en"): [
        "Invitation to a meeting about your loan",
        "Letter No. SL-",
        "Meeting time",
        "Staff attending",
        "Complaints",
    ],
}
DEBT_WORDS = re.compile(
    r"逾期|欠款|债|还款|催收|借款|金额|通知函|上门|约谈|¥|\$|\d[\d,]*\.\d\d|"
    r"(?i:debt|loan|overdue|owe|amount|collect|repay|visit|meeting|notice)"
)


@pytest.mark.parametrize(("kind", "locale"), sorted(EXPECT))
async def test_letter_text_and_envelope(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
    kind: str,
    locale: str,
) -> None:
    account = sample_account(3, locale=locale) if locale == "en" else cn_account
    d = make_dispatcher()
    await book(d, account, clock)
    outcome = await d.send(letter_notice(account, NoticeKind(kind), locale=locale))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    pdf = Path(outcome.receipt.detail["path"])
    assert pdf.read_bytes().startswith(b"%PDF")
    assert outcome.receipt.detail["envelope_page"] == 1
    text = pdftotext(pdf)
    flat = " ".join(text.split())
    for expected in EXPECT[(kind, locale)]:
        assert " ".join(expected.split()) in flat, expected
    envelope = pdftotext(pdf, page=1)
    assert account.debtor.name in envelope and "3 Sample Road" in envelope
    assert not DEBT_WORDS.search(envelope), DEBT_WORDS.findall(envelope)
    letter = pdftotext(pdf, page=2)
    assert account.debtor.name in letter and "¥1,246.80" in letter


async def test_pages_render_to_png_with_embedded_fonts(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
    tmp_path: Path,
) -> None:
    d = make_dispatcher()
    await book(d, cn_account, clock)
    outcome = await d.send(letter_notice(cn_account))
    assert outcome.receipt is not None
    pdf = Path(outcome.receipt.detail["path"])
    fonts = subprocess.run(
        [poppler("pdffonts"), str(pdf)], capture_output=True, check=True, text=True, timeout=60
    ).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
    assert rows and all(r[-5:-2] == ["yes", "yes", "yes"] for r in rows), fonts  # emb sub uni
    done = subprocess.run(
        [poppler("pdftoppm"), "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert b"Missing" not in done.stderr and b"Error" not in done.stderr, done.stderr
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == outcome.receipt.detail["pages"] >= 2
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 2000 for p in pngs)


async def test_a_character_no_font_can_draw_fails_instead_of_tofu(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
) -> None:
    d = make_dispatcher()
    await book(d, cn_account, clock)
    staff = [{"name": "王强\U0001f600", "staff_id": "S-1"}, {"name": "李娜", "staff_id": "S-2"}]
    outcome = await d.send(letter_notice(cn_account, staff=staff))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "MissingGlyphError"
    assert outcome.reason is not None and "U+1F600" in outcome.reason
    assert "王强" not in outcome.reason
