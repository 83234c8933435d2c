"""Lender overrides of profile parameters: tightening is free, loosening is explicit.

Overrides come from :attr:`notifysdk.config.Settings.profiles` (TOML ``[profiles.NAME]``),
which the dispatcher hands to rules as ``RuleContext.overrides``. Paths are dotted::

    [profiles.us-regf]
    "window.start" = "08:30"                      # later start: tighter, free
    "caps.regf-calls-7-in-7.limit" = 5            # lower cap: tighter, free
    "caps.regf-sms-daily-soft-cap.limit" = 5      # soft cap with no cited limit: free
    "reachability.failed_attempts" = 5            # more failures first: tighter, free
    "required.mini-miranda-first" = false         # dropping a requirement: loosening
    neutral_sender = "Acme Services"              # limited-content sender name: free
    [profiles.cn]
    "carrier_links.registered_domains" = ["pay.lender.cn"]   # registered for links: free
    [profiles.us-regf.loosen]
    "required.mini-miranda-first" = "first-party creditor, not a debt collector (LS-114)"

A value that loosens a cited limit (a later end, a higher cap, a shorter quiet period,
a dropped cap, requirement or window) without a justification under ``loosen`` is a
:class:`~notifysdk.errors.ConfigurationError` naming the profile, the path and the cited
limit. Approved loosenings are kept with the resolved profile and written to the audit
log by the ``profile-overrides`` rule.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from ..errors import ConfigurationError
from ..policy import Profile

__all__ = ["AppliedOverride", "ResolvedProfile", "flatten", "resolve"]

_LISTS = ("caps", "quiet", "required")
_SECTIONS = ("window", "reachability")
"""Single-spec sections whose fields are overridden one by one (``window.start``,
``reachability.failed_attempts``)."""
_NAME_SETS = {
    ("carrier_links", "registered_domains"): "free",
    ("carrier_sign", "channels"): "superset",
    ("carrier_optout", "kinds"): "superset",
}
"""Lists of names a lender sets for the carrier rules: the domains it registered for
links (a registration, no cited limit: free), the plain domestic gateways that must carry
a sign and the kinds that must carry the opt-out wording (adding is free, dropping one the
profile lists needs a justification)."""
_TEXTS = ("neutral_sender",)
"""Text parameters a lender sets freely (no cited limit to loosen)."""
_MAX_TEXT = 60


@dataclass(frozen=True)
class AppliedOverride:
    """One parameter a lender changed."""

    path: str
    old: Any
    new: Any
    loosened: bool
    justification: str | None = None
    citation: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the audit log."""
        return {
            "path": self.path,
            "old": str(self.old),
            "new": str(self.new),
            "loosened": self.loosened,
            "justification": self.justification,
            "citation": self.citation,
        }


@dataclass(frozen=True)
class ResolvedProfile:
    """A profile with its overrides applied."""

    profile: Profile
    applied: tuple[AppliedOverride, ...] = ()

    @property
    def loosened(self) -> tuple[AppliedOverride, ...]:
        """The approved loosenings (each audited)."""
        return tuple(a for a in self.applied if a.loosened)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"window": {"start": "09:00"}}`` → ``{"window.start": "09:00"}`` (``loosen`` kept)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and key != "loosen":
            out.update(flatten(value, f"{path}."))
        else:
            out[path] = value
    return out


def _fail(profile: str, path: str, reason: str) -> ConfigurationError:
    return ConfigurationError(f"profile {profile!r} override {path!r}: {reason}")


def _parse(profile: str, path: str, current: Any, value: Any) -> Any:
    if isinstance(current, time):
        if isinstance(value, time):
            return value
        try:
            return time.fromisoformat(str(value))
        except ValueError:
            raise _fail(profile, path, "expects a local time such as 08:30") from None
    if isinstance(current, bool) or not isinstance(current, int):
        raise _fail(profile, path, "this parameter cannot be overridden")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(profile, path, "expects a whole number of at least 0")
    return value


