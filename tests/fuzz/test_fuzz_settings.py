"""Fuzz: mutated settings and ladder files (``settings_mutations.py``).

Every file either loads or raises :class:`~notifysdk.errors.ConfigurationError`, within
a deadline, and the error never shows a value of the file: every string a mutation wrote
is a distinctive token, and none may appear in the error's text. A settings file that
loads is then handed, section by section, to the plugins that validate their channel's
settings (SMTP, Twilio, the visit letter's summons), which must keep the same promise; and
the secrets of a loaded file (the SMTP password and unsubscribe secret, the Twilio auth
token, the password in ``ledger_url``) never appear in a ``repr``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from settings_mutations import ladder_files, settings_files

from notifysdk.campaign import load_ladder
from notifysdk.config import Settings
from notifysdk.errors import ConfigurationError
from notifysdk_smtp.settings import SMTPSettings
from notifysdk_twilio.settings import TwilioSettings
from notifysdk_visitletter.summons import read_summons_config

SCALE = float(os.environ.get("NOTIFYSDK_FUZZ_SCALE", "1"))
"""Multiplies the number of examples (``NOTIFYSDK_FUZZ_SCALE=10`` for a longer search)."""


def _fuzz(examples: int) -> Any:
    return settings(
        max_examples=int(examples * SCALE),
        deadline=None,  # asserted below, per file
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


DEADLINE = 2.0
"""Seconds one file may take to load or be refused (they take milliseconds)."""

ENVIRONMENT = ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR", "NOTIFYSDK_OWNER")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp, tempfile.TemporaryDirectory() as tmp:
        for name in ENVIRONMENT:
            mp.delenv(name, raising=False)
        yield Path(tmp)


def _refused_without_values(load: Callable[[], Any], tokens: set[str]) -> Any:
    """``load()``'s result, or ``None`` when it raised a ConfigurationError that shows
    none of ``tokens``; anything else fails the test."""
    started = time.monotonic()
    try:
        return load()
    except ConfigurationError as exc:
        text = str(exc) + " ".join(str(p) for p in exc.problems)
        shown = sorted(t for t in tokens if t in text)
        assert not shown, f"the error shows {shown}: {text}"
        return None
    finally:
        assert time.monotonic() - started < DEADLINE


def _channels(loaded: Settings, tokens: set[str], secrets: set[str]) -> None:
    for name, section in loaded.channels.items():
        if name.startswith("smtp"):
            smtp = _refused_without_values(
                lambda s=section, n=name: SMTPSettings.resolve(s, {}, name=n), tokens
            )
            assert smtp is None or not [t for t in secrets if t in repr(smtp)]
        elif name.startswith("twilio"):
            twilio = _refused_without_values(
                lambda s=section, n=name: TwilioSettings.load(s, environ={}, name=n), tokens
            )
            assert twilio is None or not [t for t in secrets if t in repr(twilio)]
        elif name == "visitletter":
            _refused_without_values(lambda s=section: read_summons_config(s), tokens)


@_fuzz(250)
@given(case=settings_files())
def test_every_settings_file_loads_or_is_refused_without_its_values(
    folder: Path, case: tuple[bytes, set[str], set[str]]
) -> None:
    data, tokens, secrets = case
    path = folder / "notifysdk.toml"
    path.write_bytes(data)
    loaded = _refused_without_values(lambda: Settings.load(path), tokens)
    if loaded is not None:
        assert not [t for t in secrets if t in repr(loaded)]
        _channels(loaded, tokens, secrets)


@_fuzz(200)
@given(case=ladder_files())
def test_every_ladder_file_loads_or_is_refused_without_its_values(
    folder: Path, case: tuple[bytes, set[str]]
) -> None:
    data, tokens = case
    path = folder / "ladder.toml"
    path.write_bytes(data)
    _refused_without_values(lambda: load_ladder(path), tokens)
