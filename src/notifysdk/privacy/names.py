"""Names as people write them: a Chinese name is a surname and a given name, and people
are called by the given name alone (娜娜, 小伟); a minority name is written with a middle
dot between its parts (阿依·古丽); an English name has parts (Alex, Smith).

:func:`name_variants` lists the forms the known-value detector looks for besides the
name itself. A surname alone is never one of them: a role that may learn nothing sees
the masked 张**, and 张先生 is how a debtor is addressed.
"""

from __future__ import annotations

import re

from .normalize import has_cjk, normalize_value

_COMPOUND_SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 轩辕 令狐 钟离 "
    "闾丘 夏侯 澹台 濮阳 淳于 单于 太史 申屠 公冶 赫连 南宫 万俟 闻人 端木 呼延 "
    "司空 百里 东郭 西门 第五 拓跋 独孤 完颜 左丘 梁丘 公羊 谷梁 段干 子车 巫马 "
    "亓官 司寇 乐正 鲜于 羊舌 微生 公良 漆雕 壤驷 公西 宗政 仲孙 叔孙 太叔 钟吕 "
    "东门 南门 西郭 北宫 范姜"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAMES.split())
"""Two-character Chinese surnames (the well-known ones, in Simplified form)."""

GIVEN_PREFIXES = ("小", "阿")
"""How one is called by a one-character given name: 小伟, 阿伟."""
GIVEN_SUFFIXES = ("哥", "姐", "弟", "妹", "仔")
"""…or 伟哥, 娜姐; and doubled, 伟伟."""

_WORD_GIVEN_NAMES = (
    "国庆 建国 明天 平安 和平 胜利 文化 光明 中华 解放 海洋 天天 美丽 快乐 幸福 "
    "建设 发展 新华 东方 红旗 长江 黄河 春节 立春 冬至 夏至 国家 人民 学习 前进 "
    "先锋 向阳 朝阳 建军 卫国 爱国 振兴 富强 文明 和谐 自由 平等 公正 法治 敬业 "
    "诚信 友善 军民 永远 春天 秋天 海军 空军 金融 银行 科技 工业 农业 商业 东风 "
    "红星 星星 月亮 太阳"
)
WORD_GIVEN_NAMES = frozenset(_WORD_GIVEN_NAMES.split())
"""Given names that are also everyday words (国庆, 建国, 明天): like a one-character given
name, matched only in context, never alone."""

_NAME_DOTS = re.compile(r"[\u00b7\u30fb\u2022\u2027\uff65.\uff0e]")


def split_chinese_name(name: str) -> tuple[str, str] | None:
    """(surname, given name) of a Han name in normal form (张伟 → 张, 伟; 欧阳娜娜 → 欧阳,
    娜娜), or ``None`` when ``name`` is not one (Latin, a dotted minority name, a single
    character, or longer than four characters)."""
    if not 2 <= len(name) <= 4 or not all(has_cjk(c) for c in name):
        return None
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[0], name[1:]


def name_variants(name: str) -> list[str]:
    """The forms of ``name`` that identify the person besides the name itself: the
    given name of a Han name (in normal form; one character, or an everyday word, is
    matched only in context, see :data:`GIVEN_PREFIXES`), each part of a dotted minority
    name, each Latin part of three letters or more."""
    raw = name.strip()
    if not raw:
        return []
    if has_cjk(raw):
        dotted = [p for p in (normalize_value(x) for x in _NAME_DOTS.split(raw)) if p]
        if len(dotted) > 1:
            return [p for p in dotted if len(p) >= 2]
        split = split_chinese_name(normalize_value(raw))
        return [split[1]] if split else []
    parts = raw.split()
    return [p for p in parts if len(p) >= 3] if len(parts) > 1 else []
