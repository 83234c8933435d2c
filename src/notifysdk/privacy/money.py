"""Money written the way people write it, and the detector that finds it.

Besides ¥1,234.50, 1234元 and USD 20: 3500块, 3500块钱, 200美元, 5万, 1.2万元, 三千五百元,
叁仟伍佰元整, 两万块, 五百块钱, 一万二, 3块5, $3.5k, 3,500 bucks, USD3500, 400 pounds, and
"agreed 2.6k per week".

What is *not* money: dates (三月七日), counts (三次, 两天, 5万步, 粉丝5万), ordinals
(第一单元), times, percentages, phone-like and version numbers, 一块儿 / 两块蛋糕 (块 as
a measure word), 千万 / 万一 (adverbs), 十万火急, a 5k run. The rules that decide:

- a currency sign or code before the number, or a unit after it (元, 美元, 块, dollars,
  pounds...), makes it money; 块, 圆, 毛 and 角 after a small Chinese numeral only when no
  other word follows (一块钱 and 三块五 are money, 两块蛋糕 is not);
- a bare number with 千, 万 or 亿 (5万, 一万二, 8.66万) is money unless what follows counts
  something (步, 人, 次, 公里...) or what comes before does (粉丝, 步数...);
- a bare number with k or m (2.6k) only after a word about paying (pay, owe, agreed...);
- nothing after 第.

Only the places where a mark of money occurs (a currency sign, the last character of a
unit, 千/万/亿, a currency code or word, a k after a digit) are read, so text without
money costs one scan. Everything runs on the normal form of :mod:`.normalize`
(Simplified, folded, lower case): 兩萬塊 and ＵＳＤ３５００ read like 两万块 and usd3500,
and spans map back to the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..trie import trie_alternation
from .findings import Finding, KnownValues
from .labels import lowered
from .normalize import is_cjk, normalize, simplified_map, to_simplified
from .numerals import DIGITS, NUMERAL_CHARS, parse_number
from .prescan import Prescan
from .text import CASE_ODD

_D = "".join(DIGITS)
_AR = r"[0-9]+(?:,[0-9]{3})*+(?:\.[0-9]+)?+"
_RUN = rf"(?:{_AR}(?: (?=[万亿]))?|点[{_D}]++|[{NUMERAL_CHARS}])++"
"""A number: Arabic, Chinese or both (1.2万, 三千五); one space may stand before 万/亿."""
_CODES = r"rmb|cny|usd|hkd|eur|gbp|aud|cad|sgd|jpy"
_PREFIX = rf"(?:(?:us|hk|nt|a|c|s)?\$|¥|€|£|(?<![a-z])(?:{_CODES})|人民币|港币|美元|美金)"
_MULT = r"(?:\s?(?:k|m|mn|bn|thousand|million|billion|grand)(?![a-z]))"
_STRONG = (
    "美元|美金|港元|港币|日元|欧元|英镑|澳元|加元|韩元|新台币|台币|人民币|块钱|毛钱|元|[€$£¥](?!\\s?[0-9])"
    rf"|(?:{_CODES}|yuan|dollars?|bucks|quid|pounds?|euros?)(?![a-z])"
)
_WEAK = "块|圆|毛|角"
_UNIT = rf"(?:{_STRONG}|{_WEAK})"

_EU = r"[0-9]{1,3}(?:\.[0-9]{3})*+,[0-9]{2}(?![0-9])"
"""A decimal comma (1.234,50 €, 12,50 EUR): read only next to a currency."""

_PARTS = re.compile(
    rf"(?P<pre>{_PREFIX})?\s?(?:(?P<eu>{_EU})|(?P<num>{_RUN}))(?P<mult>{_MULT})?"
    rf"(?:\s?(?P<unit>{_UNIT})(?P<tail>[{_D}0-9])?(?:(?P<sub>毛|角)(?:(?P<fen>[{_D}0-9])分)?)?"
    r"(?P<end>整|钱)?)?"
)
"""An amount read from where it starts: currency, number, multiplier, unit and tail."""

_MARK = re.compile(r"[$¥€£元块圆毛角币金镑千仟万亿]")
"""Where an amount may be: a currency sign, the last character of a unit, 千/万/亿."""
_WORD = re.compile(rf"(?:{_CODES}|yuan|dollar|buck|quid|pound|euro)")
"""…or a currency code or word (not inside a word: checked where found)…"""
_MULT_MARK = re.compile(r"[0-9] ?(?:k|m|mn|bn|thousand|million|billion|grand)(?![a-z])")
"""…or a multiplier after a digit (2.6k). Three patterns: each starts with a set of
characters, which the regex engine scans for fast; one alternation of all three is
several times slower."""
_LABEL_ZH = re.compile(
    r"(?:金额|欠款|欠了|应还|待还|还款|还了|余额|本金|利息|罚息|滞纳金|手续费|合计|共计|总计|总额|借了|"
    r"借款|贷款|转账|转了|付了|付款|交了|欠)"
)
_LABEL_EN = re.compile(
    r"(?:amount|balance|total|principal|interest|arrears|owed|owes|owing|outstanding)"
    r"(?: due| of| owed)?(?![a-z])"
)
_LABEL_GAP = re.compile(r"\s*[:：=]?\s*")
"""A label that says the number after it is money (应还：1,234.50, balance 9,097.87)."""
_NOT_AN_AMOUNT_AFTER = re.compile(
    r"[-/:.][0-9]|\s*(?:times|days|weeks|months|years|items|calls|pct)\b"
)
"""After a labelled number: a date, a time, a version, or what it counts."""
_ASCII_DIGIT = re.compile("[0-9]")
_ANY_NUMBER = re.compile(f"[0-9{NUMERAL_CHARS}]")
_ASCII_LETTER = re.compile("[a-z]")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_UNIT_HEAD = re.compile(r"(?:人民|新台|[美港日欧澳加韩台英])$")
"""The start of a unit whose last character is the mark (美元, 人民币, 英镑)."""
_PREFIX_UNITS = ("人民币", "港币", "美元", "美金")
_PREFIX_END = re.compile(rf"(?:{_PREFIX})\s?$")
_NUMBER_CHARS = frozenset("0123456789点" + NUMERAL_CHARS)
_SMALL_NUMERALS = frozenset(_D)

_EN_PAYING = re.compile(
    r"\b(?:pay|pays|paid|paying|payment|owe|owes|owed|owing|repay|repaid|borrow|borrowed"
    r"|lent|lend|loan|transfer|transferred|deposit|deposited|settle|settled|offer|offered"
    r"|agreed|promised|instal+ments?|plan|debt|balance|arrears|due|send|sent|cover)\b"
)
"""Words about paying: before a bare 2.6k they make it money..."""
_EN_RATE = re.compile(
    r"\s*(?:a|per|each|every)\s+(?:day|week|fortnight|month|year)\b|\s*(?:weekly|monthly)\b"
)
"""…and so does a rate after it (1k a month)…"""
_EN_FREE_AFTER = re.compile(
    r"\s*(?:$|[^\sa-z0-9]|(?:by|on|before|until|till|to|from|for|in|at|and|or|this|next|now|"
    r"today|tomorrow|tonight|soon|asap|upfront|instead|total|overall|in total)\b)"
)
"""…or nothing that it could count after it (12.5k by Friday; not a 5k run, a 4k video)."""

_MULTIPLIERS = {
    "k": Decimal(1000),
    "thousand": Decimal(1000),
    "grand": Decimal(1000),
    "m": Decimal(10**6),
    "mn": Decimal(10**6),
    "million": Decimal(10**6),
    "bn": Decimal(10**9),
    "billion": Decimal(10**9),
}

PARTICLES = frozenset(
    "了的啊吧呢吗呀哦哈嘛啦呗多余左来整都也就还给没不是到在和跟及或才又再而但要需应得交付转欠借存花用赔退共总"
)
"""What may follow 两块 / 一块 when they are money (两块了, 一块还...), not a measure word."""

_COUNT_UNITS = (
    "步 次 天 日 月 年 号 个 件 份 张 条 名 人 户 台 辆 套 平 亩 吨 斤 克 米 里 公里 小时 "
    "分钟 秒 页 行 字 位 岁 楼 层 栋 室 单元 期 % ‰ 倍 度 分 只 头 株 部 家 册 本 篇 首 朵 "
    "棵 粒 颗 瓶 盒 箱 包 杯 碗 间 所 匹 架 艘 支 枚 场 届 项 类 种 批 例 票 股 手 单 笔 粉 "
    "赞 点 像素 转 赞 千米 平米 平方 立方 毫升 升 码 英里 公斤 kg km mb gb"
)
COUNT_UNITS = tuple(_COUNT_UNITS.split())
"""What a number counts when it is not money (5万步, 12期, 3000米)."""
_APPROX = ("多", "余", "来", "左右", "上下", "几")
"""Between a number and what it counts: 5万多人, 三千余步."""

_NOT_AFTER_YUAN = (
    "素",
    "旦",
    "宵",
    "月",
    "年",
    "首",
    "件",
    "器",
    "老",
    "帅",
    "音",
    "气",
    "组",
    "数据",
    "朝",
    "代",
    "曲",
    "宇宙",
    "一次",
    "二次",
    "方程",
    "论",
)
"""元 starting another word (元素, 元旦, 一元二次方程): not a unit of money."""

_COUNTING = (
    "粉丝",
    "阅读",
    "播放",
    "浏览",
    "点赞",
    "关注",
    "人口",
    "人数",
    "步",
    "公里",
    "里程",
    "积分",
    "字",
    "人次",
    "观看",
    "下载",
    "用户",
    "会员",
    "订阅",
    "访问",
    "销量",
    "库存",
    "像素",
    "转发",
    "评论",
    "流量",
    "分数",
    "票",
)
"""Words that count things: a bare 万 after one of them is not money (粉丝5万)."""


@dataclass(frozen=True, slots=True, repr=False)
class Amount:
    """An amount of money, in the normal form's coordinates."""

    start: int
    end: int
    value: Decimal


