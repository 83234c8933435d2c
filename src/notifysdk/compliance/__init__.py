"""The compliance engine: contact windows, frequency caps, the recipient guard, states
that stop contact, required content and the language lint, under named profiles.

Profiles (``cn``, ``us-regf``, ``us-ma``, ``us-wa``, ``uk-conc``) are data
(:mod:`.profiles`), each number next to its citation. Rules (:mod:`.rules`) are
registered once for every profile and read the profiles in force from the rule
context; across profiles the strictest vote wins and names the profile that decided.
Frequency caps count contacts in the ledger under scope strings (:mod:`.scopes`) and
reserve slots atomically with the claim. Lenders tighten profiles freely and loosen a
cited limit only with an explicit, audited override (:mod:`.overrides`).

Modules: :mod:`.specs` (the typed pieces of a profile), :mod:`.zones` (plausible time
zones), :mod:`.windows` (local-time windows with zoneinfo), :mod:`.phrases` and
:mod:`.lint` (the content lint), :mod:`.explain` (every rule's vote for one notice),
:mod:`.cli` (``notifysdk lint`` and ``notifysdk explain``), :mod:`.plugin` (the hooks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
    from .lint import Linter, LintFinding
    from .overrides import AppliedOverride, ResolvedProfile, resolve
    from .profiles import CN, DEFAULT_PROFILES, UK_CONC, US_MA, US_REGF, US_WA
    from .scopes import CallOutcome, Counter, call_scopes, record_call, record_optin, record_optout
    from .zones import plausible_zones

_EXPORTS: dict[str, tuple[str, ...]] = {
    "lint": ("Linter", "LintFinding"),
    "overrides": ("AppliedOverride", "ResolvedProfile", "resolve"),
    "profiles": ("CN", "DEFAULT_PROFILES", "UK_CONC", "US_MA", "US_REGF", "US_WA"),
    "scopes": (
        "CallOutcome",
        "Counter",
        "call_scopes",
        "record_call",
        "record_optin",
        "record_optout",
    ),
    "zones": ("plausible_zones",),
}
# The plugin module, imported at every start-up, must not load the profiles and the lint.
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "CN",
    "DEFAULT_PROFILES",
    "UK_CONC",
    "US_MA",
    "US_REGF",
    "US_WA",
    "AppliedOverride",
    "CallOutcome",
    "Counter",
    "LintFinding",
    "Linter",
    "ResolvedProfile",
    "call_scopes",
    "plausible_zones",
    "record_call",
    "record_optin",
    "record_optout",
    "resolve",
]
