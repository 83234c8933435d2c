"""The visit-record API and the font look-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifysdk.errors import ConfigurationError, InvalidInputError
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.testing import sample_account
from notifysdk_callscript import scopes
from notifysdk_visitletter import (
    FontNotFoundError,
    VisitOutcome,
    VisitReport,
    find_fonts,
    record_visit,
)

AT = datetime(2026, 1, 8, 2, 30, tzinfo=UTC)
STAFF = [{"name": "王强", "staff_id": "S-1001"}, {"name": "李娜", "staff_id": "S-1002"}]


async def test_a_compliant_visit_is_recorded_without_names() -> None:
    ledger, account = MemoryLedger(), sample_account()
    rec = await record_visit(
        ledger,
        account,
        VisitReport(
            outcome=VisitOutcome.PLAN_AGREED,
            at=AT,
            staff=STAFF,  # type: ignore[arg-type]
            present=[{"role": "debtor"}, {"role": "spouse"}],  # type: ignore[list-item]
            recording_ref="REC-2026-0001",
            identification_shown=True,
        ),
    )
    assert rec.breaches == ()
    assert await ledger.count(scopes.visit(account), AT, AT + timedelta(seconds=1)) == 1
    (entry,) = [e for e in await ledger.audit_entries() if e.event == "visit_record"]
    assert entry.detail["present_roles"] == ["debtor", "spouse"]
    assert entry.detail["staff_ids"] == ["S-1001", "S-1002"]
    assert "王强" not in repr(entry.detail) and account.debtor.name not in repr(entry.detail)


async def test_checklist_breaches_are_audited() -> None:
    ledger, account = MemoryLedger(), sample_account()
    rec = await record_visit(
        ledger,
        account,
        VisitReport(
            outcome=VisitOutcome.DISPUTE,
            at=AT,
            staff=STAFF[:1],  # type: ignore[arg-type]
            disclosed_to_others=True,
        ),
    )
    assert set(rec.breaches) == {
        "fewer than 2 staff",
        "no recording reference",
        "identification not shown",
        "debt disclosed in front of others",
    }
    assert (
        await ledger.count(scopes.state_set(account, "dispute"), AT, AT + timedelta(seconds=1)) == 1
    )


def test_visit_report_needs_staff_and_an_aware_time() -> None:
    with pytest.raises(InvalidInputError) as err:
        VisitReport(outcome=VisitOutcome.NOT_HOME, at=AT, staff=[])
    assert err.value.field == "visit_report.staff"
    with pytest.raises(InvalidInputError):
        VisitReport(outcome=VisitOutcome.NOT_HOME, at=datetime(2026, 1, 8), staff=STAFF)  # type: ignore[arg-type]


def test_fonts_are_found_and_a_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    fonts = find_fonts()
    assert fonts and fonts[0].path.name == "NotoSansSC-Regular.otf"  # from PyPI, no system font
    with pytest.raises(FontNotFoundError) as err:
        find_fonts({"font_path": str(tmp_path / "missing.ttf")})
    assert isinstance(err.value, ConfigurationError) and "font_path" in str(err.value)


def test_no_font_at_all_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from notifysdk_visitletter import fonts

    monkeypatch.setattr(fonts, "_packaged", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ())
    with pytest.raises(FontNotFoundError) as err:
        fonts.find_fonts()
    assert "pylopdf-fonts-zh-cn" in str(err.value) and "fonts-noto-cjk" in str(err.value)