def free_after(text: str, end: int) -> bool:
    """True when nothing word-like follows ``end``: the end, punctuation, a space, a
    digit, or a particle (so 两块了 is money, 两块蛋糕 and 一块儿 are not)."""
    if end >= len(text):
        return True
    ch = text[end]
    return not is_cjk(ch) or ch in PARTICLES or ch in DIGITS


def counts_after(text: str, end: int) -> bool:
    """True when what follows ``end`` says what a number counts (步, 人, 公里...), past
    an approximation (5万多人)."""
    for approx in _APPROX:
        if text.startswith(approx, end):
            end += len(approx)
            break
    while end < len(text) and text[end] == " ":
        end += 1
    return text.startswith(COUNT_UNITS, end)


def _digit(ch: str) -> Decimal:
    return Decimal(DIGITS[ch] if ch in DIGITS else int(ch))


def _read(text: str, m: re.Match[str]) -> Amount | None:
    """The amount ``m`` (a match of :data:`_PARTS`) writes, or ``None`` when the rules of
    the module say it is not money."""
    start, end = m.span()
    if start and text[start - 1] == "第":
        return None
    if m["eu"]:
        if not (m["pre"] or m["unit"]):
            return None
        return Amount(start, end, Decimal(m["eu"].replace(".", "").replace(",", ".")))
    num = m["num"]
    parsed = parse_number(num.replace(" ", ""))
    if parsed is None or not parsed.positional:
        return None
    value = parsed.value
    if m["mult"]:
        value *= _MULTIPLIERS[m["mult"].strip()]
    unit = m["unit"]
    if unit:
        if unit == "元" and text.startswith(_NOT_AFTER_YUAN, m.end("unit")):
            return None
        if unit in ("毛", "毛钱", "角"):
            value /= 10
        tail, sub = m["tail"], m["sub"]
        if tail and not sub and unit != "块":
            end = m.end("unit")  # 100元5个: the 5 is not five jiao
            tail = None
        elif tail:
            value += _digit(tail) / 10
            if m["fen"]:
                value += _digit(m["fen"]) / 100
        weak = unit in ("块", "圆", "毛", "角") and not m["end"] and not tail
        small = set(num) <= _SMALL_NUMERALS  # 两块, 一块: also a measure word
        if weak and small and not free_after(text, end):
            return None
        return Amount(start, end, value)
    if m["pre"]:
        return Amount(start, end, value)
    if m["mult"]:  # 2.6k: money where paying is spoken of, or with nothing after it
        paying = _EN_PAYING.search(text, max(0, start - 30), start) is not None
        if not paying and not _EN_RATE.match(text, end) and not _EN_FREE_AFTER.match(text, end):
            return None
        return Amount(start, end, value)
    # A bare number with 千/万/亿: money unless it counts something.
    if not parsed.multiplied or counts_after(text, end):
        return None
    if num[0] in "十百" and not free_after(text, end):
        return None  # 十万火急
    if any(w in text[max(0, start - 4) : start] for w in _COUNTING):
        return None
    return Amount(start, end, value)


