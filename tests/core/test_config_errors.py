"""Settings and ladder files: every problem is a ConfigurationError naming the file or the
setting's location and the kind of problem, never a value (secrets least of all)."""

from __future__ import annotations

import os
from pathlib import Path

import pydantic
import pytest

from notifysdk.campaign import load_ladder, parse_ladder
from notifysdk.config import Settings
from notifysdk.config_errors import MAX_CONFIG_BYTES, configuration_error, location_of
from notifysdk.errors import ConfigurationError

PASSWORD = "S3cr3t-pw-7781"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR", "NOTIFYSDK_OWNER"):
        monkeypatch.delenv(name, raising=False)


def _refused(path: Path, text: str | bytes, *secrets: str) -> ConfigurationError:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    with pytest.raises(ConfigurationError) as info:
        Settings.load(path)
    shown = str(info.value) + " ".join(str(p) for p in info.value.problems)
    for secret in secrets:
        assert secret not in shown, shown
    return info.value


def test_a_misspelt_table_is_named_and_its_contents_never_shown(tmp_path: Path) -> None:
    error = _refused(
        tmp_path / "s.toml",
        f'[notifysdk.channls.smtp-email]\nusername = "collections"\npassword = "{PASSWORD}"\n',
        PASSWORD,
        "collections",
    )
    assert (
        str(error)
        == f"invalid settings in {tmp_path / 's.toml'}: notifysdk.channls: unknown setting"
    )
    assert [(p.field, p.code) for p in error.problems] == [("notifysdk.channls", "extra_forbidden")]


def test_a_ledger_url_given_as_a_list_does_not_print_its_password(tmp_path: Path) -> None:
    url = f"postgresql://notifysdk:{PASSWORD}@db.example/notifysdk"
    error = _refused(tmp_path / "s.toml", f'[notifysdk]\nledger_url = ["{url}"]\n', PASSWORD, url)
    assert "notifysdk.ledger_url: Input should be a valid string" in str(error)


def test_every_problem_is_listed_by_location(tmp_path: Path) -> None:
    error = _refused(
        tmp_path / "s.toml",
        "lease_seconds = -1\nretry = { max_attempts = 'many' }\n"
        'on_unknown_delivery = "maybe"\nchannels = { x = "not a table" }\n',
        "many",
        "maybe",
        "not a table",
    )
    fields = {p.field for p in error.problems}
    assert fields == {"lease_seconds", "retry.max_attempts", "on_unknown_delivery", "channels.x"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe[notifysdk]\n", "is not UTF-8 text (at byte 0)"),
        ("[notifysdk]\nowner = 'caf\u00e9'\n".encode("latin-1"), "is not UTF-8 text"),
        ("[notifysdk\nledger_url = 'x'\n", "is not valid TOML"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "is not valid TOML"),
        ("a = " + "9" * 5000 + "\n", "is not valid TOML"),
        ("notifysdk = 5\n", "notifysdk: must be a table"),
    ],
)
def test_a_file_that_cannot_be_read_as_settings_is_named_not_shown(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    error = _refused(tmp_path / "s.toml", content, "café", "9999999")
    assert expected in str(error)
    assert str(tmp_path / "s.toml") in str(error)


def test_missing_unreadable_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="settings file not found"):
        Settings.load(tmp_path / "none.toml")
    with pytest.raises(ConfigurationError, match=r"cannot be read \(IsADirectoryError\)"):
        Settings.load(tmp_path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigurationError, match="is larger than 1,048,576 bytes"):
        Settings.load(big)
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.toml"
        locked.write_text("", encoding="utf-8")
        locked.chmod(0)
        with pytest.raises(ConfigurationError, match="PermissionError"):
            Settings.load(locked)


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(b'\xef\xbb\xbf[notifysdk]\nowner = "w1"\n')
    assert Settings.load(path).owner == "w1"


def test_secrets_never_show_in_a_repr(tmp_path: Path) -> None:
    url = f"postgresql://notifysdk:{PASSWORD}@db.example/notifysdk"
    path = tmp_path / "s.toml"
    path.write_text(
        f'[notifysdk]\nledger_url = "{url}"\n'
        f'[notifysdk.channels.smtp-email]\npassword = "{PASSWORD}"\n',
        encoding="utf-8",
    )
    settings = Settings.load(path)
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
    assert settings.ledger_url.get_secret_value() == url
    assert settings.channels["smtp-email"]["password"] == PASSWORD


def test_settings_built_in_code_do_not_print_their_input() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        Settings(ledger_url=[f"postgresql://u:{PASSWORD}@h/db"])  # type: ignore[arg-type]
    assert PASSWORD not in str(info.value)


def test_the_environment_still_fills_the_ledger_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFYSDK_LEDGER_URL", "memory://")
    assert Settings.load().ledger_url.get_secret_value() == "memory://"


def test_ladder_files_get_the_same_treatment(tmp_path: Path) -> None:
    path = tmp_path / "ladder.toml"
    path.write_bytes(b'[[stages]]\nname = "\xff"\n')
    with pytest.raises(ConfigurationError, match=r"ladder file .* is not UTF-8 text"):
        load_ladder(path)
    with pytest.raises(ConfigurationError, match=r"cannot be read \(IsADirectoryError\)"):
        load_ladder(tmp_path)
    stage = {"name": "D+1 Wang-Fang-Private", "day": 1, "kind": "overdue_notice", "medium": "sms"}
    with pytest.raises(ConfigurationError) as info:
        parse_ladder({"stages": [stage, stage], "profiles": {"cn": {"disable": ["Secret-X"]}}})
    assert "stages[1].name: the same stage name as stages[0]" in str(info.value)
    assert "Wang-Fang" not in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        parse_ladder({"stages": [stage], "profiles": {"cn": {"disable": ["Secret-X"]}}})
    assert "profiles.cn.disable[0]: names a stage the ladder lacks" in str(info.value)
    assert "Secret-X" not in str(info.value)


class _Pager(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", hide_input_in_errors=True)

    url: str
    token: pydantic.SecretStr
    retries: int = 0

    @pydantic.field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"{value!r} is not https")  # a sloppy validator quoting its input
        return value


def test_the_translator_for_plugin_authors() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        _Pager.model_validate(
            {"url": "http://pager.example/Secret-Path", "retries": "x", "tokn": PASSWORD}
        )
    error = configuration_error(
        info.value,
        "invalid pager settings",
        location="notifysdk.channels.pager",
        hints={"token": " (or PAGER_TOKEN)"},
    )
    text = str(error)
    assert text.startswith("invalid pager settings: ")
    assert "notifysdk.channels.pager.url: invalid (value_error)" in text
    assert "notifysdk.channels.pager.token (or PAGER_TOKEN): required" in text
    assert "notifysdk.channels.pager.retries: Input should be a valid integer" in text
    assert "notifysdk.channels.pager.tokn: unknown setting" in text
    assert "Secret-Path" not in text and PASSWORD not in text


def test_odd_keys_are_quoted_and_cut_in_locations() -> None:
    assert location_of(("stages", 3, "medium"), "notifysdk") == "notifysdk.stages[3].medium"
    assert location_of(("channels", "a b\n" + "x" * 100)) == 'channels."a b\\n' + "x" * 36 + '"'
    assert location_of(()) == "<root>"
