"""The number detectors' scans restricted to the prescan's number stretches find what the
whole-text scans they replaced found, and the unparsed North American check of a
labelled number says what parsing says.

Each reference below is the detector's loop as it was before the restriction (the area
pattern searched over the whole folded text); the detectors must yield the same findings,
in the same order."""

from __future__ import annotations

import random
from collections.abc import Iterator

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import numbers, phones
from notifysdk.privacy.findings import Finding, KnownValues
from notifysdk.privacy.text import fold

_KNOWN = KnownValues()


def _old_id_areas(folded: str) -> Iterator[tuple[int, int]]:
    for area in numbers._ID_AREA.finditer(folded):
        lo, hi = area.start(), area.end() + 1
        for m in numbers._ID18.finditer(folded, lo, hi):
            if numbers.is_resident_id(numbers._compact(m.group())):
                yield m.span()
        for m in numbers._ID15.finditer(folded, lo, hi):
            if numbers.is_legacy_resident_id(numbers._compact(m.group())):
                yield m.span()


def _old_card_areas(folded: str) -> Iterator[tuple[int, int]]:
    detector = numbers.BankCardDetector()
    for area in numbers._CARD_AREA.finditer(folded):
        for run in numbers._RUN.finditer(folded, area.start(), area.end() + 1):
            start, end = run.span()
            if end - start < 13:
                continue
            if start and folded[start - 1] in numbers._LETTERS:
                continue
            body = run.group()
            if body.isdigit():
                if end - start <= 19 and (
                    numbers.is_card_number(body)
                    or (numbers.in_card_context(folded, start) and numbers.is_card_in_context(body))
                ):
                    yield start, end
                continue
            if len(body) - body.count(" ") - body.count("-") < 13:
                continue
            groups = [(m.start() + start, m.end() + start) for m in numbers._GROUP.finditer(body)]
            for f in detector._in_groups(folded, groups):
                yield f.start, f.end


def _old_mobile_areas(folded: str) -> Iterator[tuple[int, int]]:
    for area in phones._MOBILE_AREA.finditer(folded):
        for m in phones._CN_MOBILE.finditer(folded, area.start(), area.end() + 1):
            if phones.is_cn_mobile(m.group(1).replace(" ", "").replace("-", "")):
                yield m.span()


def _spans(found: Iterator[Finding]) -> list[tuple[int, int]]:
    return [(f.start, f.end) for f in found]


def _old_ids(folded: str) -> list[tuple[int, int]]:
    out = list(_old_id_areas(folded))
    for s in numbers.spaced_stretches(folded, numbers._ID_LENGTHS):
        if (
            numbers.is_resident_id(s.digits)
            if len(s.digits) == 18
            else s.sizes == (6, 6, 3) and numbers.is_legacy_resident_id(s.digits)
        ):
            out.append((s.start, s.end))
    return out


def _old_cards(folded: str) -> list[tuple[int, int]]:
    out = list(_old_card_areas(folded))
    for s in numbers.spaced_stretches(folded, numbers._CARD_LENGTHS):
        if not s.digits.isdigit():
            continue
        if (numbers._card_like(list(s.sizes)) and numbers.is_card_number(s.digits)) or (
            numbers.in_card_context(folded, s.start) and numbers.is_card_in_context(s.digits)
        ):
            out.append((s.start, s.end))
    return out


def _check(text: str) -> None:
    folded = fold(text)
    assert _spans(numbers.ResidentIdDetector().find(text, _KNOWN)) == _old_ids(folded)
    assert _spans(numbers.BankCardDetector().find(text, _KNOWN)) == _old_cards(folded)
    assert _spans(phones.ChineseMobileDetector().find(text, _KNOWN)) == _old_mobiles(folded)


def _old_mobiles(folded: str) -> list[tuple[int, int]]:
    out = list(_old_mobile_areas(folded))
    for run in phones.spaced_stretches(folded, phones._MOBILE_LENGTH):
        if run.sizes in phones._MOBILE_SHAPES and phones.is_cn_mobile(run.digits):
            cc = phones._CC_BEFORE.search(folded, max(0, run.start - 12), run.start)
            out.append((cc.start() if cc else run.start, run.end))
    if not folded.isascii() and phones._HAS_CN_DIGIT.search(folded):
        for m in phones._CN_NUMERAL_MOBILE.finditer(folded):
            value = m.group()
            if not value.isascii() and phones.is_cn_mobile(phones.digits_of(value)):
                out.append(m.span())
    return out