def _labelled(text: str, m: re.Match[str]) -> Amount | None:
    """A bare number after a money label (欠款5000, 应还1,234.50, balance 9,097.87): money
    unless it is a date, a time, a version, a single digit, or counts something."""
    amount = _read(text, m)
    if amount is not None or m["unit"] or m["pre"] or m["mult"]:
        return amount
    num = m["num"]
    if num is None:  # a decimal comma (欠款 12,50): the label says money, as a currency would
        start, end = m.span()
        if text[start - 1 : start] == "第":
            return None
        return Amount(start, end, Decimal(m["eu"].replace(".", "").replace(",", ".")))
    parsed = parse_number(num.replace(" ", ""))
    if parsed is None or not parsed.positional or text[m.start() - 1 : m.start()] == "第":
        return None
    digits = num.replace(",", "").split(".")[0]
    if num[0].isdigit() and (len(digits) < 2 or len(digits) > 12 or digits[0] == "0"):
        return None
    if _NOT_AN_AMOUNT_AFTER.match(text, m.end()) or counts_after(text, m.end()):
        return None
    return Amount(m.start(), m.end(), parsed.value)


def _marks(norm: str) -> list[int]:
    marks = [m.start() for m in _MARK.finditer(norm)]
    if _ASCII_DIGIT.search(norm) is None or _ASCII_LETTER.search(norm) is None:
        return marks  # codes, words and k: letters that go with Arabic numbers
    marks.extend(
        m.start()
        for m in _WORD.finditer(norm)
        if not (m.start() and norm[m.start() - 1] in _ASCII_LETTERS)
    )
    marks.extend(m.end() - len(m.group().lstrip("0123456789 ")) for m in _MULT_MARK.finditer(norm))
    return sorted(marks)


