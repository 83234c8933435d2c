"""Settings from the channel section and the environment; header helpers (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from notifysdk.errors import ConfigurationError
from notifysdk_smtp.headers import (
    check_header,
    list_unsubscribe_post,
    message_id,
    unsubscribe_token,
    unsubscribe_uris,
)
from notifysdk_smtp.settings import SMTPSettings, TLSMode

BASE = {
    "from_address": "notices@lender.example",
    "unsubscribe_url": "https://lender.example/u?t={token}",
}


def test_environment_fills_what_the_section_leaves_out() -> None:
    env = {
        "NOTIFYSDK_SMTP_HOST": "smtp.env.example",
        "NOTIFYSDK_SMTP_PORT": "2525",
        "NOTIFYSDK_SMTP_USERNAME": "mailer",
        "NOTIFYSDK_SMTP_PASSWORD": "env-secret",
        "NOTIFYSDK_SMTP_POOL_SIZE": "8",
        "NOTIFYSDK_SMTP_TLS": "implicit",
        "NOTIFYSDK_SMTP_ARCHIVE_BCC": "a1@lender.example, a2@lender.example",
    }
    s = SMTPSettings.resolve({**BASE, "host": "smtp.section.example"}, env)
    assert s.host == "smtp.section.example"  # the section wins
    assert (s.port, s.pool_size, s.tls, s.username) == (2525, 8, TLSMode.IMPLICIT, "mailer")
    assert s.password is not None and s.password.get_secret_value() == "env-secret"
    assert s.archive_bcc == ("a1@lender.example", "a2@lender.example")
    assert "env-secret" not in repr(s) and "env-secret" not in str(s)


@pytest.mark.parametrize(("tls", "port"), [("none", 25), ("starttls", 587), ("implicit", 465)])
def test_default_port_follows_the_tls_mode(tls: str, port: int) -> None:
    assert SMTPSettings.resolve({**BASE, "tls": tls}, {}).effective_port == port


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"unsubscribe_url": None}, "from_address: required"),
        ({**BASE, "pool_size": 0}, "pool_size: "),
        ({**BASE, "colour": "blue"}, "colour: unknown setting"),
        ({**BASE, "from_address": "not-an-address"}, "from_address: invalid email address"),
        ({**BASE, "from_name": "Bank\r\nBcc: x@example.com"}, "from_name: contains CR, LF"),
        ({"from_address": "n@lender.example"}, "an opt-out route is required"),
        ({**BASE, "unsubscribe_url": "http://lender.example/u"}, "must start with 'https://'"),
        ({**BASE, "unsubscribe_mailto": "optout@lender.example"}, "must start with 'mailto:'"),
        ({**BASE, "unsubscribe_url": "https://l.example/{email}"}, "unknown placeholders"),
        ({**BASE, "unsubscribe_url": "https://l.example/a b"}, "contains spaces"),
        (
            {**BASE, "host": "smtp.example", "tls": "none", "username": "u", "password": "pw-x"},
            "refusing to send credentials without TLS",
        ),
        ({**BASE, "password": "pw-x"}, "a password was given without a username"),
        ({**BASE, "message_id_domain": "bad domain"}, "message_id_domain: not a host name"),
    ],
)
def test_bad_settings_name_the_field_and_reason(section: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        SMTPSettings.resolve(section, {})
    assert expected in str(info.value)
    for secret in ("pw-x", "x@example.com", "not-an-address"):
        assert secret not in str(info.value)


def test_credentials_in_clear_are_allowed_to_loopback_only() -> None:
    s = SMTPSettings.resolve(
        {**BASE, "host": "127.0.0.1", "tls": "none", "username": "u", "password": "p"}, {}
    )
    assert s.username == "u"


def test_message_id_is_a_stable_hash_of_the_key() -> None:
    a = message_id("nk_1", "lender.example")
    assert a == message_id("nk_1", "lender.example") != message_id("nk_2", "lender.example")
    assert a.startswith("<notifysdk.") and a.endswith("@lender.example>")
    assert "loan" not in message_id("loan-LN2026-张伟", "lender.example")
    assert message_id("loan-LN2026-张伟", "lender.example").isascii()


def test_unsubscribe_token_is_signed_when_a_secret_is_set() -> None:
    assert unsubscribe_token("nk_1", None) == "nk_1"
    signed = unsubscribe_token("nk_1", "s")
    assert signed.startswith("nk_1.") and signed != unsubscribe_token("nk_1", "t")


def test_unsubscribe_uris_are_percent_encoded() -> None:
    uris = unsubscribe_uris(
        "mailto:o@l.example?subject={key}", "https://l.example/{key}", "a b/c", None
    )
    assert uris == ["mailto:o@l.example?subject=a%20b%2Fc", "https://l.example/a%20b%2Fc"]
    assert list_unsubscribe_post(uris) == {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert list_unsubscribe_post(uris[:1]) == {}


def test_check_header_names_the_field_not_the_value() -> None:
    from notifysdk.errors import InvalidEmailError

    assert check_header("message.subject", "ok") == "ok"
    with pytest.raises(InvalidEmailError, match=r"^message\.subject: contains CR") as info:
        check_header("message.subject", "secret-value\nX: y")
    assert "secret-value" not in str(info.value)


def test_with_the_channel_name_errors_give_the_toml_location() -> None:
    with pytest.raises(ConfigurationError) as info:
        SMTPSettings.resolve(
            {**BASE, "password": "pw-x", "port": "pw-secret-port", "colour": "pw-blue"},
            {},
            name="smtp-email",
        )
    text = str(info.value)
    assert "notifysdk.channels.smtp-email.port: Input should be a valid integer" in text
    assert "notifysdk.channels.smtp-email.colour: unknown setting" in text
    for secret in ("pw-x", "pw-secret-port", "pw-blue"):
        assert secret not in text
    with pytest.raises(ConfigurationError) as info:
        SMTPSettings.resolve({**BASE, "password": "pw-x"}, {}, name="smtp-email")
    assert str(info.value) == (
        "invalid smtp-email settings: notifysdk.channels.smtp-email: "
        "a password was given without a username"
    )


def test_a_section_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="the section must be a table"):
        SMTPSettings.resolve("pw-x", {})  # type: ignore[arg-type]


def test_the_rate_limiter_counts_the_smtp_account_else_the_envelope_sender() -> None:
    from notifysdk_smtp.channel import SMTPEmailChannel

    loopback = {**BASE, "host": "127.0.0.1", "tls": "none"}
    with_account = SMTPEmailChannel(SMTPSettings.resolve({**loopback, "username": "u1"}, {}))
    without = SMTPEmailChannel(SMTPSettings.resolve(loopback, {}))
    message: Any = None  # the sender does not depend on the message
    assert with_account.sender_id(message) == "u1"
    assert without.sender_id(message) == "notices@lender.example"
