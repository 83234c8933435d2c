"""STARTTLS and implicit TLS with AUTH against aiosmtpd on loopback; the password never
shows up in errors, logs or reprs."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path
from typing import Any

import pytest
from smtp_peers import Recorder, make_message, password_checker

from notifysdk.errors import PermanentDeliveryError

PASSWORD = "pw-Very-Secret-42"


def _server_context(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    cert, key = tls_files
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


@pytest.fixture
def starttls_server(smtp_server: Any, tls_files: tuple[Path, Path]) -> tuple[Any, Recorder]:
    recorder = Recorder()
    server = smtp_server(
        recorder,
        tls_context=_server_context(tls_files),
        require_starttls=True,
        authenticator=password_checker("mailer", PASSWORD),
        auth_require_tls=True,
        auth_required=True,
    )
    return server, recorder


async def test_starttls_and_auth_deliver(
    starttls_server: Any, tls_files: tuple[Path, Path], make_channel: Any
) -> None:
    server, recorder = starttls_server
    channel = make_channel(
        port=server.port,
        tls="starttls",
        ca_file=str(tls_files[0]),
        username="mailer",
        password=PASSWORD,
    )
    await channel.send(make_message())
    assert len(recorder.received) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_implicit_tls_and_auth_deliver(
    smtp_server: Any, tls_files: tuple[Path, Path], make_channel: Any
) -> None:
    recorder = Recorder()
    # aiosmtpd counts only STARTTLS as TLS for AUTH, hence auth_require_tls=False here
    server = smtp_server(
        recorder,
        ssl_context=_server_context(tls_files),
        authenticator=password_checker("mailer", PASSWORD),
        auth_required=True,
        auth_require_tls=False,
    )
    channel = make_channel(
        port=server.port,
        tls="implicit",
        ca_file=str(tls_files[0]),
        username="mailer",
        password=PASSWORD,
    )
    await channel.send(make_message())
    assert len(recorder.received) == 1


async def test_wrong_password_is_permanent_and_never_shown(
    starttls_server: Any,
    tls_files: tuple[Path, Path],
    make_channel: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, recorder = starttls_server
    wrong = "wrong-Secret-99"
    channel = make_channel(
        port=server.port,
        tls="starttls",
        ca_file=str(tls_files[0]),
        username="mailer",
        password=wrong,
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(PermanentDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "535"
    for text in (
        str(info.value),
        repr(info.value),
        caplog.text,
        repr(channel),
        repr(channel.settings),
        str(channel.settings),
    ):
        assert wrong not in text
    assert recorder.received == []


async def test_untrusted_certificate_is_permanent(starttls_server: Any, make_channel: Any) -> None:
    server, _ = starttls_server
    channel = make_channel(
        port=server.port, tls="starttls", username="mailer", password=PASSWORD
    )  # no ca_file: the self-signed cert is unknown
    with pytest.raises(PermanentDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "tls"


async def test_starttls_required_but_not_offered_is_permanent(
    smtp_server: Any, make_channel: Any
) -> None:
    channel = make_channel(port=smtp_server(Recorder()).port, tls="starttls")
    with pytest.raises(PermanentDeliveryError) as info:
        await channel.send(make_message())
    assert info.value.provider_code == "unsupported"