def _looser(direction: str, old: Any, new: Any) -> bool:
    return bool(
        {
            "lower": new > old,
            "higher": new < old,
            "later": new < old,
            "earlier": new > old,
        }[direction]
    )


def _cache_key(profile: Profile, overrides: Mapping[str, Any]) -> tuple[int, str]:
    return id(profile), json.dumps(overrides, sort_keys=True, default=str)


_cache: dict[tuple[int, str], tuple[Profile, ResolvedProfile]] = {}


def resolve(profile: Profile, overrides: Mapping[str, Any] | None) -> ResolvedProfile:
    """Apply ``overrides`` (a ``[profiles.NAME]`` table) to ``profile``."""
    if not overrides:
        return ResolvedProfile(profile)
    key = _cache_key(profile, overrides)
    hit = _cache.get(key)
    if hit is not None and hit[0] is profile:
        return hit[1]
    resolved = _resolve(profile, overrides)
    if len(_cache) > 256:
        _cache.clear()
    _cache[key] = (profile, resolved)
    return resolved


def _resolve(profile: Profile, overrides: Mapping[str, Any]) -> ResolvedProfile:
    flat = flatten(overrides)
    loosen_raw = flat.pop("loosen", {}) or {}
    if not isinstance(loosen_raw, Mapping):
        raise _fail(profile.name, "loosen", "expects a table of path = justification")
    loosen = {str(k): str(v) for k, v in flatten(loosen_raw).items()}
    params = dict(profile.params)
    applied: list[AppliedOverride] = []
    for path, value in flat.items():
        parts = path.split(".")
        head = parts[0]
        if head in _LISTS and len(parts) == 2:
            applied.append(_toggle(profile.name, params, head, parts[1], value, loosen))
            continue
        if head == "window" and len(parts) == 1:
            applied.append(_drop_window(profile.name, params, value, loosen))
            continue
        if head in _TEXTS and len(parts) == 1:
            applied.append(_set_text(profile.name, params, head, value))
            continue
        if head in _SECTIONS and len(parts) == 2:
            spec = params.get(head)
            field_name = parts[1]
            new_spec, change = _set_field(profile.name, path, spec, field_name, value, loosen)
            params[head] = new_spec
            applied.append(change)
            continue
        if (head, parts[-1]) in _NAME_SETS and len(parts) == 2:
            applied.append(_set_names(profile.name, params, head, parts[1], value, loosen))
            continue
        if head in ("caps", "quiet") and len(parts) == 3:
            items = list(params.get(head, ()))
            idx = _find(profile.name, path, items, parts[1])
            items[idx], change = _set_field(profile.name, path, items[idx], parts[2], value, loosen)
            params[head] = tuple(items)
            applied.append(change)
            continue
        raise _fail(
            profile.name,
            path,
            "unknown parameter (use window.start, window.end, "
            "caps.ID.limit, caps.ID.days, quiet.ID.days, caps|quiet|required.ID "
            "= false, reachability.FIELD, carrier_links.registered_domains, "
            "carrier_sign.channels, carrier_optout.kinds, or neutral_sender)",
        )
    unused = set(loosen) - {a.path for a in applied}
    if unused:
        raise _fail(
            profile.name,
            f"loosen.{sorted(unused)[0]}",
            "a justification for a parameter that is not overridden",
        )
    new = Profile(profile.name, params, profile.description)
    return ResolvedProfile(new, tuple(applied))


def _set_names(
    profile: str,
    params: dict[str, Any],
    head: str,
    field_name: str,
    value: Any,
    loosen: Mapping[str, str],
) -> AppliedOverride:
    path = f"{head}.{field_name}"
    spec = params.get(head)
    if spec is None or not dataclasses.is_dataclass(spec) or isinstance(spec, type):
        raise _fail(profile, path, "this profile has no such section")
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise _fail(profile, path, "expects a list of names")
    names = [str(v).strip() for v in value]
    if any(not n or len(n) > 253 for n in names):
        raise _fail(profile, path, "expects names of 1 to 253 characters")
    old = getattr(spec, field_name)
    kept = type(old)(dict.fromkeys(names)) if isinstance(old, tuple) else frozenset(names)
    dropped = set(old) - set(kept)
    looser = _NAME_SETS[(head, field_name)] == "superset" and bool(dropped)
    citation = getattr(spec, "citation", "")
    if looser and path not in loosen:
        raise _fail(
            profile,
            path,
            f"dropping {sorted(dropped)[0]!r} loosens the profile ({citation}); add "
            f"{path!r} under [profiles.{profile}.loosen] with a justification to override it",
        )
    params[head] = dataclasses.replace(spec, **{field_name: kept})
    return AppliedOverride(path, old, kept, looser, loosen.get(path), citation)


