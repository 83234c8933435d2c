"""``notifysdk plugin new NAME``: a working plugin distribution, written from plain files.

The skeleton (``skeleton/``, every file ending in ``.tmpl``) holds a channel posting to an
HTTP API, a content rule, a detector, templates scoped to the channel, a filter, and
tests on the SDK's pytest fixtures that pass as generated. Placeholders: ``@@NAME@@``
(the plugin and channel name, ``wecom-bot``), ``@@MODULE@@`` (``notifysdk_wecom_bot``),
``@@CLASS@@`` (``WecomBot``), ``@@FILTER@@`` (``wecom_bot``, the filters' prefix) and
``@@SDK_VERSION@@``. Plain replacement, no template engine: the skeleton's own jinja2
templates pass through untouched.
"""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import InvalidInputError

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
"""A plugin name: lower-case words of letters and digits joined by hyphens."""

MAX_NAME = 40

_SUFFIX = ".tmpl"


def placeholders(name: str, sdk_version: str) -> dict[str, str]:
    """The values substituted for each placeholder, for the plugin ``name``."""
    words = name.split("-")
    return {
        "@@NAME@@": name,
        "@@MODULE@@": "notifysdk_" + "_".join(words),
        "@@CLASS@@": "".join(w.capitalize() for w in words),
        "@@FILTER@@": "_".join(words),
        "@@SDK_VERSION@@": sdk_version,
    }


def check_name(name: str) -> None:
    """Refuse a name that cannot be a distribution, an entry point and a channel name."""
    if len(name) > MAX_NAME or NAME_PATTERN.fullmatch(name) is None:
        raise InvalidInputError(
            "name",
            f"a plugin name is lower-case letters and digits in words joined by hyphens "
            f"(at most {MAX_NAME} characters), such as wecom-bot",
        )


def new_plugin(name: str, parent: Path, *, sdk_version: str) -> Path:
    """Write the distribution ``notifysdk-NAME`` into ``parent`` and return its folder.

    Refuses a bad name, and a folder that exists and is not empty (nothing is
    overwritten)."""
    check_name(name)
    target = Path(parent) / f"notifysdk-{name}"
    if target.exists() and any(target.iterdir()):
        raise InvalidInputError("name", f"{target} exists and is not empty")
    values = placeholders(name, sdk_version)
    for rel, source in _skeleton(files(__package__).joinpath("skeleton"), ""):
        out = target / _fill(rel.removesuffix(_SUFFIX), values)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_fill(source.read_text(encoding="utf-8"), values), encoding="utf-8")
    return target


def _skeleton(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    out: list[tuple[str, Traversable]] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        rel = f"{prefix}{item.name}"
        if item.is_dir():
            if item.name != "__pycache__":
                out.extend(_skeleton(item, rel + "/"))
        elif item.name.endswith(_SUFFIX):
            out.append((rel, item))
    return out


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text