def _number_before(norm: str, at: int) -> int:
    """Where the number that ends at ``at`` (or one space before it) starts; ``at``
    when there is none. A comma only as a thousands separator, a dot only between
    digits: a CSV cell's comma is not part of the next cell's number."""
    k = at - 1 if at and norm[at - 1] == " " else at
    end = k
    while k and _continues_number(norm, k, end):
        k -= 1
    return k if k < end else at


def _continues_number(norm: str, k: int, end: int) -> bool:
    """True when ``norm[k - 1]`` belongs to the number that starts at ``k``."""
    ch = norm[k - 1]
    if ch in _NUMBER_CHARS:
        return True
    if k < 2 or not norm[k - 2].isdigit():
        return False
    if ch == ".":
        return k < end and norm[k].isdigit()
    if ch != ",":
        return False
    group = norm[k : k + 3]
    if len(group) == 3 and group.isdigit() and not norm[k + 3 : k + 4].isdigit():
        return True  # 1,234
    cents = norm[k : k + 2]  # 1.234,50 €
    return len(cents) == 2 and cents.isdigit() and not norm[k + 2 : k + 3].isdigit()


def _starts(norm: str, mark: int) -> list[int]:
    """Where an amount around ``mark`` may start: the number before it (and a currency
    before that), and the mark itself when it may stand before a number."""
    head = _UNIT_HEAD.search(norm, max(0, mark - 2), mark)
    at = head.start() if head else mark
    out: list[int] = []
    before = _number_before(norm, at)
    if before < at:
        pre = _PREFIX_END.search(norm, max(0, before - 8), before)
        out.append(pre.start() if pre else before)
    ch = norm[mark]
    if head is not None:
        if norm.startswith(_PREFIX_UNITS, head.start()):
            out.append(head.start())
    elif ch in "$¥€£":
        out.insert(0, mark - len(_letters_before(norm, mark)))  # $20 more often than 20$
    elif ch.isascii() and not ch.isdigit():
        out.append(mark)  # a code in front: usd3500
    return out


