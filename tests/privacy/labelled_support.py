"""Shared by the tests of the issue-21 detectors (government IDs, accounts, birth dates,
IM handles): the detectors, a redactor with them next to the built-in ones, and the
round trip every kind must survive."""

from __future__ import annotations

from notifysdk.privacy import Detector, KnownValues, Redactor, default_detectors, rule_for

_NEW_MODULES = frozenset(
    f"notifysdk.privacy.{m}" for m in ("accounts", "birth_dates", "gov_ids", "im_handles")
)


def new_detectors() -> list[Detector]:
    """The issue-21 detectors, as registered among the built-ins (in their order)."""
    return [d for d in default_detectors() if type(d).__module__ in _NEW_MODULES]


REDACTOR = Redactor(default_detectors())
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
