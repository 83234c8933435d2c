"""``--log-format json``: one JSON object per line on stderr, built after the redaction
filter, so seeded personal data never appears raw."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Iterator

import pytest

from notifysdk import redaction_logging
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Message, OutcomeStatus
from notifysdk.observability import JsonFormatter
from notifysdk.testing import MockChannel, sample_account, sample_notice

app_module = importlib.import_module("notifysdk.cli.app")

PHONE = "+8613800138000"
CARD = "6222021380013800"
EMAIL = "borrower@example.com"
KEYS = {"time", "level", "logger", "message", "exception", "stack"}


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """Undo what the root command does to the ``notifysdk`` logger."""
    logger = logging.getLogger("notifysdk")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


def json_lines(err: str) -> list[dict[str, str]]:
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    for line in lines:
        assert set(line) <= KEYS and {"time", "level", "logger", "message"} <= set(line)
    return lines


async def test_json_logs_carry_no_seeded_personal_data(
    cli_logging: None,
    capsys: pytest.CaptureFixture[str],
    dispatcher: Callable[..., Dispatcher],
    mock_channel: Callable[..., MockChannel],
) -> None:
    app_module.root(version=False, log_level="INFO", log_format="json")
    log = logging.getLogger("notifysdk.test.json_logs")
    notice = sample_notice(account=sample_account(locale="zh-CN", phone=PHONE, email=EMAIL))
    person = notice.account.debtor

    def handler(message: Message) -> None:
        # A channel logging what it should not: the destination and the borrower's name
        # (inside send, the dispatcher has bound this notice's values to the filter).
        log.warning(
            "sending to %s for %s, loan %s", message.to, person.name, notice.account.loan_id
        )

    d = dispatcher(mock_channel(handler))
    outcome = await d.send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    log.info("card %s, mail %s, phone %s", CARD, EMAIL, PHONE)
    try:
        raise ValueError(f"bad number {PHONE} for card {CARD}")
    except ValueError:
        log.exception("failed for %s", EMAIL)

    err = capsys.readouterr().err
    lines = json_lines(err)
    messages = [line["message"] for line in lines]
    assert any(m.startswith("sending to ") for m in messages)
    assert any(m.startswith("card ") for m in messages)
    assert any("exception" in line and "ValueError" in line["exception"] for line in lines)
    assert any(line["logger"] == "notifysdk.dispatch" for line in lines)  # the outcome line
    for raw in (PHONE, PHONE[3:], CARD, EMAIL, person.name, notice.account.loan_id):
        assert raw not in err, raw


def test_text_stays_the_default_and_a_bad_format_is_refused(
    cli_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    app_module.root(version=False, log_level="INFO", log_format="text")
    logging.getLogger("notifysdk.test.json_logs").info("plain %s", PHONE)
    err = capsys.readouterr().err
    assert err.startswith("INFO notifysdk.test.json_logs: plain ") and PHONE not in err
    with pytest.raises(typer.BadParameter):
        app_module.root(version=False, log_level="INFO", log_format="xml")


def test_the_formatter_masks_a_record_no_filter_saw() -> None:
    record = logging.LogRecord("other", logging.WARNING, __file__, 1, "to %s", (PHONE,), None)
    line = json.loads(JsonFormatter().format(record))
    assert PHONE not in line["message"] and line["message"].startswith("to ")
    assert getattr(record, "_notifysdk_redacted", False)
    assert redaction_logging.redact_text(PHONE) != PHONE
