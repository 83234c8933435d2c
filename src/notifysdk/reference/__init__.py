"""The reference pages under ``docs/reference/``, generated from the code.

``python -m notifysdk.reference`` writes them; ``python -m notifysdk.reference --check``
exits 1 naming every page that differs from what the code gives now (the test
``tests/reference/test_docs_current.py`` runs the same comparison). The pages:

- ``template-variables.md``: every template variable (type, formatted or raw, an
  example rendered for a synthetic notice) and every filter of the SDK and its
  first-party plugins (signature, docstring, an example);
- ``hook-objects.md``: every object a hook passes or returns, its fields, methods and
  constructors, and where to import it (``notifysdk.plugin``);
- ``required-wording.md``: the wording each profile requires per medium, role and
  first or later contact, with a sample sentence and the citation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["PAGES", "REGENERATE", "generate", "stale_pages", "write_pages"]

REGENERATE = "python -m notifysdk.reference"
"""The command that rewrites the pages."""


def _variables() -> str:
    from .variables import template_variables_page

    return template_variables_page()


def _objects() -> str:
    from .objects import hook_objects_page

    return hook_objects_page()


def _wording() -> str:
    from .wording import required_wording_page

    return required_wording_page()


PAGES: dict[str, Callable[[], str]] = {
    "template-variables.md": _variables,
    "hook-objects.md": _objects,
    "required-wording.md": _wording,
}
"""File name under ``docs/reference/`` → the function that writes its text."""


def default_dir() -> Path:
    """``docs/reference`` of the source checkout."""
    return Path(__file__).resolve().parents[3] / "docs" / "reference"


def generate() -> dict[str, str]:
    """Every page's text, by file name."""
    return {name: build() for name, build in PAGES.items()}


def stale_pages(folder: Path) -> list[str]:
    """The pages under ``folder`` that are missing or differ from :func:`generate`."""
    return [
        name
        for name, text in generate().items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    ]


def write_pages(folder: Path) -> list[Path]:
    """Write every page into ``folder`` (created if needed); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in generate().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out
