"""Folding gives the same text whichever way it is done (match by match for short
texts, split at the foldable characters or translated whole for long ones, by their
density): one code point for one, as ``str.translate`` with the fold table gives it."""

from __future__ import annotations

import random

import pytest

from notifysdk.privacy import text as folding

ALPHABET = "１２３４５６７８９０，：（）＋－　\u00a0\u202f\u2010\u2013\u2014\u2212￥中文abc 0123-"


@pytest.mark.parametrize("share", [0.0, 0.02, 0.1, 0.5, 1.0])
def test_fold_is_the_table_whatever_the_length_and_density(share: float) -> None:
    rng = random.Random(int(share * 100))
    foldable = ALPHABET[:24]
    plain = "中文abc 0123-，"[:-1]
    for _ in range(300):
        n = rng.choice([1, 10, 500, 1023, 1024, 1025, 3000, 9000])
        text = "".join(
            rng.choice(foldable) if rng.random() < share else rng.choice(plain) for _ in range(n)
        )
        folded = folding.fold.__wrapped__(text)
        assert folded == text.translate(folding._TABLE)
        assert len(folded) == len(text)


def test_a_dense_start_and_a_sparse_rest() -> None:
    text = "１" * 600 + "中文" * 3000 + "，"
    assert folding.fold.__wrapped__(text) == text.translate(folding._TABLE)
    text = "中文" * 3000 + "１" * 600
    assert folding.fold.__wrapped__(text) == text.translate(folding._TABLE)
