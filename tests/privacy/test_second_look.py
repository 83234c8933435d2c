"""The leak guard's second look: after masking, the redactor runs the detectors again on
its own output, and anything still found that the level may not carry is a leak.

The first pass can leave a value behind. Two addresses run together
(``alice@example.combob@example.org``) are one finding to the email detector; its mask
keeps the domain, and the domain is where the second address starts. An address whose
domain holds a mobile number keeps the number. Only the second look sees either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from notifysdk import redaction_logging as rl
from notifysdk.privacy import Level, Redactor, default_detectors

REDACTOR = Redactor(default_detectors())

RUN_TOGETHER = "write to alice@example.combob@example.org today"
PHONE_IN_DOMAIN = "reply to wei@x13800138000.cn"
LOGGER = "notifysdk.test-second-look"


@pytest.mark.parametrize("level", [Level.LOG, Level.LIMITED, Level.NONE])
def test_two_addresses_run_together_are_a_leak_after_masking(level: Level) -> None:
    red = REDACTOR.mask(RUN_TOGETHER, level)
    # the first pass masked one (wide) address and left the second one readable
    assert red.text == "write to a***@example.combob@example.org today"
    assert not red.clean
    assert [(f.kind, red.text[f.start : f.end]) for f in red.leaks] == [
        ("email", "example.combob@example.org")
    ]


@pytest.mark.parametrize("level", [Level.LOG, Level.LIMITED, Level.NONE])
def test_a_number_left_in_a_masked_address_is_a_leak(level: Level) -> None:
    red = REDACTOR.mask(PHONE_IN_DOMAIN, level)
    assert red.text == "reply to w***@x13800138000.cn"
    assert [(f.kind, red.text[f.start : f.end]) for f in red.leaks] == [("phone", "13800138000")]


def test_masking_that_leaves_nothing_is_clean() -> None:
    """The control: the guard is not simply refusing every text with an address in it."""
    red = REDACTOR.mask("write to alice@example.com, bob@example.org", Level.LIMITED)
    assert red.text == "write to a***@example.com, b***@example.org"
    assert red.clean and red.leaks == ()


@pytest.fixture
def sdk_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    rl.uninstall()
    logging.getLogger(LOGGER)  # exists before install: gets the filter
    rl.install()
    caplog.set_level(logging.DEBUG, logger="notifysdk")
    yield caplog
    rl.uninstall()


def test_no_raw_address_reaches_a_log_line(sdk_log: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger(LOGGER)
    log.info("bounced: %s", RUN_TOGETHER)
    log.info("bounced: %s", PHONE_IN_DOMAIN)
    log.info("bounced: %s", "alice@example.com")
    lines = [r.getMessage() for r in sdk_log.records if r.name == LOGGER]
    assert lines == ["[redacted]", "[redacted]", "bounced: a***@example.com"]
    assert "example.org" not in sdk_log.text and "13800138000" not in sdk_log.text
