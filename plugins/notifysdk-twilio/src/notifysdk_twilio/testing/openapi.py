"""Check requests against Twilio's OpenAPI description of API 2010-04-01.

The description is read in place from ``../shared/peers/twilio-oai/twilio_api_v2010.json``
beside the repository (or ``$NOTIFYSDK_TWILIO_OAI``), never copied into the project.
:meth:`OpenAPIChecker.check` returns the violations of one request: an undocumented
path or method, a path parameter off its pattern (the account SID), an undocumented
form field or query parameter, a missing required field (``To``), a value of the
wrong type, off its enum or pattern, a malformed phone number, URI or TwiML document.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SPEC_IN_SHARED = Path("peers") / "twilio-oai" / "twilio_api_v2010.json"
ENV_VAR = "NOTIFYSDK_TWILIO_OAI"

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_SENDER_ID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
_CHANNEL_ADDRESS = re.compile(r"^[a-z]+:\S+$")


def expected_spec(start: Path | None = None) -> Path:
    """Where the OpenAPI file is looked for: ``$NOTIFYSDK_TWILIO_OAI`` when set, else
    ``<repo>/../shared/peers/twilio-oai/twilio_api_v2010.json``.

    The repository root is the first ancestor of ``start`` (this file by default)
    holding both ``pyproject.toml`` and ``plugins/``; without one, ``../shared/…``
    relative to the working directory.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    here = (start or Path(__file__)).resolve()
    for ancestor in (here, *here.parents):
        if (ancestor / "pyproject.toml").is_file() and (ancestor / "plugins").is_dir():
            return ancestor.parent / "shared" / SPEC_IN_SHARED
    return Path.cwd().parent / "shared" / SPEC_IN_SHARED


def find_spec(start: Path | None = None) -> Path | None:
    """The OpenAPI file at :func:`expected_spec`, or ``None`` when it is not there."""
    candidate = expected_spec(start)
    return candidate if candidate.is_file() else None


def missing_spec_message(start: Path | None = None) -> str:
    """Why request shapes cannot be checked, naming the file that is missing."""
    return (
        f"Twilio's OpenAPI description is missing: {expected_spec(start)} "
        f"(set ${ENV_VAR} or put peers/twilio-oai/ in ../shared; see peers/README.md)"
    )


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    item: Mapping[str, Any]


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


class OpenAPIChecker:
    """Validates method, path, path parameters, query and form fields of one request."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.routes = [
            _Route(
                t,
                re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(t)) + "$"),
                item,
            )
            for t, item in spec["paths"].items()
        ]

    @classmethod
    def from_file(cls, path: Path | str | None = None) -> OpenAPIChecker:
        """Load the description (``find_spec()`` by default); ``FileNotFoundError`` if absent."""
        found = Path(path) if path is not None else find_spec()
        if found is None or not found.is_file():
            raise FileNotFoundError(
                missing_spec_message()
                if path is None
                else f"Twilio's OpenAPI description is missing: {path}"
            )
        return cls(_load(str(found)))

    def route(self, path: str) -> tuple[_Route, dict[str, str]] | None:
        """The documented path template matching ``path`` and its parameters."""
        for route in self.routes:
            m = route.pattern.match(path)
            if m:
                return route, m.groupdict()
        return None

    def check(
        self,
        method: str,
        path: str,
        *,
        query: Iterable[tuple[str, str]] = (),
        form: Iterable[tuple[str, str]] = (),
        content_type: str | None = None,
    ) -> list[str]:
        """Every way the request departs from the description (empty when it conforms)."""
        found = self.route(path)
        if found is None:
            return [f"{method} {path}: path not in the OpenAPI description"]
        route, path_params = found
        op = route.item.get(method.lower())
        if op is None:
            return [f"{method} {route.template}: method not documented"]
        where = f"{method} {route.template}"
        problems: list[str] = []
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        for name, value in path_params.items():
            p = params.get(("path", name))
            if p is None:
                problems.append(f"{where}: path parameter {name} not documented")
            else:
                problems += self._value(f"{where}: path {name}", value, p["schema"])
        for name, value in query:
            p = params.get(("query", name))
            if p is None:
                problems.append(f"{where}: query parameter {name} not documented")
            else:
                problems += self._value(f"{where}: query {name}", value, p["schema"])
        body = op.get("requestBody")
        pairs = list(form)
        if body is None:
            if pairs:
                problems.append(f"{where}: a form body where none is documented")
            return problems
        media = "application/x-www-form-urlencoded"
        if content_type is not None and content_type.split(";")[0].strip() != media:
            problems.append(f"{where}: content type {content_type!r}, documented {media}")
        schema = self._resolve(body["content"][media]["schema"])
        props: Mapping[str, Any] = schema.get("properties", {})
        seen: dict[str, int] = {}
        for name, value in pairs:
            seen[name] = seen.get(name, 0) + 1
            prop = props.get(name)
            if prop is None:
                problems.append(f"{where}: form field {name} not documented")
                continue
            prop = self._resolve(prop)
            item = self._resolve(prop["items"]) if prop.get("type") == "array" else prop
            problems += self._value(f"{where}: form {name}", value, item)
        for name, count in seen.items():
            prop = props.get(name)
            if prop is not None and count > 1 and self._resolve(prop).get("type") != "array":
                problems.append(f"{where}: form field {name} repeated but not an array")
        for name in schema.get("required", []):
            if name not in seen:
                problems.append(f"{where}: required form field {name} missing")
        return problems

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if not ref:
            return schema
        node: Any = self.spec
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return self._resolve(node)

    def _value(self, where: str, value: str, schema: Mapping[str, Any]) -> list[str]:
        schema = self._resolve(schema)
        kind = schema.get("type", "string")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            return [f"{where}: not an integer"]
        if kind == "number":
            try:
                float(value)
            except ValueError:
                return [f"{where}: not a number"]
        if kind == "boolean" and value not in ("true", "false", "True", "False"):
            return [f"{where}: not a boolean"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{where}: not one of the documented values"]
        if kind != "string":
            return []
        out = []
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{where}: does not match {schema['pattern']}")
        fmt = schema.get("format")
        if fmt == "phone-number" and not (
            _E164.match(value) or _SENDER_ID.match(value) or _CHANNEL_ADDRESS.match(value)
        ):
            out.append(f"{where}: not a phone number, sender ID or channel address")
        elif fmt == "endpoint" and not (_E164.match(value) or _CHANNEL_ADDRESS.match(value)):
            out.append(f"{where}: not an E.164 number or endpoint address")
        elif fmt == "uri":
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                out.append(f"{where}: not an absolute http(s) URI")
        elif fmt == "twiml":
            try:
                root = ET.fromstring(value)
            except ET.ParseError:
                out.append(f"{where}: TwiML is not well-formed XML")
            else:
                if root.tag != "Response":
                    out.append(f"{where}: TwiML root is not <Response>")
        return out
