"""The redactor's fast paths give what the plain definitions give.

- The leak guard runs the detectors whose kinds a level carries as written only after
  another detector found a kind that leaks (not merely any finding): its answer must be
  the plain definition's, every detector run, overlaps merged, leaking kinds kept.
- ``mask`` does not merge a single finding, and calls the whole-text guard where the
  rescan windows would say "scan whole".
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from pii_corpus import corpus

from notifysdk.privacy import Finding, KnownValues, Level, Redactor, default_detectors
from notifysdk.privacy.redactor import merge_findings

REDACTOR = Redactor(default_detectors())
KNOWN = KnownValues.expand(
    [
        ("name", "张伟"),
        ("loan_id", "LN202600000001"),
        ("amount", "1246.80"),
        ("amount", "5000.00"),
        ("phone", "+8613800138000"),
    ]
)
BODY = "【Example Bank】张伟您好，您的借款已逾期10天，应还¥1,246.80。请尽快还款。回复TD退订\n"


def _texts() -> list[str]:
    rng = random.Random(13)
    samples = [s.text for s in corpus()]
    out = [BODY, BODY.replace("张伟", "李娜"), *samples]
    for _ in range(200):  # two values side by side, glued or apart
        a, b = rng.sample(samples, 2)
        out.append(a + rng.choice(("", " ", "，应还¥5,000.00，", " owes $20 ")) + b)
    return out


TEXTS = _texts()


def plain_leaks(redactor: Redactor, text: str, level: Level, known: KnownValues) -> list[Finding]:
    """The leak guard by definition: every detector, public values dropped, overlaps
    merged, the findings of kinds the level may not carry as written."""
    rule = redactor.rule(level)
    return [f for f in merge_findings(redactor.detect(text, known)) if rule.leaks(f.kind)]


@pytest.mark.parametrize("level", list(Level))
def test_the_leak_guard_is_its_definition(level: Level) -> None:
    for text in TEXTS:
        for known in (KNOWN, KnownValues()):
            assert REDACTOR.leaks(text, level, known) == plain_leaks(REDACTOR, text, level, known)
            masked = REDACTOR.mask(text, level, known).text
            assert REDACTOR.leaks(masked, level, known) == plain_leaks(
                REDACTOR, masked, level, known
            )


class _Spans:
    """A detector reporting fixed (kind, start, end) findings; ``kinds`` when given."""

    def __init__(self, name: str, spans: list[tuple[str, int, int]], kinds: set[str] | None):
        self.name = name
        self._spans = spans
        if kinds is not None:
            self.kinds = frozenset(kinds)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        for kind, start, end in self._spans:
            if end <= len(text):
                yield Finding(kind, start, end, self.name)


CASES = [
    # a reporting detector (no kinds) finds only a kind the level carries; the carried
    # detector's wider finding overlaps it
    ([("amount", 2, 6)], [("amount", 0, 8)]),
    # ... and one that leaks at limited, swallowed by an earlier, wider amount
    ([("phone", 3, 6)], [("amount", 0, 8)]),
    # ... a leaking kind apart from the amount
    ([("phone", 10, 14)], [("amount", 0, 8)]),
    # ... an amount and a phone, the amount first
    ([("amount", 0, 4), ("phone", 10, 14)], [("amount", 2, 12)]),
    # nothing from the reporting one
    ([], [("amount", 0, 8)]),
]


@pytest.mark.parametrize(("reporting", "carried"), CASES)
@pytest.mark.parametrize("level", list(Level))
def test_the_carried_detectors_run_whenever_they_could_change_the_answer(
    reporting: list[tuple[str, int, int]], carried: list[tuple[str, int, int]], level: Level
) -> None:
    redactor = Redactor(
        [_Spans("reporting", reporting, None), _Spans("carried", carried, {"amount"})]
    )
    text = "0123456789abcdefghij"
    assert redactor.leaks(text, level) == plain_leaks(redactor, text, level, KnownValues())


@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("style", ["mask", "hash"])
def test_mask_findings_are_the_merged_findings(level: Level, style: str) -> None:
    for text in TEXTS:
        raw = REDACTOR.detect(text, KNOWN)
        red = REDACTOR.mask(text, level, KNOWN, style=style)  # type: ignore[arg-type]
        assert list(red.findings) == merge_findings(raw)
        assert len(red.replacements) == len(red.findings)
        if not raw:
            assert red.text == text and not red.leaks
