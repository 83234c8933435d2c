"""The digit and separator strippers the masks use (one substitution or translation)
give what their character-by-character definitions give."""

from __future__ import annotations

import random

from notifysdk.privacy import masking, text
from notifysdk.privacy.text import fold, fold_digits

_POOL = [
    *"0123456789 -()/+.#xXaZz_@\n\t张",
    *"０１２３４５６７８９（）－　",
    *"零〇一幺二三四五六七八九",
    *("٣", "²", "①", "İ", "ß", "ﬁ", "\u00a0", "\u2013", "\u212a", "ǅ"),
]


def _plain_digits(t: str) -> str:
    return "".join(c for c in fold_digits(t) if "0" <= c <= "9")


def _plain_compact_id(v: str) -> str:
    return "".join(c for c in fold(v) if c not in " -()/")


def _plain_alnum(v: str) -> str:
    return "".join(c for c in fold(v) if c.isascii() and c.isalnum()).upper()


def _samples() -> list[str]:
    rng = random.Random(5)
    out = ["", "6222 0213 8001 3800", "+86 138 0013 8000", "A123456(3)", "1/234567/8"]
    out += ["".join(rng.choice(_POOL) for _ in range(rng.randrange(1, 25))) for _ in range(20_000)]
    out += [chr(cp) for cp in range(0x3100) if not 0xD800 <= cp <= 0xDFFF]
    out += [chr(cp) for cp in range(0xFF00, 0x10000)]
    return out


def test_the_strippers_are_their_definitions() -> None:
    for s in _samples():
        assert text.digits_of(s) == _plain_digits(s), s
        assert masking._compact_id(s) == _plain_compact_id(s), s
        assert masking._alnum(s) == _plain_alnum(s), s
