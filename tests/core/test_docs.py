"""The plugin author's guide names only hooks, variables and fixtures that exist."""

from __future__ import annotations

import re
from pathlib import Path

from notifysdk import hookspecs, plugins, pytest_plugin

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "plugin-guide.md").read_text(encoding="utf-8")


def test_guide_names_only_real_hooks() -> None:
    named = set(re.findall(r"\bnotifysdk_(?:register|on)_\w+", GUIDE))
    assert named, "the guide shows no hook"
    # besides the hooks: the fixture notifysdk_register_plugin, and the guide's example
    # of a misspelt hook name
    not_hooks = {"notifysdk_register_plugin", "notifysdk_register_channel"}
    assert named - not_hooks <= set(vars(hookspecs))
    assert not not_hooks & set(vars(hookspecs))


def test_guide_names_the_real_environment_variables() -> None:
    source = Path(plugins.__file__).read_text(encoding="utf-8")
    for var in set(re.findall(r"NOTIFYSDK_[A-Z_]+", GUIDE)):
        assert f'"{var}"' in source, var


def test_guide_names_the_real_fixtures() -> None:
    for fixture in (
        "notifysdk_plugins",
        "notifysdk_register_plugin",
        "notifysdk_clock",
        "notifysdk_mock_channel",
        "notifysdk_dispatcher",
        "notifysdk_ledger_url",
        # the aliases of earlier releases
        "register_plugin",
        "fake_clock",
        "mock_channel",
        "dispatcher",
    ):
        assert f"`{fixture}`" in GUIDE
        assert hasattr(pytest_plugin, fixture)


def test_guide_entry_point_group_is_the_real_one() -> None:
    assert f"[project.entry-points.{plugins.ENTRY_POINT_GROUP}]" in GUIDE
