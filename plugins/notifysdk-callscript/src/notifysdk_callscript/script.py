"""Call scripts: the sections each kind of call must have, in which order, and the
structured document (JSON) that a call-centre screen shows.

Three scripts:

- **debtor** (``appointment_call`` and any other debt-collection kind): opening and a
  right-party identity check come *before* any disclosure; then the institution's
  identity and required disclosures, the amounts, repayment options, objection
  handling, what never to say, and the closing.
- **location** (``location_call``, to a third party): who is calling and that they are
  confirming location information; never that a debt exists (Reg F 1006.10).
- **voicemail** (``limited_content``): exactly a limited-content message (Reg F
  1006.2(j)): a person's name, a business name, a request to reply, a callback number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .sections import Section

DEBTOR_ORDER: tuple[str, ...] = (
    "opening",
    "identity_check",
    "disclosures",
    "amounts",
    "repayment_options",
    "objections",
    "never_say",
    "closing",
)
"""The sections of a script to the debtor, in order."""

DISCLOSING: frozenset[str] = frozenset(
    {"disclosures", "amounts", "repayment_options", "objections"}
)
"""Sections that reveal the debt: only after the identity check."""

LOCATION_ORDER: tuple[str, ...] = ("opening", "location_question", "never_say", "closing")
"""The sections of a location call to a third party."""

VOICEMAIL_ORDER: tuple[str, ...] = ("voicemail",)
"""The one section of a limited-content voicemail."""

SCRIPT_TYPES: dict[str, tuple[str, ...]] = {
    "location_call": LOCATION_ORDER,
    "limited_content": VOICEMAIL_ORDER,
}


def script_type(kind: str) -> str:
    """``location``, ``voicemail`` or ``debtor`` for a notice kind."""
    return {"location_call": "location", "limited_content": "voicemail"}.get(kind, "debtor")


def expected_order(kind: str) -> tuple[str, ...]:
    """The section ids a script of ``kind`` must have, in order."""
    return SCRIPT_TYPES.get(kind, DEBTOR_ORDER)


def structure_problems(kind: str, sections: Sequence[Section]) -> list[str]:
    """What is wrong with a script's structure (empty when it is right)."""
    ids = [s.id for s in sections]
    want = expected_order(kind)
    problems: list[str] = []
    missing = [w for w in want if w not in ids]
    if missing:
        problems.append(f"missing section(s): {', '.join(missing)}")
    extra = [i for i in ids if i not in want]
    if extra:
        problems.append(
            f"section(s) not allowed in a {script_type(kind)} script: {', '.join(extra)}"
        )
    present = [i for i in ids if i in want]
    if present != [w for w in want if w in present]:
        problems.append(f"sections out of order (expected {' → '.join(want)})")
    if "identity_check" in ids:
        gate = ids.index("identity_check")
        early = [i for i in ids[:gate] if i in DISCLOSING]
        if early:
            problems.append(f"{', '.join(early)} before the identity check")
    for s in sections:
        if s.id in ("opening", "identity_check", "voicemail", "location_question") and not any(
            ln.kind == "say" for ln in s.lines
        ):
            problems.append(f"section {s.id} has no line for the agent to say")
    return problems


@dataclass(frozen=True)
class CallScript:
    """A rendered, checked call script ready for an agent's screen."""

    kind: str
    locale: str
    idempotency_key: str
    to: str
    sections: tuple[Section, ...]

    @property
    def type(self) -> str:
        """``debtor``, ``location`` or ``voicemail``."""
        return script_type(self.kind)

    def as_dict(self, outcomes: Sequence[str] = ()) -> dict[str, Any]:
        """The JSON document for a call-centre screen.

        ``disclosure_gate`` names the section the agent must complete (right party
        confirmed) before the screen reveals the sections listed in ``gated``.
        """
        ids = [s.id for s in self.sections]
        gated = [i for i in ids if i in DISCLOSING] if "identity_check" in ids else []
        return {
            "format": "notifysdk.call_script/1",
            "script_type": self.type,
            "kind": self.kind,
            "locale": self.locale,
            "idempotency_key": self.idempotency_key,
            "to": self.to,
            "disclosure_gate": "identity_check" if gated else None,
            "gated": gated,
            "sections": [s.as_dict() for s in self.sections],
            "outcomes": list(outcomes),
        }
