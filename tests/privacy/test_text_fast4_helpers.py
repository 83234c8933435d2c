"""The fast paths of the privacy text helpers held to their definitions as first written.

- :func:`~notifysdk.privacy.text.fold` replaces each foldable character found by a
  search from the last one replaced (a long text's first eight, then splits): the same
  text as ``str.translate``.
- :func:`~notifysdk.privacy.text._runs` searches for runs only inside the number
  stretches of eleven digits or more with a wide separator: the same runs as the search
  of the whole text.
- :func:`~notifysdk.privacy.normalize.normalize` squeezes the space runs of a printable
  text without a gap by their two-space prefix: the same text, steps and spans as the
  :data:`~notifysdk.privacy.normalize._SPACING` rewrite.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import normalize as nm
from notifysdk.privacy import text as tx


def _runs_whole_text(folded: str) -> tuple[tx._Run, ...]:
    """``_runs`` as first written: ``_COARSE`` over the whole text."""
    out: list[tx._Run] = []
    for coarse in tx._COARSE.finditer(folded):
        if tx._WIDE.search(folded, coarse.start(), coarse.end()) is None:
            continue
        for run in tx._GROUPED.finditer(folded, coarse.start(), coarse.end() + 2):
            split = tx._split(folded, run)
            if split is not None:
                out.append(split)
    return tuple(out)


def _normalize_as_written(text: str) -> nm.Normalized:
    """``normalize`` as first written: step 3 is the ``_SPACING`` rewrite wherever
    ``_needs_spacing`` says it may change something."""
    steps: list[nm._Edits] = []
    current = text
    if "\\u" in current:
        current, edits = nm._rewrite(current, nm._ESCAPE, None)
        if edits.out:
            steps.append(edits)
    current = nm._lower(nm.to_simplified(tx.fold.__wrapped__(current)))
    if not current.isprintable() and nm._CONTROL_SPACE.search(current) is not None:
        current = nm._CONTROL_SPACE.sub(" ", current)
    if nm._needs_spacing(current):
        current, edits = nm._rewrite(current, nm._SPACING, nm._REPL)
        if edits.out:
            steps.append(edits)
    return nm.Normalized(text, current, tuple(steps))


_FOLDABLE = [chr(c) for c in sorted(tx._TABLE)]
_FOLD_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(_FOLDABLE),
        st.sampled_from("中文，。：¥ab1 -"),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


@settings(max_examples=600, deadline=None)
@given(text=_FOLD_TEXT, repeat=st.integers(1, 40))
@example(text="１２１", repeat=1)
@example(text="，：，a：", repeat=1)
@example(text="中" * 50 + "１２３４５６７８９０ＡＢ", repeat=40)  # long, sparse, 12 distinct
@example(text="中" * 50 + "１２３４５６７８", repeat=40)  # long, sparse, 8 distinct
def test_fold_is_translate(text: str, repeat: int) -> None:
    text = text * repeat  # up to 2,400 characters: both sides of the short-text bound
    assert tx.fold.__wrapped__(text) == text.translate(tx._TABLE)


@settings(max_examples=400, deadline=None)
@given(
    marks=st.lists(st.text(alphabet=_FOLDABLE, min_size=1, max_size=3), min_size=1, max_size=40),
    gap=st.integers(24, 60),
    lead=st.integers(0, 4000),
    filler=st.sampled_from(["中", "a", "中文 text ", "\u00e9"]),
)
@example(marks=list("１２３４５６７８"), gap=24, lead=0, filler="中")
@example(marks=list("１２３４５６７８９"), gap=24, lead=3000, filler="中")
@example(marks=["１２", "３"], gap=30, lead=0, filler="a")
def test_fold_of_a_long_sparse_text_is_translate(
    marks: list[str], gap: int, lead: int, filler: str
) -> None:
    """Long (past the short-text bound) and sparse (not translated at once): the first
    eight distinct characters replaced, any more split at."""
    unit = (filler * gap)[:gap]
    text = (filler * lead)[:lead] + "".join(unit + c for c in marks)
    text += filler * (tx._SUB_BELOW - len(text))
    assert len(text) >= tx._SUB_BELOW
    assert tx.fold.__wrapped__(text) == text.translate(tx._TABLE)


_SEPARATORS = [" ", "  ", "   ", "    ", "\t", "-", " - ", "- ", " -", "/", ".", " .", ". ", "+"]
_GROUP = st.from_regex(r"\A[0-9]{1,6}\Z", fullmatch=True)
_RUN = st.lists(st.tuples(_GROUP, st.sampled_from(_SEPARATORS)), min_size=1, max_size=7).map(
    lambda parts: "".join(g + s for g, s in parts)
)
_PROSE = st.sampled_from(
    ["", " ", "电话", "ref ", "X", "x", "Xa", "(", ")", "+86 ", "a", "。", "\n", "1", ":", ","]
)
_RUN_TEXT = st.lists(st.one_of(_RUN, _PROSE), min_size=1, max_size=10).map("".join)


@settings(max_examples=1500, deadline=None)
@given(text=_RUN_TEXT)
@example(text="138  0013  8000")
@example(text="110101/19900307/123X")
@example(text="1 2 3 4 5 6 7 8 9 0 1.2")
@example(text="(12 345)678 901 234 5678")
@example(text="12345  678901")
def test_runs_only_in_stretches_are_the_whole_texts(text: str) -> None:
    folded = tx.fold(text)
    assert tx._runs.__wrapped__(folded) == _runs_whole_text(folded)


_NORM_CHARS = st.sampled_from(
    [
        "张",
        "伟",
        "張",
        "偉",
        "中",
        "a",
        "B",
        "1",
        " ",
        "  ",
        ".",
        "·",
        "・",
        "•",
        "‧",
        "･",
        "．",
        "\t",
        "\n",
        "\r\n",
        "\u3000",
        "\u00a0",
        "\u2028",
        "\u0085",
        "\u200b",
        "\u202e",
        "\u0301",
        "\u0130",
        "，",
        "：",
        "¥",
        "\\u5f20",
        "\\ud83d\\ude00",
        "\\ud800",
        "\U00020000",
    ]
)
_NORM_TEXT = st.lists(_NORM_CHARS, max_size=30).map("".join)


@settings(max_examples=1500, deadline=None)
@given(text=_NORM_TEXT)
@example(text="张  伟")
@example(text="a  b   c")
@example(text="张 伟  a")
@example(text="a\n\nb")
@example(text="张\u3000\u3000a")
def test_normalize_is_the_spacing_rewrite(text: str) -> None:
    fast = nm.normalize.__wrapped__(text)
    slow = _normalize_as_written(text)
    assert (fast.text, fast.steps) == (slow.text, slow.steps)
    n = len(fast.text)
    for a in range(n + 1):
        for b in (a, a + 1, a + 2, n):
            assert fast.span(a, b) == slow.span(a, b)


@settings(max_examples=800, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "中", " ", "  ", "   ", ".", "1"]), max_size=40))
def test_squeeze_is_the_spacing_rewrite(text: list[str]) -> None:
    joined = "".join(text)
    if not joined.isprintable() or nm._has_gap(joined) or "  " not in joined:
        return
    assert nm._squeeze(joined) == nm._rewrite(joined, nm._SPACING, nm._REPL)


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        _FOLD_TEXT, _RUN_TEXT, st.text(alphabet="0123456789 +-()零〇一幺二三四五六七八九")
    )
)
@example(text="13800138000")
@example(text="")
def test_fold_digits_is_its_translation(text: str) -> None:
    assert tx.fold_digits(text) == text.translate(tx._DIGIT_TABLE)


def test_no_ascii_character_folds_as_a_digit() -> None:
    """What the ASCII fast path of fold_digits rests on."""
    assert all(cp >= 0x80 for cp in tx._DIGIT_TABLE)


def _span_as_written(norm: nm.Normalized, start: int, end: int) -> tuple[int, int]:
    if end <= start:
        return start, end
    for step in reversed(norm.steps):
        start, end = step.start(start), step.end(end - 1)
    return start, end


@settings(max_examples=800, deadline=None)
@given(text=_NORM_TEXT)
@example(text="张 伟")
@example(text="abc")
def test_span_is_the_steps_walked_back(text: str) -> None:
    norm = nm.normalize.__wrapped__(text)
    n = len(norm.text)
    for a in range(n + 1):
        for b in range(a - 1, n + 2):
            assert norm.span(a, b) == _span_as_written(norm, a, b)
