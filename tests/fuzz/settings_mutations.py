"""Mutated settings and ladder files for the settings fuzz test.

Only the standard library and hypothesis are imported here, so the same strategies can be
run against an older SDK (to count what they found before a fix).

A document starts from a valid settings file (with an SMTP password, a Twilio auth token,
a PostgreSQL password in ``ledger_url``) or a valid ladder, then takes one to four
*structural* mutations (a value of the wrong type, an unknown or misspelt key or table, a
secret moved where it does not belong, a key deleted) and, sometimes, one *byte*
mutation of the written file (bytes that are not UTF-8, a truncation, a BOM, UTF-16).

Every string value a mutation writes is a *token*: ``tk`` (``ts`` for the base file's
secrets) and twelve random letters and digits, which no fixed message of the SDK can
contain by chance. Finding one in an error
means the error echoed the input; :func:`tokens_in` collects them.
"""

from __future__ import annotations

import copy
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

TOKEN = re.compile(r"t[ks][a-z0-9]{12}")

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def tokens(prefix: str = "tk") -> st.SearchStrategy[str]:
    """A distinctive value: ``tk`` (``ts`` for a base file's secrets, so that no
    mutation can write the same value) + 12 letters and digits."""
    return st.text(alphabet=_ALNUM, min_size=12, max_size=12).map(lambda s: prefix + s)


def base_settings(secret: str, password: str, token: str) -> dict[str, Any]:
    """A valid settings document whose secrets are the given tokens."""
    return {
        "notifysdk": {
            "output_dir": "out",
            "ledger_url": f"postgresql://notifysdk:{password}@127.0.0.1/notifysdk",
            "institution_contact": "400-000-0000",
            "lease_seconds": 300.0,
            "retry": {"max_attempts": 5, "base_seconds": 1.0},
            "routes": {"sms": "twilio-sms", "email": "smtp-email"},
            "channels": {
                "smtp-email": {
                    "host": "smtp.example.com",
                    "port": 587,
                    "tls": "starttls",
                    "username": "collections",
                    "password": secret,
                    "from_address": "collections@example.com",
                    "unsubscribe_url": "https://example.com/unsubscribe?token={token}",
                    "unsubscribe_secret": secret + "u",
                },
                "twilio-sms": {
                    "account_sid": "AC" + "0" * 32,
                    "auth_token": token,
                    "from": "+15005550006",
                },
                "visitletter": {
                    "summons_office": "Office 1",
                    "summons_staff": [
                        {"name": "Li Ming", "staff_id": "S-3001"},
                        {"name": "Wang Qiang", "staff_id": "S-3002"},
                    ],
                },
            },
            "profiles": {"cn": {"contact_window": {"start": "09:00"}}},
        },
        "campaign": {"ladder": "ladder.toml"},
    }


def base_ladder(name: str) -> dict[str, Any]:
    """A valid ladder whose first stage is called ``name``."""
    return {
        "version": 1,
        "time_zone": "UTC",
        "stages": [
            {"name": name, "day": 1, "kind": "overdue_notice", "medium": "sms"},
            {"name": "D+3-email", "day": 3, "kind": "overdue_notice", "medium": "email"},
        ],
        "profiles": {"us-regf": {"disable": [name], "stages": {"D+3-email": {"day": 4}}}},
    }


KEYS = (
    "notifysdk",
    "channels",
    "channls",
    "smtp-email",
    "smtp-emial",
    "twilio-sms",
    "password",
    "auth_token",
    "ledger_url",
    "retry",
    "rety",
    "routes",
    "profiles",
    "stages",
    "name",
    "day",
    "kind",
    "medium",
    "fallback",
    "port",
    "max_attempts",
    "lease_seconds",
    "summons_staff",
    "summons_time",
    "time_zone",
    "on_unknown_delivery",
    "default_profiles",
    "output_dir",
    "from",
    "colour",
    "",
    " ",
    "a.b",
    "\u00e9t\u00e9",
)
"""Keys a mutation writes: real ones, misspelt ones and odd ones (keys are locations, so
errors may name them)."""


