"""The disclosure table: what each recipient role may learn on each medium.

A *level* says, for each kind of personal data, whether a text may carry it as written
(``raw``), only masked (the default), or not at all, even masked (``forbidden``: its mere
presence blocks the notice). The first three levels are the channel levels of
:class:`~notifysdk.channels.Disclosure`; two more serve the SDK itself:

============  =====================================  =======================================
level         carries as written                     forbidden, even masked
============  =====================================  =======================================
full          name, address, loan id, amount,        nothing (IDs and cards still masked)
              phone, email
limited       amount (name → surname, card → last 4  nothing
              digits, everything else masked)
none          nothing                                amount, loan id, national ID, card,
                                                     bank account
envelope      name, address                          amount, loan id, national ID, card,
                                                     bank account, phone, email, birth
                                                     date, IM handle
log           nothing (masked or keyed hash)         nothing
============  =====================================  =======================================

Which level applies is the lower of what the channel tolerates and what the table
:data:`ROLE_MEDIUM_DISCLOSURE` gives for the recipient's role on the channel's medium.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ..channels import DISCLOSURE_ORDER, Disclosure
from ..models import Medium, Role


class Level(StrEnum):
    """A disclosure level: the channel levels plus ``envelope`` and ``log``."""

    FULL = "full"
    LIMITED = "limited"
    NONE = "none"
    ENVELOPE = "envelope"
    """The outside of a letter (or its address page): only name and address."""
    LOG = "log"
    """Logs, exceptions, CLI diagnostics and the audit trail: nothing raw, nothing blocks."""


@dataclass(frozen=True)
class LevelRule:
    """What one level lets through: ``raw`` kinds as written, ``forbidden`` kinds not at
    all; every other kind only masked."""

    level: Level
    raw: frozenset[str]
    forbidden: frozenset[str]

    def allows_raw(self, kind: str) -> bool:
        """True when ``kind`` may appear as written."""
        return kind in self.raw

    def forbids(self, kind: str) -> bool:
        """True when ``kind`` may not appear at all, even masked."""
        return kind in self.forbidden

    def leaks(self, kind: str) -> bool:
        """True when a finding of ``kind`` still in a text is a leak: forbidden, or not
        allowed as written (what the leak guard reports)."""
        return kind in self.forbidden or kind not in self.raw


_DEBT = frozenset({"amount", "loan_id", "national_id", "card", "bank_account"})

LEVEL_RULES: dict[Level, LevelRule] = {
    Level.FULL: LevelRule(
        Level.FULL,
        frozenset({"name", "address", "loan_id", "amount", "phone", "email"}),
        frozenset(),
    ),
    Level.LIMITED: LevelRule(Level.LIMITED, frozenset({"amount"}), frozenset()),
    Level.NONE: LevelRule(Level.NONE, frozenset(), _DEBT),
    Level.ENVELOPE: LevelRule(
        Level.ENVELOPE,
        frozenset({"name", "address"}),
        _DEBT | {"phone", "email", "birth_date", "im_handle"},
    ),
    Level.LOG: LevelRule(Level.LOG, frozenset(), frozenset()),
}
"""The rule of every level."""

# Kept for code written against the first version of this module.
ALLOWED_KINDS: dict[Disclosure, frozenset[str]] = {
    d: LEVEL_RULES[Level(d.value)].raw for d in Disclosure
}
"""What each channel level may carry unmasked."""
FORBIDDEN_EVEN_MASKED: dict[Disclosure, frozenset[str]] = {
    d: LEVEL_RULES[Level(d.value)].forbidden for d in Disclosure
}
"""Kinds whose mere presence, even masked, blocks a message at each channel level."""


@dataclass(frozen=True)
class KindDisclosure:
    """What a detector declares for a kind of its own (one the built-in table does not
    know): the levels at which it may appear as written, and those at which even its
    masked form blocks the notice. Every other level masks it. Declare it on the
    detector as ``disclosure = {"member_id": KindDisclosure(raw={"full"})}``."""

    raw: frozenset[str] = frozenset()
    forbidden: frozenset[str] = frozenset()

    def __init__(self, raw: Iterable[str] = (), forbidden: Iterable[str] = ()) -> None:
        object.__setattr__(self, "raw", frozenset(as_level(lv).value for lv in raw))
        object.__setattr__(self, "forbidden", frozenset(as_level(lv).value for lv in forbidden))
        if Level.LOG.value in self.raw:
            raise ValueError("nothing is carried as written in logs (level 'log')")
        if self.raw & self.forbidden:
            raise ValueError(
                f"a level cannot both show and forbid a kind: {sorted(self.raw & self.forbidden)}"
            )


def extended_rules(
    declarations: Mapping[str, KindDisclosure],
) -> dict[Level, LevelRule]:
    """:data:`LEVEL_RULES` extended with kinds the detectors declared. A kind the
    built-in table already governs (:data:`~notifysdk.privacy.findings.KINDS`) cannot be
    declared again: a plugin may add protection for its own kinds, never loosen the
    SDK's."""
    from .findings import KINDS

    clash = sorted(set(declarations) & set(KINDS))
    if clash:
        raise ValueError(f"built-in kinds cannot be redeclared: {', '.join(clash)}")
    out: dict[Level, LevelRule] = {}
    for level, rule in LEVEL_RULES.items():
        raw = {k for k, d in declarations.items() if level.value in d.raw}
        forbidden = {k for k, d in declarations.items() if level.value in d.forbidden}
        out[level] = LevelRule(level, rule.raw | raw, rule.forbidden | forbidden)
    return out


