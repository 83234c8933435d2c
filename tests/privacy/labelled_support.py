"""Shared by the tests of the issue-21 detectors (government IDs, accounts, birth dates,
IM handles): the detectors, a redactor with them next to the built-in ones, and the
round trip every kind must survive."""

from __future__ import annotations

from notifysdk.privacy import Detector, KnownValues, Redactor, default_detectors, rule_for
from notifysdk.privacy.accounts import BankAccountDetector, IbanDetector
from notifysdk.privacy.birth_dates import BirthDateDetector
from notifysdk.privacy.gov_ids import (
    HongKongIdDetector,
    MacaoIdDetector,
    PassportDetector,
    TaiwanIdDetector,
    UkNinoDetector,
    UsSsnDetector,
)
from notifysdk.privacy.im_handles import ImHandleDetector


def new_detectors() -> list[Detector]:
    """The issue-21 detectors, in the order proposed for ``default_detectors``."""
    return [
        IbanDetector(),
        UsSsnDetector(),
        UkNinoDetector(),
        HongKongIdDetector(),
        MacaoIdDetector(),
        TaiwanIdDetector(),
        PassportDetector(),
        BankAccountDetector(),
        BirthDateDetector(),
        ImHandleDetector(),
    ]


REDACTOR = Redactor([*default_detectors(), *new_detectors()])
NONE = KnownValues()


def values(detector: Detector, text: str) -> list[str]:
    """What one detector finds in ``text``, as written."""
    return [text[f.start : f.end] for f in detector.find(text, NONE)]


def kinds(text: str) -> list[tuple[str, str]]:
    """(kind, value) of every finding of the full redactor, overlaps resolved."""
    return [(f.kind, text[f.start : f.end]) for f in REDACTOR.find(text)]


def assert_round_trip(text: str, value: str, label: str, kind: str) -> None:
    """Masked at ``log`` and ``none``: the value is gone, the label is still there,
    nothing in the result is found again, and at ``none`` the notice is blocked exactly
    when the level forbids the kind."""
    assert kinds(text) == [(kind, value)]
    for level in ("log", "none"):
        red = REDACTOR.mask(text, level)
        assert value not in red.text
        assert label in red.text
        assert REDACTOR.find(red.text) == []
        if rule_for(level).forbids(kind):
            assert {f.kind for f in red.leaks} == {kind}
        else:
            assert red.clean
