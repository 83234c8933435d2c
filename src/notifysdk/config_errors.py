"""Settings errors that name the setting and the kind of problem, never the value.

Two helpers, for the core and for plugin authors alike:

- :func:`configuration_error` turns a :class:`pydantic.ValidationError` into a
  :class:`~notifysdk.errors.ConfigurationError` that lists each problem by its location
  (``notifysdk.channels.smtp-email.password``) and its kind (``required``, ``unknown
  setting``, ``Input should be a valid string``...). It never shows the input: not the
  value, not the table a misspelt key holds (its password included);
- :func:`read_toml` reads a settings or ladder file, and turns a file that is missing,
  unreadable, too large, not UTF-8 or not TOML into a ``ConfigurationError`` naming the
  file (never its content).

A plugin validating its channel section::

    from notifysdk.config_errors import configuration_error

    try:
        return PagerSettings.model_validate(section)
    except pydantic.ValidationError as exc:
        raise configuration_error(
            exc, "invalid pager settings", location=f"notifysdk.channels.{name}"
        ) from None

Give secrets the type :class:`pydantic.SecretStr` and the model
``ConfigDict(hide_input_in_errors=True)``, so that even a ``ValidationError`` nobody
translated does not print them.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic

from .errors import ConfigurationError, FieldProblem

__all__ = ["MAX_CONFIG_BYTES", "configuration_error", "location_of", "read_toml", "table_of"]

MAX_CONFIG_BYTES = 1_048_576
"""The largest settings or ladder file read (1 MiB): a bigger one is refused unread."""

FIXED_REASONS: Mapping[str, str] = {
    "missing": "required",
    "extra_forbidden": "unknown setting",
}
"""The reason shown for these pydantic error types, whatever pydantic's message says."""

_ECHOING = frozenset({"union_tag_invalid", "union_tag_not_found"})
"""pydantic error types whose message quotes the input (a discriminator's value)."""

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PREFIXES = ("Value error, ", "Assertion failed, ")


def location_of(loc: Sequence[int | str], prefix: str = "") -> str:
    """A dotted location (``notifysdk.stages[3].medium``); an odd key is quoted and cut."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if _PLAIN_KEY.fullmatch(part) else json.dumps(part[:40], ensure_ascii=True)
        out = f"{out}.{key}" if out else key
    return out or "<root>"


def _leaves(value: Any, out: list[str], budget: int = 64) -> None:
    """The scalar values inside ``value`` (as text), at most ``budget`` of them."""
    stack = [value]
    while stack and len(out) < budget:
        item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            text = str(item)
            if len(text) >= 3:
                out.append(text)


def _mentions(message: str, value: Any) -> bool:
    leaves: list[str] = []
    _leaves(value, leaves)
    return any(leaf in message for leaf in leaves)


def _reason(err: Mapping[str, Any], reasons: Mapping[str, str]) -> str:
    kind = str(err["type"])
    if kind in reasons:
        return reasons[kind]
    if kind in FIXED_REASONS:
        return FIXED_REASONS[kind]
    message = str(err.get("msg", ""))
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    if kind in _ECHOING or not message or _mentions(message, err.get("input")):
        return f"invalid ({kind})"
    return message


def configuration_error(
    exc: pydantic.ValidationError,
    what: str,
    *,
    location: str = "",
    hints: Mapping[str, str] | None = None,
    reasons: Mapping[str, str] | None = None,
) -> ConfigurationError:
    """``exc`` as a :class:`ConfigurationError`: ``"<what>: <location>: <reason>; …"``.

    ``location`` prefixes every location (``notifysdk.channels.twilio-sms``); ``hints``
    adds text after a location, by its unprefixed dotted path (``{"auth_token": " (or
    TWILIO_AUTH_TOKEN)"}``); ``reasons`` replaces the reason for a pydantic error type
    (``{"missing": "is required"}``). The reason is pydantic's message for its own error
    types, or a validator's own message, unless it quotes any value of the input; then
    it is ``invalid (<type>)``. The input itself is never shown.
    """
    problems: list[FieldProblem] = []
    texts: list[str] = []
    for err in exc.errors(include_url=False, include_context=False):
        bare = location_of(err["loc"])
        where = location_of(err["loc"], location)
        if hints and bare in hints:
            where += hints[bare]
        problem = FieldProblem(where, _reason(err, reasons or {}), str(err["type"]))
        problems.append(problem)
        # A check across fields (a model validator) names its own locations.
        texts.append(str(problem) if err["loc"] or location else problem.reason)
    return ConfigurationError(f"{what}: " + "; ".join(texts), problems=problems)


def read_toml(path: Path | str, what: str) -> dict[str, Any]:
    """Read a TOML file; a file that is missing, unreadable, larger than
    :data:`MAX_CONFIG_BYTES`, not UTF-8 or not TOML is a :class:`ConfigurationError`
    naming ``what`` and the file, never its content. A UTF-8 byte-order mark is allowed.
    """
    p = Path(path)
    try:
        if p.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigurationError(f"{what} file {p} is larger than {MAX_CONFIG_BYTES:,} bytes")
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(f"{what} file not found: {p}") from None
    except OSError as exc:
        raise ConfigurationError(f"{what} file {p} cannot be read ({type(exc).__name__})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"{what} file {p} is not UTF-8 text (at byte {exc.start})"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{what} file {p} is not valid TOML: {exc}") from None
    except (RecursionError, ValueError) as exc:  # nesting too deep, a number too long
        raise ConfigurationError(
            f"{what} file {p} is not valid TOML ({type(exc).__name__})"
        ) from None


def table_of(raw: Mapping[str, Any], key: str, what: str) -> tuple[dict[str, Any], str]:
    """``raw[key]`` when the file has that table (and the location prefix ``key``), else
    the whole file (and no prefix); a ``key`` that is not a table is refused."""
    if key not in raw:
        return dict(raw), ""
    table = raw[key]
    if not isinstance(table, Mapping):
        problem = FieldProblem(key, "must be a table", "dict_type")
        raise ConfigurationError(f"{what}: {problem}", problems=[problem])
    return dict(table), key
