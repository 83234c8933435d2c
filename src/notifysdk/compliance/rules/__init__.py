"""The compliance rules, each a small named unit with its citation.

Policy stage (before rendering): ``contact-window``, ``frequency-cap``,
``quiet-period``, ``recipient-guard``, ``account-state``, ``ledger-opt-out``,
``credit-report-prenotice``, ``profile-overrides``. Content stage (on the rendered,
masked message): ``required-content``, ``content-lint``, ``contact-record``.
"""

from __future__ import annotations

from ...policy import Rule
from .audit import ProfileOverridesRule
from .base import ProfileRule
from .content import ContactRecordRule, ContentLintRule, RequiredContentRule
from .frequency import FrequencyCapRule, QuietPeriodRule
from .recipient import RecipientGuardRule
from .states import AccountStateRule, CreditReportPrenoticeRule, LedgerOptOutRule
from .window import ContactWindowRule

__all__ = [
    "AccountStateRule",
    "ContactRecordRule",
    "ContactWindowRule",
    "ContentLintRule",
    "CreditReportPrenoticeRule",
    "FrequencyCapRule",
    "LedgerOptOutRule",
    "ProfileOverridesRule",
    "ProfileRule",
    "QuietPeriodRule",
    "RecipientGuardRule",
    "RequiredContentRule",
    "default_rules",
]


def default_rules() -> list[Rule]:
    """A fresh instance of every compliance rule."""
    return [
        ContactWindowRule(),
        FrequencyCapRule(),
        QuietPeriodRule(),
        RecipientGuardRule(),
        AccountStateRule(),
        LedgerOptOutRule(),
        CreditReportPrenoticeRule(),
        ProfileOverridesRule(),
        RequiredContentRule(),
        ContentLintRule(),
        ContactRecordRule(),
    ]