def _find(profile: str, path: str, items: list[Any], ident: str) -> int:
    for i, item in enumerate(items):
        if getattr(item, "id", None) == ident:
            return i
    raise _fail(profile, path, f"no item with id {ident!r} in this profile")


def _set_field(
    profile: str, path: str, spec: Any, field_name: str, value: Any, loosen: Mapping[str, str]
) -> tuple[Any, AppliedOverride]:
    if spec is None or not dataclasses.is_dataclass(spec) or isinstance(spec, type):
        raise _fail(profile, path, "this profile has no such section")
    fields = {f.name: f for f in dataclasses.fields(spec)}
    fld = fields.get(field_name)
    direction = fld.metadata.get("tighter") if fld else None
    if fld is None or direction is None:
        raise _fail(profile, path, "this parameter cannot be overridden")
    old = getattr(spec, field_name)
    new = _parse(profile, path, old, value)
    looser = _looser(direction, old, new)
    cited = getattr(spec, "cited", True)
    citation = getattr(spec, "citation", "")
    if looser and cited and path not in loosen:
        raise _fail(
            profile,
            path,
            f"{new} loosens the cited limit {old} ({citation}); add {path!r} under "
            f"[profiles.{profile}.loosen] with a justification to override it",
        )
    change = AppliedOverride(path, old, new, looser and cited, loosen.get(path), citation)
    return dataclasses.replace(spec, **{field_name: new}), change


def _toggle(
    profile: str,
    params: dict[str, Any],
    head: str,
    ident: str,
    value: Any,
    loosen: Mapping[str, str],
) -> AppliedOverride:
    path = f"{head}.{ident}"
    if not isinstance(value, bool):
        raise _fail(profile, path, "expects true (keep) or false (drop)")
    items = list(params.get(head, ()))
    idx = _find(profile, path, items, ident)
    if value:
        return AppliedOverride(path, True, True, False)
    item = items.pop(idx)
    cited = getattr(item, "cited", True)
    if cited and path not in loosen:
        raise _fail(
            profile,
            path,
            f"dropping it loosens a cited rule ({item.citation}); add "
            f"{path!r} under [profiles.{profile}.loosen] with a justification",
        )
    params[head] = tuple(items)
    return AppliedOverride(path, True, False, cited, loosen.get(path), item.citation)


def _set_text(profile: str, params: dict[str, Any], path: str, value: Any) -> AppliedOverride:
    """A text parameter (``neutral_sender``): one printable line, set freely."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise _fail(profile, path, f"expects a name of 1 to {_MAX_TEXT} characters")
    if not value.isprintable():
        raise _fail(profile, path, "expects a name on one line, without control characters")
    old = params.get(path)
    params[path] = value.strip()
    return AppliedOverride(path, old, params[path], False)


def _drop_window(
    profile: str, params: dict[str, Any], value: Any, loosen: Mapping[str, str]
) -> AppliedOverride:
    if value is not False or params.get("window") is None:
        raise _fail(profile, "window", "only window = false (drop the window) is accepted")
    spec = params.pop("window")
    if "window" not in loosen:
        raise _fail(
            profile,
            "window",
            f"dropping it loosens a cited rule ({spec.citation}); "
            f"add 'window' under [profiles.{profile}.loosen] with a justification",
        )
    return AppliedOverride("window", True, False, True, loosen["window"], spec.citation)
