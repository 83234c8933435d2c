"""The money gate's word patterns (tries, possessive runs) match the same texts as the
plain alternations they stand for."""

from __future__ import annotations

import random
import re

from pii_corpus import corpus

from notifysdk.privacy import money
from notifysdk.privacy.labels import lowered
from notifysdk.privacy.normalize import to_simplified
from notifysdk.privacy.text import fold

_G, _N = money._GAP_CHARS, money._GATE_NUMBER
_AFTER_WORDS = money._AFTER_NUMBER
PLAIN_BEFORE = re.compile(
    rf"{_N}[{_G}]*(?=[{''.join(sorted({w[0] for w in _AFTER_WORDS.split('|')}))}])"
    rf"(?:{_AFTER_WORDS})"
)
PLAIN_AFTER = re.compile(
    rf"(?:{money._CODES}|amount|balance|total|principal|interest|arrears|owed|owes|owing"
    rf"|outstanding)[{_G}:：=a-z]*{_N}"
)

_PIECES = [
    *"0123456789点五万千两 \t.·・:：=元张",
    *"abcdeghijkmnopqrstuvwxyz",
    *("usd", "amount", "eur", "euro", "owed", "owes", "total", "bn", "mn", "million"),
    *("grand", "thousand", "yuan", "buck", "dollar", "rmb", "balance", "interest"),
]


def _samples() -> list[str]:
    rng = random.Random(29)
    out = [to_simplified(lowered(fold(s.text))) for s in corpus()]
    for _ in range(30_000):
        out.append("".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 12))))
    return out


def test_the_gate_word_patterns_match_what_the_plain_alternations_match() -> None:
    matched = 0
    for text in _samples():
        for fast, plain in (
            (money._GATE_WORD_BEFORE, PLAIN_BEFORE),
            (money._GATE_WORD_AFTER, PLAIN_AFTER),
        ):
            found = plain.search(text) is not None
            assert (fast.search(text) is not None) == found, (text, plain.pattern)
            matched += found
    assert matched > 1000  # the samples exercise both outcomes
