"""Instant-messaging and social handles (kind ``im_handle``) after the name of the
service: WeChat (``微信号 zhang_wei88``, ``wx: zw1990``), QQ (``QQ：12345678``), Douyin,
Kuaishou and Xiaohongshu (``抖音号 zw_1990``), Telegram (``TG @zhangwei``,
``t.me/zhangwei``), Instagram and Skype, WhatsApp and LINE IDs.

A handle has no shape of its own (a QQ number is any 5-11 digits, a WeChat ID any word),
so only a label makes one, and after an English label followed by a mere space the
handle must not be a plain word (``contact him on WeChat tomorrow``). A mobile number
given as a WeChat or WhatsApp contact is a phone number, reported by the phone detectors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from .findings import Finding, KnownValues
from .labels import Labelled, is_strong, label_beginnings, labelled
from .phones import is_cn_mobile
from .prescan import Prescan
from .text import digits_of, fold

_END = r"(?![A-Za-z0-9_@-])(?!\.[A-Za-z0-9])"
"""A handle does not run on into a longer word, an email address or a domain."""
_WORD_HANDLE = rf"[A-Za-z][A-Za-z0-9_-]{{5,19}}{_END}"
_NUMBER_HANDLE = rf"[1-9][0-9]{{4,10}}{_END}"
_ACCOUNT_SUFFIX = r"(?:号码|號碼|号|號|账号|帳號|账户|帳戶|id|account|no\.?|number)"

_PATTERNS: tuple[Labelled, ...] = (
    # WeChat IDs: 6-20 characters starting with a letter; old accounts use a QQ number.
    labelled(
        # 威信 / 薇信 / V信: spellings used to get past filters.
        ("微信", "威信", "薇信", "v信", "vx", "wx", "wechat", "weixin"),
        rf"{_WORD_HANDLE}|{_NUMBER_HANDLE}",
        suffix=_ACCOUNT_SUFFIX,
    ),
    labelled(("qq", "扣扣"), _NUMBER_HANDLE, suffix=_ACCOUNT_SUFFIX),
    labelled(
        ("抖音", "douyin", "tiktok", "快手", "kuaishou", "小红书", "小紅書", "xiaohongshu"),
        rf"[A-Za-z0-9][A-Za-z0-9_.]{{4,18}}[A-Za-z0-9_]{_END}",
        suffix=_ACCOUNT_SUFFIX,
    ),
    labelled(
        ("telegram", "tg", "电报", "電報", "纸飞机", "instagram", "skype"),
        rf"@?[A-Za-z][A-Za-z0-9_]{{4,31}}{_END}",
        suffix=_ACCOUNT_SUFFIX,
    ),
    labelled(("line id", "line账号", "line帳號"), rf"[A-Za-z0-9][A-Za-z0-9._-]{{3,19}}{_END}"),
    # A JSON key "line" (not "line: 42" in a log): a LINE id that starts with a letter.
    labelled(('line"',), rf"[A-Za-z][A-Za-z0-9._-]{{3,19}}{_END}"),
    labelled(("whatsapp",), r"\+?[0-9][0-9 -]{5,16}[0-9](?![0-9])", suffix=_ACCOUNT_SUFFIX),
)
_WORDS = frozenset().union(*(p.words for p in _PATTERNS))
"""Every service's label beginnings: one check for text that names no service."""
_TME = re.compile(r"(?<![A-Za-z0-9.])t\.me/(?P<value>[A-Za-z][A-Za-z0-9_]{4,31})(?![A-Za-z0-9_])")


@lru_cache(maxsize=4096)
def is_phone_handle(value: str) -> bool:
    """True when a handle is a phone number the phone detectors report: a mainland
    mobile, or an international number (``+852 9123 4567``) phonenumbers calls valid."""
    digits = digits_of(value)
    if len(digits) == 11 and is_cn_mobile(digits):
        return True
    if not value.startswith("+"):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False


def _plain_word(value: str) -> bool:
    return value.isascii() and value.isalpha()


class ImHandleDetector:
    """WeChat, QQ, Douyin, Telegram, LINE and WhatsApp handles after the service's name
    (``微信号``, ``WeChat ID:``, ``QQ``, ``抖音号``, ``TG``, ``t.me/``): the handle's span."""

    name = "im-handle"
    kind = "im_handle"

    def may_find(self, scan: Prescan) -> bool:
        """A ``t.me/`` link or a service's label."""
        return "t.me/" in scan.folded or not _WORDS.isdisjoint(scan.labels)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every labelled IM handle in ``text``."""
        folded = fold(text)
        if "t.me/" in folded:
            for m in _TME.finditer(folded):
                yield Finding(self.kind, m.start("value"), m.end("value"), self.name)
        if _WORDS.isdisjoint(label_beginnings(folded)):
            return
        for pattern in _PATTERNS:
            for h in pattern.finditer(folded):
                if is_phone_handle(h.value) or (_plain_word(h.value) and not is_strong(h)):
                    continue
                yield Finding(self.kind, h.start, h.end, self.name)