def _letters_before(norm: str, mark: int) -> str:
    if norm[mark] != "$":
        return ""
    for letters in ("us", "hk", "nt", "a", "c", "s"):
        if mark >= len(letters) and norm.startswith(letters, mark - len(letters)):
            return letters
    return ""


@lru_cache(maxsize=16)
def scan(norm: str) -> tuple[Amount, ...]:
    """Every amount written in ``norm`` (a normal-form text; cached: the money and the
    known-value detectors both read it)."""
    if _ANY_NUMBER.search(norm) is None:  # no digit, no numeral: no amount
        return ()
    out: list[Amount] = []
    # Two plain patterns, the English one only for text with letters: one alternation
    # with a look-behind scans ten times slower.
    labels = list(_LABEL_ZH.finditer(norm))
    if _ASCII_LETTER.search(norm) is not None:
        labels.extend(
            m
            for m in _LABEL_EN.finditer(norm)
            if not m.start() or norm[m.start() - 1] not in _ASCII_LETTERS
        )
    for label in labels:
        gap = _LABEL_GAP.match(norm, label.end())
        m = _PARTS.match(norm, gap.end() if gap else label.end())
        if m is not None:
            amount = _labelled(norm, m)
            if amount is not None:
                out.append(amount)
    done = 0
    for mark in _marks(norm):
        if mark < done:
            continue
        for start in _starts(norm, mark):
            if start < done:
                continue
            m = _PARTS.match(norm, start)
            if m is None or m.end() <= mark:
                continue
            before = norm[start - 1] if start else ""
            if not m["pre"] and (before == "*" or before in _ASCII_LETTERS):
                continue  # v2.5万, a masked number
            amount = _read(norm, m)
            if amount is not None:
                out.append(amount)
                done = amount.end
                break
    if len(out) < 2:
        return tuple(out)
    merged: list[Amount] = []  # the labelled pass and the marks may find one amount twice
    for a in sorted(out, key=lambda a: (a.start, -a.end)):
        if not merged or a.start >= merged[-1].end:
            merged.append(a)
    return tuple(merged)


# -- the gate: may a text hold an amount at all? -----------------------------------------
#
# Every amount :func:`scan` reads is a match of _PARTS from a label (_LABEL_ZH, _LABEL_EN)
# or around a mark (_marks): a mark character; a currency code or word with a number just
# before it (one space) or, for a code, just after it; a multiplier after a digit; and a
# label needs a number after its gap and a prefix (a prefix with a CJK character holds a
# mark character: 币, 元, 金). The gate looks for those on the folded text lower-cased
# and made Simplified, which differs from the normal form only where normalising turns a
# run of whitespace into one space or drops whitespace and dots between CJK characters:
# so the patterns let whitespace and dots stand anywhere a space or nothing may, and
# leave out the look-arounds (but one after a multiplier, which reads a letter, see
# _GATE_CURRENCY_OR_MULTIPLIER). Anything the scan could read, the gate finds.
_GAP_CHARS = r"\s\u00b7\u30fb\u2022\u2027\uff65."
"""What normalising turns into one space or drops (see :mod:`.normalize`)."""
_GATE_NUMBER = f"[0-9点{NUMERAL_CHARS}]"
_GATE_ANY_NUMBER = re.compile(_GATE_NUMBER)
_ZH_LABELS = sorted(_LABEL_ZH.pattern[3:-1].split("|"), key=len, reverse=True)
if not all(label.isalpha() and not label.isascii() for label in _ZH_LABELS):
    raise RuntimeError("the gate reads _LABEL_ZH as an alternation of plain Chinese words")
