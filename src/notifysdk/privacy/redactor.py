"""The redactor: runs the detectors, masks down to a level, and guards against leaks.

The leak guard fails closed: after masking, anything a detector still finds that the
level may not carry as written, and anything of a kind the level forbids outright (a
third party must not learn that an amount or a loan exists, masked or not), is reported
in :attr:`Redaction.leaks`; the dispatcher then blocks the notice with rule ``privacy``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..channels import Disclosure
from .disclosure import (
    Level,
    LevelRule,
    as_level,
    declared_disclosure,
    extended_rules,
    rule_for,
)
from .findings import Detector, Finding, KnownValues
from .known_match import GIVEN_NAME_DETECTOR
from .masking import canonical, mask_value, pseudonymize
from .normalize import decode_escapes
from .prescan import Prescan
from .rescan import NEAR, WHOLE_BELOW, windows
from .text import fold, remember_fold

log = logging.getLogger("notifysdk.privacy")

_NO_VALUES = KnownValues()
"""The known values of a text given none (frozen: one object serves every call)."""

Style = Literal["mask", "hash"]
"""How a value that may not be carried is replaced: a house-style mask or a keyed hash."""


@dataclass(frozen=True)
class Redaction:
    """The result of masking one text."""

    text: str
    findings: tuple[Finding, ...]
    """Every finding in the input, overlaps merged (spans into the input)."""
    leaks: tuple[Finding, ...] = field(default=())
    """What the level may not carry: forbidden kinds in the input, and anything still
    detectable in the output. Non-empty means the text must not be sent."""
    replacements: tuple[str, ...] = field(default=())
    """What each finding became in ``text`` (the value itself when carried as written)."""

    @property
    def clean(self) -> bool:
        """True when the leak guard found nothing this level may not carry."""
        return not self.leaks


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Resolve overlaps: the earliest-starting (then longest) finding wins and is widened
    to cover whatever overlapped it, so no part of a value is left unmasked."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if out and f.start < out[-1].end:
            last = out[-1]
            if f.end > last.end:
                out[-1] = Finding(last.kind, last.start, f.end, last.detector)
            continue
        out.append(f)
    return out


# Kept for code written against the first version of this module.
_merge = merge_findings


def _all_raw(f: Finding, raw: Sequence[Finding], rule: LevelRule) -> bool:
    """May ``f`` go out as written: do the level allow every finding inside it as written?
    (an e-mail whose local part is a resident ID is masked at ``full``, though e-mail
    addresses are carried there)."""
    return all(rule.allows_raw(r.kind) for r in raw if r.start < f.end and f.start < r.end)


def _replacement(f: Finding, value: str, style: Style) -> str:
    """What a finding becomes: a value written with JSON escapes is masked as the text it
    stands for (``\\u5f20\\u4f1f`` → 张**, not a broken escape); a given name found alone
    is masked whole, since its first character is not a surname."""
    value = decode_escapes(value)
    if style == "hash":
        return pseudonymize(f.kind, value)
    if f.detector == GIVEN_NAME_DETECTOR:
        return "**"
    return mask_value(f.kind, value)


class Redactor:
    """Masks text down to a disclosure level using a set of detectors.

    ``public`` lists values that are not personal data even when a detector finds them
    (the institution's own hotline, say); findings equal to one of them are dropped.

    A detector with a ``may_find`` method (see :mod:`.prescan`) runs only on texts
    where it says it may find something; the others run on every text. A detector with
    a ``kinds`` attribute (every kind it reports) whose kinds a level carries as written
    runs in the leak guard only when another detector found there something the level
    may not carry as written (see :meth:`leaks`).
    """

    def __init__(self, detectors: Sequence[Detector], *, public: Iterable[str] = ()) -> None:
        self.detectors = tuple(detectors)
        self.public = frozenset(
            c for v in public if v for c in (canonical("phone", v), canonical("text", v)) if c
        )
        self._gates = tuple(getattr(d, "may_find", None) for d in self.detectors)
        self._gated = tuple(zip(self.detectors, self._gates, strict=True))
        self._kinds: tuple[frozenset[str] | None, ...] = tuple(
            getattr(d, "kinds", None) for d in self.detectors
        )
        self._reporting: dict[LevelRule, tuple[int, ...]] = {}
        """Per level rule, the detectors that can report a leak themselves (see
        :meth:`leaks`)."""
        declared = declared_disclosure(self.detectors)
        self._rules: dict[str, LevelRule] | None = (
            {lv.value: r for lv, r in extended_rules(declared).items()} if declared else None
        )

    def rule(self, level: Disclosure | Level | str) -> LevelRule:
        """The rule of ``level`` with the kinds this redactor's detectors declared."""
        if self._rules is None:
            return rule_for(level)
        found = self._rules.get(level) if isinstance(level, str) else None
        return found if found is not None else self._rules[as_level(level).value]

    def _run(self, i: int, text: str, known: KnownValues, scan: Prescan) -> list[Finding]:
        """Detector ``i``'s findings in ``text``, public values dropped."""
        may_find = self._gates[i]
        if may_find is not None and not may_find(scan):
            return []
        found = list(self.detectors[i].find(text, known))
        if found and self.public:
            found = [f for f in found if not self._is_public(f, text)]
        return found

    def detect(self, text: str, known: KnownValues | None = None) -> list[Finding]:
        """Every finding of every detector, public values dropped, overlaps kept."""
        return self._detect(text, known or KnownValues())[1]

    def _detect(self, text: str, known: KnownValues) -> tuple[Prescan, list[Finding]]:
        """:meth:`detect`, with the prescan it made (whose folded text :meth:`mask`
        masks from)."""
        scan = Prescan(text, known)
        raw: list[Finding] = []
        for detector, may_find in self._gated:
            if may_find is None or may_find(scan):
                raw.extend(detector.find(text, known))
        if raw and self.public:
            raw = [f for f in raw if not self._is_public(f, text)]
        return scan, raw

    def find(self, text: str, known: KnownValues | None = None) -> list[Finding]:
        """Every finding, public values dropped, overlaps resolved."""
        return merge_findings(self.detect(text, known))

    def _is_public(self, f: Finding, text: str) -> bool:
        value = text[f.start : f.end]
        return canonical(f.kind, value) in self.public or canonical("text", value) in self.public

    def mask(
        self,
        text: str,
        level: Disclosure | Level | str,
        known: KnownValues | None = None,
        *,
        style: Style = "mask",
    ) -> Redaction:
        """Mask everything ``level`` may not carry, then run the leak guard on the result."""
        known = known or _NO_VALUES
        rule = self.rule(level)
        scan, raw_findings = self._detect(text, known)
        if not raw_findings:  # the common case: nothing to mask, nothing to guard
            return Redaction(text, ())
        # One finding (the usual case) has nothing to merge: merge_findings would return
        # a list of that same finding, and it is the only raw finding inside itself.
        single = len(raw_findings) == 1
        findings = raw_findings if single else merge_findings(raw_findings)
        parts: list[str] = []
        folded: list[str] = []  # the same pieces folded: the guard's detectors fold it
        whole = scan.folded  # fold(text)
        replacements: list[str] = []
        replaced: list[tuple[int, int]] = []  # spans in the masked text
        pos = 0
        size = 0
        raw_kinds = rule.raw  # rule.allows_raw, without a call per finding
        for f in findings:
            start = f.start
            value = text[start : f.end]
            if f.kind in raw_kinds and (single or _all_raw(f, raw_findings, rule)):
                replacements.append(value)
                continue
            out = _replacement(f, value, style)
            replacements.append(out)
            parts.append(text[pos:start])
            folded.append(whole[pos:start])
            size += start - pos
            parts.append(out)
            # A mask is ASCII but for a name's first character: no fold cache entry.
            folded.append(out if out.isascii() else fold(out))
            replaced.append((size, size + len(out)))
            size += len(out)
            pos = f.end
        # Every raw finding counts here, including one swallowed by a wider overlap.
        forbidden = rule.forbidden  # rule.forbids
        leaks = [f for f in raw_findings if f.kind in forbidden] if forbidden else []
        if not pos:  # nothing replaced: the text goes out as it came
            return Redaction(text, tuple(findings), tuple(leaks), tuple(replacements))
        parts.append(text[pos:])
        masked = "".join(parts)
        folded.append(whole[pos:])
        remember_fold(masked, "".join(folded))
        # Something was replaced: look again at what is left (fail closed).
        if len(masked) < WHOLE_BELOW or "\r" in masked:  # windows() would say None
            leaks.extend(self._leaks(masked, rule, known))
        else:
            leaks.extend(self._leaks_near(masked, replaced, rule, known))
        return Redaction(masked, tuple(findings), tuple(leaks), tuple(replacements))

    def _leaks_near(
        self,
        masked: str,
        replaced: Sequence[tuple[int, int]],
        rule: LevelRule,
        known: KnownValues,
    ) -> list[Finding]:
        """:meth:`leaks` of ``masked``, scanning a long text only around what was
        replaced (see :mod:`.rescan`: elsewhere it is the input, already scanned)."""
        spans = windows(masked, replaced)
        if spans is None:
            return self._leaks(masked, rule, known)
        out: list[Finding] = []
        near = iter(replaced)
        current = next(near)
        folded = fold(masked)
        for lo, hi in spans:
            window = masked[lo:hi]
            remember_fold(window, folded[lo:hi])
            for f in self.find(window, known):
                start, end = f.start + lo, f.end + lo
                while current[1] + NEAR <= start and (following := next(near, None)):
                    current = following
                if end + NEAR <= current[0] or current[1] + NEAR <= start:
                    continue  # far from every replacement: unchanged input
                if (f.start == 0 and lo > 0) or (f.end == hi - lo and hi < len(masked)):
                    # Near a replacement yet cut by the window's edge: look at it whole.
                    return self._leaks(masked, rule, known)
                if rule.leaks(f.kind):
                    out.append(Finding(f.kind, start, end, f.detector))
        return out

    def leaks(
        self, text: str, level: Disclosure | Level | str, known: KnownValues | None = None
    ) -> list[Finding]:
        """Findings in ``text`` that ``level`` may not carry (the fail-closed guard):
        those of :meth:`find` whose kind :meth:`~.LevelRule.leaks`.

        A detector whose ``kinds`` the level all carries (money at ``limited``) cannot
        report a leak itself, only widen a finding that swallows one; so it runs only
        when another detector found something of a kind the level may not carry as
        written, and where none did there is no leak."""
        return self._leaks(text, self.rule(level), known or KnownValues())

    def _leaks(self, text: str, rule: LevelRule, known: KnownValues) -> list[Finding]:
        """:meth:`leaks` under the level's rule."""
        scan = Prescan(text, known)
        found: list[list[Finding] | None] = [None] * len(self.detectors)
        reporting = self._reporting.get(rule)
        if reporting is None:
            reporting = self._reporting[rule] = tuple(
                i
                for i, kinds in enumerate(self._kinds)
                if kinds is None or any(rule.leaks(k) for k in kinds)
            )
        # A merged finding keeps the kind of one of the findings it merged, so without a
        # finding of a kind that leaks there is no leak, whatever the other detectors
        # (whose kinds all go out as written) would add: ``hit`` waits for such a kind,
        # not just any finding (the known values find amounts the level carries).
        hit = False
        raw_kinds, forbidden = rule.raw, rule.forbidden  # rule.leaks, inlined
        gates, detectors, public = self._gates, self.detectors, self.public
        for i in reporting:
            # _run inlined (a call per detector is a tenth of the guard's own time).
            may_find = gates[i]
            if may_find is not None and not may_find(scan):
                found[i] = []
                continue
            own = found[i] = list(detectors[i].find(text, known))
            if own:
                if public:
                    own = found[i] = [f for f in own if not self._is_public(f, text)]
                if not hit:
                    for f in own:
                        if f.kind in forbidden or f.kind not in raw_kinds:
                            hit = True
                            break
        if not hit:
            return []
        raw: list[Finding] = []
        for i, part in enumerate(found):
            raw.extend(self._run(i, text, known, scan) if part is None else part)
        return [f for f in merge_findings(raw) if rule.leaks(f.kind)]

    def mask_for_log(
        self, text: str, known: KnownValues | None = None, *, style: Style = "mask"
    ) -> str:
        """Mask every finding (logs and the audit trail carry no raw personal data)."""
        red = self.mask(text, Level.LOG, known, style=style)
        if red.leaks:  # a detector found its own mask again: never let it through
            log.warning(
                "log redaction left %d detectable values; replaced the text", len(red.leaks)
            )
            return "[redacted]"
        return red.text


__all__ = ["Redaction", "Redactor", "Style", "as_level", "merge_findings"]
