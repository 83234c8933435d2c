"""Settings from the channel section or the environment; secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifysdk.channels import ChannelContext
from notifysdk.clock import FakeClock
from notifysdk.errors import ConfigurationError
from notifysdk.plugins import PluginManager
from notifysdk_twilio import TwilioSettings, TwilioSmsChannel, TwilioVoiceChannel

from .conftest import ACCOUNT_SID, AUTH_TOKEN

ENV = {
    "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    "TWILIO_FROM": "+14155552345",
    "TWILIO_BASE_URL": "http://127.0.0.1:9",
    "TWILIO_MAX_SEGMENTS": "3",
}


def test_environment_then_section() -> None:
    s = TwilioSettings.load({}, environ=ENV)
    assert (s.account_sid, s.from_, s.max_segments, s.base_url) == (
        ACCOUNT_SID,
        "+14155552345",
        3,
        "http://127.0.0.1:9",
    )
    s = TwilioSettings.load({"max_segments": 5, "from": "ExampleBk"}, environ=ENV)
    assert (s.max_segments, s.from_) == (5, "ExampleBk")


def test_the_token_is_never_shown() -> None:
    s = TwilioSettings.load({}, environ=ENV)
    assert AUTH_TOKEN not in repr(s) and AUTH_TOKEN not in str(s)
    assert AUTH_TOKEN not in repr(s.model_dump())
    with pytest.raises(ConfigurationError) as info:
        TwilioSettings.load({"account_sid": "ACnope"}, environ=ENV)
    assert AUTH_TOKEN not in str(info.value) and "ACnope" not in str(info.value)


def test_missing_settings_name_the_variable() -> None:
    with pytest.raises(ConfigurationError) as info:
        TwilioSettings.load({}, environ={})
    text = str(info.value)
    assert "account_sid (or TWILIO_ACCOUNT_SID): is required" in text
    assert "auth_token (or TWILIO_AUTH_TOKEN): is required" in text


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"base_url": "http://api.example.com"}, "base_url"),  # plain http off loopback
        ({"from": "+1 415 555"}, "from"),
        ({"messaging_service_sid": "MG1"}, "messaging_service_sid"),
        ({"status_callback": "ftp://x"}, "status_callback"),
        ({"max_segments": 0}, "max_segments"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_settings_name_the_field(override: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        TwilioSettings.load(override, environ=ENV)
    assert str(info.value).startswith(f"twilio settings: {field}")


def test_sms_needs_a_sender_and_voice_a_number(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k != "TWILIO_FROM"}
    with pytest.raises(ConfigurationError, match="TWILIO_MESSAGING_SERVICE_SID"):
        TwilioSmsChannel("twilio-sms", TwilioSettings.load({}, environ=env), FakeClock())
    alnum = TwilioSettings.load({"from": "ExampleBk"}, environ=env)
    with pytest.raises(ConfigurationError, match=r"E\.164"):
        TwilioVoiceChannel("twilio-voice", alnum, FakeClock())


def test_registered_through_the_entry_point(
    plugin_manager: PluginManager, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    registry = plugin_manager.registry()
    assert plugin_manager.infos["twilio"].distribution == "notifysdk-twilio"
    ctx = ChannelContext(name="twilio-sms", clock=FakeClock(), output_dir=tmp_path)
    sms = registry.channels["twilio-sms"](ctx)
    voice = registry.channels["twilio-voice"](ctx)
    assert isinstance(sms, TwilioSmsChannel) and isinstance(voice, TwilioVoiceChannel)
    assert (sms.medium.value, sms.contact_kind, sms.disclosure.value) == ("sms", "phone", "limited")
    assert (voice.medium.value, voice.contact_kind, voice.disclosure.value) == (
        "voice",
        "phone",
        "none",
    )
    assert sms.settings.max_segments == 3


def test_with_the_channel_name_errors_give_the_toml_location() -> None:
    with pytest.raises(ConfigurationError) as info:
        TwilioSettings.load({"auth_token": [AUTH_TOKEN]}, environ={}, name="twilio-sms")
    text = str(info.value)
    assert AUTH_TOKEN not in text
    assert (
        "notifysdk.channels.twilio-sms.auth_token (or TWILIO_AUTH_TOKEN): "
        "Input should be a valid string" in text
    )
    assert "notifysdk.channels.twilio-sms.account_sid (or TWILIO_ACCOUNT_SID): is required" in text


def test_webhook_settings_errors_are_configuration_errors() -> None:
    from notifysdk_twilio.webhooks import WebhookSettings

    twilio = TwilioSettings.load({}, environ=ENV)
    with pytest.raises(ConfigurationError) as info:
        WebhookSettings.from_twilio(twilio, public_base_url="ftp://x", max_body_bytes=1)
    text = str(info.value)
    assert "max_body_bytes: Input should be greater than or equal to 1024" in text
    assert "public_base_url: must be an http(s) URL" in text
    assert AUTH_TOKEN not in text