_GATE_LABEL_ZH = re.compile(
    "(?:"
    + "|".join(f"[{_GAP_CHARS}]*".join(label) for label in _ZH_LABELS)
    + f")[{_GAP_CHARS}:：=a-z]*{_GATE_NUMBER}"
)
"""A Chinese label, then only gap, colon and code characters up to a number."""
_BEFORE_NUMBER = (
    f"{_CODES}|amount|balance|total|principal|interest|arrears|owed|owes|owing|outstanding"
)
_GATE_WORD_AFTER = re.compile(
    f"(?:{trie_alternation(_BEFORE_NUMBER.split('|'))})[{_GAP_CHARS}:：=a-z]*+{_GATE_NUMBER}"
)
"""An English label or a currency code, then a number (after its gap, prefix, ``due``).
The words as a trie, and the run after them possessive (no number character is in it,
so giving any back cannot reach a number): the same texts match, a fifth faster."""
_CURRENCY_AFTER = f"{_CODES}|yuan|dollar|buck|quid|pound|euro"
_MULTIPLIERS_AFTER = "k|m|mn|bn|thousand|million|billion|grand"
_AFTER_NUMBER = f"{_CURRENCY_AFTER}|{_MULTIPLIERS_AFTER}"
_AFTER_FIRST = "".join(sorted({w[0] for w in _AFTER_NUMBER.split("|")}))
_GATE_WORD_BEFORE = re.compile(
    rf"{_GATE_NUMBER}[{_GAP_CHARS}]*+"
    rf"(?=[{_AFTER_FIRST}])"
    f"(?:{trie_alternation(_AFTER_NUMBER.split('|'))})"
)
"""A number, then a currency code or word, or a multiplier (the look-ahead, their first
letters, spares the engine trying each word after every digit; the words as a trie; the
gap possessive: no word starts with a gap character)."""
_GATE_CURRENCY_OR_MULTIPLIER = re.compile(
    rf"{_GATE_NUMBER}[{_GAP_CHARS}]*+"
    rf"(?=[{_AFTER_FIRST}])"
    f"(?:{trie_alternation(_CURRENCY_AFTER.split('|'))}"
    f"|{trie_alternation(_MULTIPLIERS_AFTER.split('|'))}(?![a-z]))"
)
""":data:`_GATE_WORD_BEFORE` with a multiplier not followed by a letter: the scan reads
a multiplier only there (:data:`_MULT_MARK`), so ``2024-03-05. Meeting`` (an ``m``
after a number) is no amount. What follows an ASCII letter is the same in the normal
form (normalising drops nothing next to it, and a whitespace run stays whitespace),
except for the Kelvin sign, which lower-cases to ``k`` here but stays as written in a
normal form lower-cased ASCII-only (a text with an ``İ``): with either in the text
(:data:`~.text.CASE_ODD`) the gate reads the pattern without the look-ahead."""


@lru_cache(maxsize=1)
def _simplified_is_caseless() -> bool:
    """Does lower-casing leave every character :func:`to_simplified` writes unchanged?
    (Then making the folded text Simplified and lower case commutes, as the gate
    assumes; if a map ever said otherwise, the gate would let every text through.)"""
    return all(chr(c).lower() == chr(c) for c in set(simplified_map().values()))


def may_hold_money(text: str, folded: str) -> bool:
    """``False`` only when :func:`scan` finds no amount in ``normalize(text)``
    (``folded`` is ``fold(text)``): no mark, label, code or word of money where an
    amount could be read around it (see the comment above)."""
    if "\\u" in text or not _simplified_is_caseless():
        return True  # escapes: what they decode to is not in the folded text
    low = to_simplified(lowered(folded))
    if _GATE_ANY_NUMBER.search(low) is None:
        return False
    if _MARK.search(low) is not None or _GATE_LABEL_ZH.search(low) is not None:
        return True
    if _ASCII_LETTER.search(low) is None:
        return False
    if _GATE_CURRENCY_OR_MULTIPLIER.search(low) is not None:
        return True
    if (
        not folded.isascii()
        and CASE_ODD.search(folded) is not None
        and _GATE_WORD_BEFORE.search(low) is not None
    ):
        return True
    return _GATE_WORD_AFTER.search(low) is not None


class MoneyDetector:
    """Money amounts in every form people write them (see the module): a third party
    must not learn that any amount is owed, known to us or not."""

    name = "money"
    kind = "amount"
    kinds = frozenset({kind})
    """Every kind it reports (the redactor's leak guard skips it where all are allowed)."""

    def may_find(self, scan: Prescan) -> bool:
        """A number with a mark, label, code or word of money where an amount could be
        read (:func:`may_hold_money`)."""
        return may_hold_money(scan.text, scan.folded)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every amount in ``text`` (spans into ``text``)."""
        norm = normalize(text)
        for amount in scan(norm.text):
            start, end = norm.span(amount.start, amount.end)
            yield Finding(self.kind, start, end, self.name)