def values(secret: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """A value of any TOML type; every string in it is a token."""
    scalar = st.one_of(
        secret,
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.just(datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    )
    return st.recursive(
        scalar,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
        ),
        max_leaves=6,
    )


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path[:-1]:
        doc = doc[p]
    return doc


@st.composite
def mutated(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` after one to four structural mutations."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            doc = {"notifysdk": {}}
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        key = path[-1]
        action = draw(st.sampled_from(("set", "rename", "add", "delete", "secret")))
        if action == "set":
            parent[key] = draw(values(tokens()))
        elif action == "rename" and isinstance(parent, dict):
            new = draw(st.sampled_from(KEYS))
            parent[new] = parent.pop(key)
        elif action == "add":
            target = parent[key] if isinstance(parent[key], dict) else parent
            if isinstance(target, dict):
                target[draw(st.sampled_from(KEYS))] = draw(values(tokens()))
            elif isinstance(target, list):
                target.append(draw(values(tokens())))
        elif action == "delete":
            if isinstance(parent, dict) or (isinstance(parent, list) and len(parent) > 1):
                del parent[key]
        else:  # a secret where it does not belong, as a value or as a whole table
            target = parent[key] if isinstance(parent[key], dict) else parent
            if isinstance(target, dict):
                name = draw(st.sampled_from(("password", "auth_token", "secret", "colour")))
                target[name] = draw(
                    st.one_of(tokens(), st.builds(lambda t: {"password": t}, tokens()))
                )
    return doc


def _key(k: Any) -> str:
    k = str(k)
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v).__name__)


def to_toml(doc: dict[str, Any], *, tables: bool = True) -> str:
    """Write ``doc`` as TOML: nested tables as ``[a.b]`` headers (or all inline)."""
    if not tables:
        return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in doc.items())
    lines: list[str] = []

    def table(d: dict[str, Any], where: tuple[str, ...]) -> None:
        subs = []
        if where:
            lines.append("[" + ".".join(_key(w) for w in where) + "]")
        for k, v in d.items():
            if isinstance(v, dict) and v:
                subs.append((k, v))
            else:
                lines.append(f"{_key(k)} = {_value(v)}")
        for k, v in subs:
            table(v, (*where, str(k)))

    table(doc, ())
    return "\n".join(lines) + "\n"


@st.composite
def file_bytes(draw: st.DrawFn, text: str) -> bytes:
    """The file as written: UTF-8, perhaps with one byte-level mutation."""
    data = text.encode("utf-8")
    how = draw(
        st.sampled_from(("none", "none", "insert", "truncate", "flip", "bom", "utf16", "latin1"))
    )
    if how == "insert":
        at = draw(st.integers(min_value=0, max_value=len(data)))
        junk = draw(st.binary(min_size=1, max_size=8))
        data = data[:at] + junk + data[at:]
    elif how == "truncate":
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    elif how == "flip" and data:
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0x80]) + data[at + 1 :]
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "utf16":
        data = text.encode("utf-16")
    elif how == "latin1":
        data = (text + "# caf\u00e9\n").encode("latin-1", errors="replace")
    return data


@st.composite
def settings_files(draw: st.DrawFn) -> tuple[bytes, set[str], set[str]]:
    """A mutated settings file, the tokens it holds and its secrets (the SMTP password
    and unsubscribe secret, the ledger's password, the Twilio auth token)."""
    secret, password, token = draw(st.lists(tokens("ts"), min_size=3, max_size=3, unique=True))
    doc = draw(mutated(base_settings(secret, password, token)))
    text = to_toml(doc, tables=draw(st.booleans()))
    return draw(file_bytes(text)), tokens_in(text), {secret, secret + "u", password, token}


@st.composite
def ladder_files(draw: st.DrawFn) -> tuple[bytes, set[str]]:
    """A mutated ladder file and the tokens it holds."""
    doc = draw(mutated(base_ladder(draw(tokens()))))
    text = to_toml(doc, tables=draw(st.booleans()))
    return draw(file_bytes(text)), tokens_in(text)


def tokens_in(text: str) -> set[str]:
    """Every token in ``text``."""
    return set(TOKEN.findall(text))
