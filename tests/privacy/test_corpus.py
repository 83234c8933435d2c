"""Precision and recall of the built-in detectors on a generated zh/en corpus."""

from __future__ import annotations

from collections import Counter

from pii_corpus import PII_KINDS, Sample, corpus

from notifysdk.privacy import Finding, Redactor, default_detectors


def score(samples: list[Sample], redactor: Redactor) -> dict[str, Counter[str]]:
    """Per kind: tp (an expected value fully covered by a finding of its kind), fn, and
    fp (a finding of a personal-data kind that covers no expected value)."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in PII_KINDS}
    for s in samples:
        found: list[Finding] = [f for f in redactor.find(s.text) if f.kind in PII_KINDS]
        matched: set[int] = set()
        for kind, start, end in s.expected:
            hit = next(
                (
                    i
                    for i, f in enumerate(found)
                    if f.kind == kind and f.start <= start and f.end >= end
                ),
                None,
            )
            if hit is None:
                counts[kind]["fn"] += 1
            else:
                counts[kind]["tp"] += 1
                matched.add(hit)
        for i, f in enumerate(found):
            if i not in matched and not any(f.start < e and f.end > b for _, b, e in s.expected):
                counts[f.kind]["fp"] += 1
    return counts


def test_corpus_precision_and_recall() -> None:
    samples = corpus()
    assert len(samples) >= 200
    assert sum(1 for s in samples if not s.expected) >= 60  # look-alikes
    counts = score(samples, Redactor(default_detectors()))
    total = sum(counts.values(), Counter())
    lines = []
    for kind, c in [*counts.items(), ("all", total)]:
        recall = c["tp"] / max(1, c["tp"] + c["fn"])
        precision = c["tp"] / max(1, c["tp"] + c["fp"])
        lines.append(
            f"{kind:12} tp={c['tp']:4} fn={c['fn']:3} fp={c['fp']:3} "
            f"precision={precision:.3f} recall={recall:.3f}"
        )
    print(f"\ncorpus: {len(samples)} strings\n" + "\n".join(lines))
    for kind in ("national_id", "phone", "card"):
        c = counts[kind]
        assert c["tp"] / (c["tp"] + c["fn"]) >= 0.99, lines
    assert total["tp"] / (total["tp"] + total["fp"]) >= 0.97, lines


def test_lookalikes_are_left_alone() -> None:
    redactor = Redactor(default_detectors())
    flagged = [
        (s.label, s.text)
        for s in corpus()
        if not s.expected and any(f.kind in PII_KINDS for f in redactor.find(s.text))
    ]
    # A wrong ID check digit can still be a Luhn-valid 6-series card number (1 in 10):
    # that is a card by every rule we have, so it may be masked; nothing else may.
    assert [f for f in flagged if f[0] != "bad-id"] == []
