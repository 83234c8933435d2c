"""A generated corpus of Chinese and English sentences with personal data in them, and
look-alikes that must be left alone. Every sample knows where its values are.

Values are built to be valid by independent rules (stdnum's check digit, Luhn,
phonenumbers' own example numbers), then written the ways people write them: mid-sentence,
glued to Chinese characters, in full-width digits, split by spaces or dashes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import phonenumbers
from stdnum import luhn
from stdnum.cn import ric

PII_KINDS = ("national_id", "phone", "card", "email")

# County codes in use between 1984 and 1999 (python-stdnum's division-code table).
AREAS = (
    "110101",
    "110105",
    "310101",
    "310104",
    "440106",
    "330106",
    "320102",
    "510104",
    "420102",
    "370202",
    "210102",
    "500103",
    "610113",
    "650102",
    "130102",
    "350203",
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "183",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
INTL_REGIONS = ("US", "GB", "DE", "JP", "SG", "HK", "AU", "FR")

ZH = (
    "请联系{v}确认还款事宜",
    "客户身份信息{v}已登记。",
    "手机：{v}，请回电",
    "他说{v}是他本人的",
    "联系人{v}，备注：本人",
    "号码{v}。",
    "信息如下 {v} 谢谢",
    "您的{v}已绑定",
)
EN = (
    "Please call {v} before Friday.",
    "ID on file: {v}; thanks.",
    "Card {v} was declined.",
    "Reach me at {v}, or at the office.",
    "Customer {v} asked for a plan.",
    "({v})",
)


@dataclass
class Sample:
    """One sentence and the (kind, start, end) spans of the personal data in it."""

    text: str
    expected: list[tuple[str, int, int]] = field(default_factory=list)
    label: str = ""


def full_width(s: str) -> str:
    """ASCII digits, + and - in their full-width forms."""
    return s.translate({c: c + 0xFEE0 for c in map(ord, "0123456789+-")})


def _group(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for s in sizes:
        out.append(digits[i : i + s])
        i += s
    if i < len(digits):
        out.append(digits[i:])
    return sep.join(p for p in out if p)


def resident_id(rng: random.Random, *, want_x: bool = False) -> str:
    """A valid 18-character ID (X as check digit when asked)."""
    while True:
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
        body = f"{rng.choice(AREAS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number) and (number.endswith("X") == want_x or not want_x):
            return number


def legacy_id(rng: random.Random) -> str:
    """A 15-digit ID (19YYMMDD birth date, no check digit)."""
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(21000))
    return f"{rng.choice(AREAS)}{birth:%y%m%d}{rng.randrange(1000):03d}"


def mobile(rng: random.Random) -> str:
    """A valid mainland mobile number, 11 digits."""
    while True:
        n = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(n, "CN")):
            return n


def card(rng: random.Random) -> str:
    """A Luhn-valid card number from a real issuer range and length."""
    prefix, length = rng.choice(
        (
            ("622202", 19),
            ("621700", 19),
            ("622848", 16),
            ("4", 16),
            ("51", 16),
            ("5555", 16),
            ("37", 15),
            ("6011", 16),
            ("3530", 16),
            ("4", 13),
        )
    )
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def intl_phone(rng: random.Random) -> str:
    """A valid number of another country in international (or US/GB national) format."""
    region = rng.choice(INTL_REGIONS)
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    while True:
        nsn = str(example.national_number)
        nsn = nsn[:-3] + f"{rng.randrange(1000):03d}"
        number = phonenumbers.parse("+" + str(example.country_code) + nsn, None)
        if phonenumbers.is_valid_number(number):
            break
    fmt = phonenumbers.PhoneNumberFormat
    style = fmt.NATIONAL if region in ("US", "GB") and rng.random() < 0.5 else fmt.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def email(rng: random.Random) -> str:
    """A plausible personal email address."""
    local = rng.choice(("zhang.wei", "li_na88", "wang.fang+loan", "chen123", "alex.smith"))
    domain = rng.choice(("example.com", "qq.com", "163.com", "mail.example.cn"))
    return f"{local}{rng.randrange(100)}@{domain}"


def _write_mobile(rng: random.Random, n: str) -> str:
    form = rng.randrange(8)
    if form == 0:
        return n
    if form == 1:
        return _group(n, (3, 4, 4), " ")
    if form == 2:
        return _group(n, (3, 4, 4), "-")
    if form == 3:
        return "+86 " + _group(n, (3, 4, 4), " ")
    if form == 4:
        return "+86-" + n
    if form == 5:
        return "0086 " + n
    if form == 6:
        return "(+86)" + n
    return full_width(n)


def _write_card(rng: random.Random, n: str) -> str:
    form = rng.randrange(4)
    if form == 0:
        return n
    if form == 1:
        return _group(n, (4, 4, 4, 4), " ")
    if form == 2:
        return _group(n, (4, 4, 4, 4), "-")
    return full_width(_group(n, (4, 4, 4, 4), " "))


def _write_id(rng: random.Random, n: str) -> str:
    form = rng.randrange(4)
    if form == 0 or len(n) == 15:
        return n if form != 3 else full_width(n)
    if form == 1:
        return _group(n, (6, 8, 4), " ")
    if form == 2:
        return _group(n, (6, 8, 4), "-")
    return full_width(n)


POSITIVE_MAKERS: dict[str, Callable[[random.Random], tuple[str, str]]] = {
    "id18": lambda r: ("national_id", _write_id(r, resident_id(r))),
    "id18x": lambda r: ("national_id", _write_id(r, resident_id(r, want_x=True))),
    "id15": lambda r: ("national_id", _write_id(r, legacy_id(r))),
    "mobile": lambda r: ("phone", _write_mobile(r, mobile(r))),
    "intl": lambda r: ("phone", intl_phone(r)),
    "card": lambda r: ("card", _write_card(r, card(r))),
    "email": lambda r: ("email", email(r)),
}


def _lookalike(rng: random.Random) -> tuple[str, str]:
    """(label, text) of something that looks like a number we mask but is not one."""
    kind = rng.randrange(9)
    if kind == 0:
        return (
            "order",
            f"DD{date(2024, 1, 1) + timedelta(days=rng.randrange(700)):%Y%m%d}"
            f"{rng.randrange(10**6):06d}",
        )
    if kind == 1:
        return "date", rng.choice(
            ("2024-03-15", "2024年3月15日", "1990/03/07", "20240315", "15.03.2024")
        )
    if kind == 2:
        return "amount", rng.choice(
            ("¥1,246.80", "12345678.90元", "$4,250.00", "RMB 88,000", "1234.5")
        )
    if kind == 3:  # an 18-digit ID with a wrong check digit
        good = resident_id(rng)
        bad = good[:-1] + next(c for c in "0123456789X" if c != good[-1] and c != "X")
        return "bad-id", bad
    if kind == 4:  # a card number failing Luhn
        good = card(rng)
        return "bad-card", good[:-1] + str((int(good[-1]) + 1 + rng.randrange(8)) % 10)
    if kind == 5:  # not a mobile prefix
        return "bad-mobile", rng.choice(
            ("120", "110", "100", "104")
        ) + f"{rng.randrange(10**8):08d}"
    if kind == 6:  # too short to be anything
        return "short", f"{rng.randrange(10**8, 10**9)}"
    if kind == 7:
        return "time", rng.choice(("10:30", "2024-03-15 10:30:00", "v2.3.1", "第12345期"))
    return "order", f"ORD-{rng.randrange(10**5, 10**6)}-{rng.randrange(10**3, 10**4)}"


def corpus(
    seed: int = 20260105, positives_per_maker: int = 30, lookalikes: int = 90
) -> list[Sample]:
    """Positive samples (one value each), pairs (two values in one sentence), and
    look-alike samples (no personal data)."""
    rng = random.Random(seed)
    samples: list[Sample] = []

    def place(template: str, values: list[tuple[str, str]]) -> Sample:
        text, expected = "", []
        pieces = template.split("{v}")
        for i, piece in enumerate(pieces):
            text += piece
            if i < len(values):
                kind, v = values[i]
                expected.append((kind, len(text), len(text) + len(v)))
                text += v
        return Sample(text, expected)

    for label, maker in POSITIVE_MAKERS.items():
        for _ in range(positives_per_maker):
            template = rng.choice(ZH if rng.random() < 0.6 else EN)
            s = place(template, [maker(rng)])
            s.label = label
            samples.append(s)
    for _ in range(20):
        a, b = rng.sample(list(POSITIVE_MAKERS.values()), 2)
        s = place("客户{v}，备用{v}，请核实", [a(rng), b(rng)])
        s.label = "pair"
        samples.append(s)
    for _ in range(lookalikes):
        label, v = _lookalike(rng)
        template = rng.choice(ZH + EN)
        s = Sample(template.replace("{v}", v, 1), [], label)
        samples.append(s)
    return samples
