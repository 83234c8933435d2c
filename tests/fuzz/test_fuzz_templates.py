"""Fuzz: random template sources, from jinja fragments and SSTI payloads
(``template_payloads.py``), rendered as a notice's SMS body is.

Every source either renders within the bounds of
:class:`~notifysdk.template_limits.TemplateLimits` or raises the SDK's
:class:`~notifysdk.errors.TemplateError`; never another exception, never past the CPU
bound (plus slack for a loaded machine), never internals (a class, a module, a function's
globals) in the output, and never a personal value of the notice in the error.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from template_payloads import template_sources

from notifysdk.errors import TemplateError
from notifysdk.plugins import get_plugin_manager
from notifysdk.template_limits import DEFAULT_LIMITS
from notifysdk.templating import TemplateRenderer, notice_context
from notifysdk.testing import sample_account, sample_notice

SCALE = float(os.environ.get("NOTIFYSDK_FUZZ_SCALE", "1"))
"""Multiplies the number of examples (``NOTIFYSDK_FUZZ_SCALE=10`` for a longer search)."""

FUZZ = settings(
    max_examples=int(500 * SCALE),
    deadline=None,  # the bound is asserted below, on CPU time, with its own slack
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PHONE = "+8613957246813"
EMAIL = "qz7.borrower@example.com"
NOTE = "Wxqz Private Note"
ACCOUNT = sample_account(locale="en", phone=PHONE, email=EMAIL)
PERSONAL = (ACCOUNT.debtor.name, PHONE, EMAIL, NOTE, ACCOUNT.loan_id, "1 Sample Road")
CONTEXT = notice_context(
    sample_notice(account=ACCOUNT, data={"note": NOTE}), now=datetime(2026, 1, 5, tzinfo=UTC)
)
INTERNALS = (
    "<class ",
    "<module ",
    "<function ",
    "<built-in ",
    "<bound method ",
    "<method",
    "__globals__",
    "__builtins__",
    "FieldInfo(",
)
"""What a template that reached Python's internals would print."""

CPU_SLACK = 2.0
"""Seconds of CPU past the bound allowed for compiling (not counted by the render budget)
and for one step that was already running when the bound passed."""


@pytest.fixture(scope="module")
def pack() -> Iterator[Path]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "overdue_notice").mkdir()
        yield Path(folder)


@FUZZ
@given(source=template_sources())
def test_every_template_renders_within_the_bounds_or_is_a_template_error(
    pack: Path, source: str
) -> None:
    (pack / "overdue_notice" / "sms.en.txt.j2").write_text(source, encoding="utf-8")
    renderer = TemplateRenderer([pack], get_plugin_manager().registry().filters)
    started = time.thread_time()
    try:
        rendered = renderer.render("overdue_notice", "sms", "en", CONTEXT)
    except TemplateError as exc:
        text = f"{exc.field} {exc.reason}"
        assert not [p for p in PERSONAL if p in text], text
        assert exc.template == "overdue_notice/sms.en.txt.j2"
    else:
        assert len(rendered.body) <= DEFAULT_LIMITS.txt_chars + 1
        assert not [m for m in INTERNALS if m in rendered.body], rendered.body[:300]
    spent = time.thread_time() - started
    assert spent < DEFAULT_LIMITS.cpu_seconds + CPU_SLACK, f"{spent:.1f}s of CPU"
