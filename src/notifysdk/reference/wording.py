"""The wording each profile requires (the ``required-content`` rule), explained.

A :class:`~notifysdk.compliance.specs.Requirement` holds the regular expressions a
rendered message must match; people need a sentence. :data:`SAMPLES` gives one sentence
per requirement and language that satisfies it, and :func:`requirement_help` answers
"which wording, which citation" for a ``required-content`` vote (``notifysdk explain``,
``notifysdk preview`` and ``docs/reference/required-wording.md`` use it). A sample is
checked against the requirement's own patterns whenever it is shown (one that no longer
satisfies them is not shown, and the reference tests fail), so it cannot drift from what
the rule accepts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..compliance.specs import Requirement
    from ..policy import Profile

__all__ = [
    "SAMPLES",
    "RequirementHelp",
    "help_for",
    "requirement_help",
    "requirements",
    "satisfies",
    "vote_help",
]

SAMPLES: Mapping[tuple[str, str], str] = {
    ("opt-out-line", "en"): "Reply STOP to opt out.",
    ("opt-out-line", "zh"): "回复TD退订",
    ("mini-miranda-first", "en"): (
        "This is an attempt to collect a debt and any information obtained will be used "
        "for that purpose."
    ),
    ("mini-miranda-first", "zh"): "我们正在催收债务，所获取的任何信息都将用于该目的。",
    ("mini-miranda-later", "en"): "This communication is from a debt collector.",
    ("mini-miranda-later", "zh"): "本信息来自债务催收方。",
    ("private-and-confidential", "en"): "Private and confidential",
    ("private-and-confidential", "zh"): "私人及保密",
}
"""(requirement id, language) → a sentence that satisfies it (the default templates
carry these)."""


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    # The flag the required-content rule matches with.
    return re.compile(pattern, re.IGNORECASE)


def satisfies(text: str, groups: Iterable[Iterable[str]]) -> bool:
    """True when ``text`` matches one pattern of every group (the rule's test)."""
    return all(any(_regex(p).search(text) for p in group) for group in groups)


@dataclass(frozen=True)
class RequirementHelp:
    """What a requirement asks of a message in one language, and why."""

    id: str
    profile: str
    lang: str
    citation: str
    evidence: str
    when: str
    """``always``, ``first`` (no communication to this person on record yet) or
    ``later``."""
    media: tuple[str, ...]
    roles: tuple[str, ...]
    exempt_kinds: tuple[str, ...]
    patterns: tuple[tuple[str, ...], ...]
    """Every group must match; any pattern of a group will do (case-insensitive)."""
    sample: str | None
    """A sentence that satisfies it, or ``None`` when none is known for the language."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "requirement": self.id,
            "profile": self.profile,
            "lang": self.lang,
            "citation": self.citation,
            "evidence": self.evidence,
            "when": self.when,
            "media": list(self.media),
            "roles": list(self.roles),
            "exempt_kinds": list(self.exempt_kinds),
            "patterns": [list(g) for g in self.patterns],
            "sample": self.sample,
        }


def _sample(req: Requirement, lang: str) -> str | None:
    sample = SAMPLES.get((req.id, lang))
    groups = req.patterns.get(lang, ())
    # A sample the rule would not accept is never shown (the reference tests fail on it).
    return sample if sample is not None and groups and satisfies(sample, groups) else None


def help_for(profile: str, req: Requirement, lang: str) -> RequirementHelp:
    """The explanation of ``req`` (of ``profile``) in language ``lang``."""
    return RequirementHelp(
        id=req.id,
        profile=profile,
        lang=lang,
        citation=req.citation,
        evidence=req.evidence,
        when=req.when,
        media=tuple(sorted(req.media)),
        roles=tuple(sorted(req.roles)),
        exempt_kinds=tuple(sorted(req.exempt_kinds)),
        patterns=tuple(tuple(g) for g in req.patterns.get(lang, ())),
        sample=_sample(req, lang),
    )


def requirements(profiles: Iterable[Profile]) -> list[tuple[str, Requirement]]:
    """(profile name, requirement) for every requirement of ``profiles``, in order."""
    return [(p.name, req) for p in profiles for req in p.params.get("required", ())]


def requirement_help(
    profiles: Iterable[Profile], requirement: str, lang: str, profile: str | None = None
) -> RequirementHelp | None:
    """The explanation of the requirement named ``requirement`` (a ``required-content``
    vote's ``numbers["requirement"]``) in ``lang``, from ``profile`` when given; ``None``
    when no profile of ``profiles`` has it."""
    for name, req in requirements(profiles):
        if req.id == requirement and (profile is None or profile == name):
            return help_for(name, req, lang)
    return None


def vote_help(profiles: Mapping[str, Profile], vote: Any) -> RequirementHelp | None:
    """The explanation of a ``required-content`` vote (``None`` for any other vote):
    which wording it looked for, in which language, and the citation."""
    numbers = getattr(vote, "numbers", None) or {}
    if getattr(vote, "rule", "") != "required-content" or "requirement" not in numbers:
        return None
    return requirement_help(
        profiles.values(), str(numbers["requirement"]), str(numbers.get("lang", "")), vote.profile
    )


_WHEN = {
    "always": "every message",
    "first": "first contact (no communication to this person on record yet)",
    "later": "later contacts (a communication to this person is on record)",
}


def required_wording_page() -> str:
    """``docs/reference/required-wording.md``: every requirement of the SDK's profiles."""
    from ..compliance.profiles import DEFAULT_PROFILES
    from .markdown import cell, code, page, table

    body = [
        "The `required-content` rule blocks a rendered message that lacks the wording a "
        "profile requires on its medium for the recipient's role. It votes once per "
        "requirement that applies; a deny reads `<requirement>: the message lacks the "
        "required wording` (or `<requirement>: no <lang> wording is known to satisfy it` "
        "when the message's language has none). Every group of patterns must match the "
        "message (subject, body and HTML together), any one pattern of a group will do, "
        "case-insensitively. The sample sentence satisfies every group; "
        "`notifysdk explain` and `notifysdk preview` show it with the citation when the "
        "rule blocks. Messages of the exempt kinds (the limited-content variant) are not "
        "checked.",
        "",
        "Whether a contact is *first* or *later* is read from the ledger: the person's "
        "communications on record (`notifysdk preview --later` previews a later contact).",
    ]
    for profile in DEFAULT_PROFILES:
        reqs = [req for _, req in requirements([profile])]
        body += ["", f"## {profile.name}", "", profile.description]
        if not reqs:
            body += ["", "No required wording."]
            continue
        for req in reqs:
            body += [
                "",
                f"### {req.id}",
                "",
                f"- applies to: {', '.join(sorted(req.media))}; {_WHEN[req.when]}",
                f"- recipients: {', '.join(sorted(req.roles))}",
                f"- exempt kinds: {', '.join(sorted(req.exempt_kinds)) or 'none'}",
                f"- citation: {req.citation} (evidence {req.evidence})",
                "",
            ]
            rows = []
            for lang in sorted(req.patterns):
                h = help_for(profile.name, req, lang)
                groups = " **and** ".join(" or ".join(code(p) for p in g) for g in h.patterns)
                rows.append((lang, cell(h.sample or "(no sample)"), groups))
            body += table(("language", "sample wording", "patterns (every group)"), rows)
    return page("Required wording per profile, medium and contact", body)
