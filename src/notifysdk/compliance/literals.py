"""The literal strings a regular expression cannot match without: a prefilter for the lint.

:func:`required_literals` reads a pattern (with Python's own parser) and returns a set
of strings such that every match of the pattern contains at least one of them, or
``None`` when it cannot tell (a pattern made of classes only, case-insensitive parts).
A text that contains none of them cannot match, so a substring check (``in``) clears
it before the regular expression runs. It is sound, not exact: a text that contains one
still needs the search.

How a requirement is found: in a sequence, every run of literal characters is required,
and so is what a group, a branch (the union over its alternatives) or a repeat of at
least once requires; the sequence keeps its most selective requirement (the one whose
shortest string is longest). Assertions, classes, ``.`` and optional parts require
nothing.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+: the parser behind re.compile
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a Python without them: no prefilter
    _c = _p = None

__all__ = ["required_literals"]

Requirement = frozenset[str]


def required_literals(pattern: str, flags: int = 0) -> Requirement | None:
    """Strings one of which every match of ``pattern`` contains (``None``: unknown)."""
    if _p is None or flags & re.IGNORECASE:
        return None
    try:
        parsed = _p.parse(pattern, flags)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _sequence(list(parsed))


def _better(a: Requirement | None, b: Requirement | None) -> Requirement | None:
    if a is None:
        return b
    if b is None:
        return a
    key_a = (min(map(len, a)), -len(a))
    key_b = (min(map(len, b)), -len(b))
    return b if key_b > key_a else a


def _sequence(items: list[tuple[Any, Any]]) -> Requirement | None:
    best: Requirement | None = None
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        best = _better(best, _element(op, av))
    if run:
        best = _better(best, frozenset({"".join(run)}))
    return best


def _element(op: Any, av: Any) -> Requirement | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, inner = av
        if add_flags & re.IGNORECASE:
            return None
        return _sequence(list(inner))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is _c.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            req = _sequence(list(alternative))
            if req is None:
                return None
            union |= req
        return frozenset(union)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, inner = av
        return _sequence(list(inner)) if low >= 1 else None
    return None  # assertions, classes, any, categories, back-references


_MAX_CLAUSES = 8
"""At most this many clauses are kept per sequence (a branch multiplies them)."""


def required_clauses(pattern: str, flags: int = 0) -> tuple[Requirement, ...]:
    """Sets of strings every match of ``pattern`` contains one of *each* of (a
    conjunction; empty: nothing known). Sound in the same way as
    :func:`required_literals`: a text lacking every string of one clause cannot match.

    Where :func:`required_literals` keeps a sequence's most selective requirement, this
    keeps them all: in ``(?:通知|联系)(?:单位|领导)`` both halves, so a text with 联系 and
    none of the second half is cleared without the search. A branch requires, for each
    choice of one clause per alternative, the union of the chosen clauses."""
    if _p is None or flags & re.IGNORECASE:
        return ()
    try:
        parsed = _p.parse(pattern, flags)
    except re.error:
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    return _all_of_sequence(list(parsed))


def _all_of_sequence(items: list[tuple[Any, Any]]) -> tuple[Requirement, ...]:
    clauses: list[Requirement] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            clauses.append(frozenset({"".join(run)}))
            run = []
        clauses.extend(_all_of_element(op, av))
    if run:
        clauses.append(frozenset({"".join(run)}))
    unique = tuple(dict.fromkeys(clauses))
    return unique[:_MAX_CLAUSES]


def _all_of_element(op: Any, av: Any) -> tuple[Requirement, ...]:
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, inner = av
        if add_flags & re.IGNORECASE:
            return ()
        return _all_of_sequence(list(inner))
    if op is _c.ATOMIC_GROUP:
        return _all_of_sequence(list(av))
    if op is _c.BRANCH:
        combos: list[Requirement] = [frozenset()]
        for alternative in av[1]:
            options = _all_of_sequence(list(alternative))
            if not options or len(combos) * len(options) > _MAX_CLAUSES:
                return ()
            combos = [c | o for c in combos for o in options]
        return tuple(combos)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, inner = av
        return _all_of_sequence(list(inner)) if low >= 1 else ()
    return ()  # assertions, classes, any, categories, back-references