def declared_disclosure(detectors: Iterable[object]) -> dict[str, KindDisclosure]:
    """The ``disclosure`` declarations of ``detectors`` (kind → :class:`KindDisclosure`);
    two detectors declaring one kind differently is an error naming both."""
    out: dict[str, KindDisclosure] = {}
    owner: dict[str, str] = {}
    for detector in detectors:
        name = str(getattr(detector, "name", type(detector).__name__))
        for kind, declared in (getattr(detector, "disclosure", None) or {}).items():
            if not isinstance(declared, KindDisclosure):
                raise ValueError(f"detector {name!r}: disclosure[{kind!r}] is not a KindDisclosure")
            if kind in out and out[kind] != declared:
                raise ValueError(
                    f"detectors {owner[kind]!r} and {name!r} declare kind {kind!r} differently"
                )
            out[kind], owner[kind] = declared, name
    return out


_DEBTOR_MEDIA: dict[Medium, Disclosure] = {
    Medium.SMS: Disclosure.LIMITED,
    Medium.VOICE: Disclosure.LIMITED,  # a voicemail may be heard by anyone nearby
    Medium.EMAIL: Disclosure.FULL,
    Medium.CALL_SCRIPT: Disclosure.FULL,  # read by an agent after identity is confirmed
    Medium.LETTER: Disclosure.FULL,  # the sealed inside; the envelope is Level.ENVELOPE
}

ROLE_MEDIUM_DISCLOSURE: dict[Role, dict[Medium, Disclosure]] = {
    Role.DEBTOR: dict(_DEBTOR_MEDIA),
    Role.GUARANTOR: dict(_DEBTOR_MEDIA),
    Role.ATTORNEY: {m: Disclosure.FULL for m in Medium},
    Role.EMERGENCY_CONTACT: {m: Disclosure.NONE for m in Medium},
    Role.THIRD_PARTY: {m: Disclosure.NONE for m in Medium},
}
"""Role × medium → the most a recipient in that role may learn on that medium."""

ROLE_DISCLOSURE: dict[Role, Disclosure] = {
    role: max(media.values(), key=DISCLOSURE_ORDER.index)
    for role, media in ROLE_MEDIUM_DISCLOSURE.items()
}
"""The most a role may learn on any medium."""


def effective_disclosure(
    channel_level: Disclosure, role: Role, medium: Medium | None = None
) -> Disclosure:
    """The lower of what the channel tolerates and what the role may learn (on
    ``medium`` when given). Unknown roles get ``none``."""
    if medium is None:
        role_level = ROLE_DISCLOSURE.get(role, Disclosure.NONE)
    else:
        role_level = ROLE_MEDIUM_DISCLOSURE.get(role, {}).get(medium, Disclosure.NONE)
    return min(channel_level, role_level, key=DISCLOSURE_ORDER.index)


def as_level(level: Disclosure | Level | str) -> Level:
    """The :class:`Level` for a channel level, a level or its name."""
    try:
        return Level(str(level.value if isinstance(level, Disclosure | Level) else level))
    except ValueError:
        known = ", ".join(lv.value for lv in Level)
        from ..errors import InvalidInputError

        raise InvalidInputError("level", f"unknown disclosure level (known: {known})") from None


_RULE_OF: dict[str, LevelRule] = {lv.value: rule for lv, rule in LEVEL_RULES.items()}
"""The rules by level name: a channel level, a level and its name are equal strings."""


def rule_for(level: Disclosure | Level | str) -> LevelRule:
    """The rule of a level."""
    rule = _RULE_OF.get(level) if isinstance(level, str) else None
    return rule if rule is not None else LEVEL_RULES[as_level(level)]