# Digits, every character the area patterns and the prescan's stretches read, the check
# character, letters, CJK and full-width forms: dense in the edges between them.
_CHARS = st.text(
    alphabet=st.sampled_from(list("0123456789" * 4 + "  --()++./\tXx卡号a:，。１－＋（")),
    max_size=60,
)


@settings(max_examples=1500, deadline=None)
@given(_CHARS)
@example("11010519900307123 X")
@example("11010519900307123X")
@example("110105199003071234  X  ")
@example("(+86) 138 0013 8000")
@example("((++ 86 138-0013-8000")
@example("电话+86 13800138000.")
@example("卡号 6222 0212 3456 7890 123 ")
def test_scans_in_stretches_find_what_whole_scans_found(text: str) -> None:
    _check(text)


def _assembled(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 5)):
        kind = rng.randrange(5)
        if kind == 0:
            n = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
            sep = rng.choice(("", " ", "-", "  ", "/"))
            parts.append(
                rng.choice(("", "+86 ", "(+86)", "0086-", "+ ", "( "))
                + sep.join((n[:3], n[3:7], n[7:]))
            )
        elif kind == 1:
            body = "110105" + str(1950 + rng.randrange(60)) + "0" + str(rng.randrange(1, 10))
            body += "1" + str(rng.randrange(10)) + f"{rng.randrange(1000):03d}"
            check = numbers.ric.calc_check_digit(body + "0")
            sep = rng.choice(("", " ", "-", "  ", " - "))
            parts.append(
                sep.join((body[:6], body[6:14], body[14:])) + rng.choice(("", " ")) + check
            )
        elif kind == 2:
            body = "622202" + "".join(rng.choice("0123456789") for _ in range(12))
            card = body + numbers.luhn.calc_check_digit(body)
            sep = rng.choice((" ", "-", "", "  "))
            parts.append(sep.join(card[i : i + 4] for i in range(0, len(card), 4)))
        elif kind == 3:
            parts.append(
                "".join(rng.choice("0123456789 -.()+/") for _ in range(rng.randrange(5, 30)))
            )
        else:
            parts.append(rng.choice(("卡号", "电话：", "ID ", "Order #", "。", " x", "X")))
    return rng.choice(("", " ", "。")).join(parts)


def test_scans_in_stretches_on_assembled_numbers() -> None:
    rng = random.Random(20261203)
    for _ in range(4000):
        _check(_assembled(rng))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from((10, 11)), st.text(alphabet="0123456789", min_size=11, max_size=11))
@example(11, "13800138000")
@example(11, "12025550143")
@example(10, "2025550143")
@example(10, "1202555014")
@example(11, "11202555014")
def test_unparsed_us_number_is_what_parsing_says(size: int, digits: str) -> None:
    digits = digits[:size]
    if size == 11 and digits[0] != "1":
        digits = "1" + digits[1:]
    national = digits if size == 10 else digits[1:]
    assert phones._us_number(national) == phones._valid(digits, "US")


def _old_in_card_context(folded: str, start: int) -> bool:
    lo = max(0, start - numbers._CONTEXT_REACH)
    w = folded[lo:start].lower()
    if not (
        "卡" in w or "card" in w or "联" in w or "聯" in w or "pay" in w or "visa" in w
    ) and not ("amex" in w or "pan" in w):
        return False
    return numbers._CARD_CONTEXT.search(folded, lo, start) is not None


_WORDS = st.sampled_from(
    (
        "联系方式：",
        "聯絡",
        "银联",
        "銀聯",
        "卡号",
        "card no. ",
        "VISA ",
        "vıſa ",
        "vıſa",
        "viſa:",
        "unıon pay",
        "PAN ",
        "amex",
        "İ",
        "K",
        "。",
        "!",
        "1",
        " ",
        "a",
        "联",
    )
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_WORDS, max_size=8).map("".join))
@example("联系 vıſa ")
@example("联系方式：viſa")
@example("银联 ")
def test_card_context_precheck_is_what_it_was(before: str) -> None:
    folded = before + "6222021234567890123"
    assert numbers.in_card_context(folded, len(before)) == _old_in_card_context(folded, len(before))
