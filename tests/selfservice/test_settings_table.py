"""The ``[self_service]`` table of a settings file: read with the other settings, checked
when they load (a bad table fails at start, naming the setting, never its value)."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifysdk.config import Settings
from notifysdk.errors import ConfigurationError
from notifysdk.selfservice.links import config_for


def test_the_table_configures_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFYSDK_SELF_SERVICE_URL", raising=False)
    path = tmp_path / "notifysdk.toml"
    path.write_text(
        '[self_service]\npublic_base_url = "https://pay.example.com/s"\nlink_days = 10\n',
        encoding="utf-8",
    )
    cfg = config_for(Settings.load(path))
    assert (cfg.public_base_url, cfg.link_days) == ("https://pay.example.com/s", 10)


def test_a_bad_table_fails_when_the_settings_load(tmp_path: Path) -> None:
    path = tmp_path / "notifysdk.toml"
    path.write_text('[self_service]\npublic_base_url = "ftp://13800138000"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        Settings.load(path)
    assert "public_base_url" in str(err.value) and "13800138000" not in str(err.value)
