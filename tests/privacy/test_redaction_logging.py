"""The logging filter, the formatter, exception text and the uncaught-exception hook."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from notifysdk import redaction_logging as rl
from notifysdk.models import Notice, NoticeKind, Recipient, Role
from notifysdk.testing import sample_account

PHONE = "13800138000"
CARD = "6222021380013800"


@pytest.fixture
def sdk_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    rl.uninstall()
    logging.getLogger("notifysdk.test-privacy")  # exists before install: gets the filter
    rl.install()
    caplog.set_level(logging.DEBUG, logger="notifysdk")
    yield caplog
    rl.uninstall()


def test_message_args_and_exception_text_are_masked(sdk_log: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("notifysdk.test-privacy")
    log.info("calling %s about card %s", PHONE, CARD)
    try:
        raise RuntimeError(f"provider said no to {PHONE}")
    except RuntimeError:
        log.exception("send failed")
    text = sdk_log.text
    assert PHONE not in text and CARD not in text
    assert "138****8000" in text and "**** **** **** 3800" in text
    assert "RuntimeError: provider said no to 138****8000" in text


def test_a_bad_format_string_does_not_leak_its_args(sdk_log: pytest.LogCaptureFixture) -> None:
    logging.getLogger("notifysdk.test-privacy").warning("one %s %s", PHONE)
    assert PHONE not in sdk_log.text


def test_a_bound_notice_makes_names_known(sdk_log: pytest.LogCaptureFixture) -> None:
    account = sample_account(3)
    notice = Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel="mock",
        account=account,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
    )
    log = logging.getLogger("notifysdk.test-privacy")
    with rl.bound_notice(notice):
        log.info("visiting %s at %s", account.debtor.name, "3 Sample Road")
    log.info("outside: %s", account.debtor.name)
    lines = [r.getMessage() for r in sdk_log.records]
    assert lines[0] == "visiting 张** at ****"
    assert lines[1] == f"outside: {account.debtor.name}"  # no pattern, nothing bound


def test_formatter_and_exception_helpers() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "to %s", (PHONE,), None)
    assert PHONE not in rl.RedactingFormatter("%(message)s").format(record)
    exc = ValueError(f"bad card {CARD}")
    assert rl.redact_exception(exc) == "ValueError: bad card **** **** **** 3800"
    try:
        raise exc
    except ValueError as caught:
        assert CARD not in rl.redact_exception(caught, with_traceback=True)


def test_excepthook_masks_uncaught_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    written: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    rl.install_excepthook(written.append)
    try:
        raise KeyError(PHONE)
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert written and PHONE not in written[0] and "138****8000" in written[0]


def test_a_bound_notice_builds_its_values_only_when_a_line_is_masked(
    sdk_log: pytest.LogCaptureFixture,
) -> None:
    account = sample_account(4)
    notice = Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel="mock",
        account=account,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
    )
    with rl.bound_notice(notice):
        bound = rl._bound.get()
        assert bound is not None and bound._values is None  # a send that logs nothing
        logging.getLogger("notifysdk.test-privacy").info("about %s", account.debtor.name)
        assert bound._values is not None
        assert rl.current_known() is bound._values
    assert account.debtor.name not in sdk_log.text
    assert rl.current_known() is None
