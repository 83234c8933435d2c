"""Privacy: find personal data in text, mask it to what a channel and role may carry,
and refuse (fail closed) any message that still carries more.

Detectors are plugins (``notifysdk_register_detectors``); the built-in ones are listed
by :func:`default_detectors`. The :class:`Redactor` runs every detector, masks each
finding according to the disclosure level (:mod:`.disclosure`), and the leak guard runs
the detectors again on the result: anything still found that the level does not allow,
and any kind the level forbids outright, blocks the notice with reason ``privacy``.

Modules: :mod:`.findings` (Finding, KnownValues, the Detector protocol),
:mod:`.disclosure` (levels and the role × medium table), :mod:`.masking` (mask styles,
keyed pseudonyms), :mod:`.redactor`, and the detectors in :mod:`.numbers`,
:mod:`.phones`, :mod:`.emails`, :mod:`.text_detectors` (money, known values),
:mod:`.gov_ids` (SSN, NI, HK/Macao/Taiwan IDs, passports), :mod:`.accounts` (IBAN,
labelled account numbers), :mod:`.birth_dates` and :mod:`.im_handles` (label-anchored,
see :mod:`.labels`).
"""

from __future__ import annotations

from .accounts import BankAccountDetector, IbanDetector
from .birth_dates import BirthDateDetector
from .disclosure import (
    ALLOWED_KINDS,
    FORBIDDEN_EVEN_MASKED,
    LEVEL_RULES,
    ROLE_DISCLOSURE,
    ROLE_MEDIUM_DISCLOSURE,
    KindDisclosure,
    Level,
    LevelRule,
    as_level,
    effective_disclosure,
    rule_for,
)
from .findings import KINDS, Detector, Finding, KnownValues
from .gov_ids import (
    HongKongIdDetector,
    MacaoIdDetector,
    PassportDetector,
    TaiwanIdDetector,
    UkNinoDetector,
    UsSsnDetector,
)
from .im_handles import ImHandleDetector
from .masking import canonical, mask_value, pseudonymize
from .numbers import BankCardDetector, ResidentIdDetector, is_card_number, is_resident_id
from .phones import ChineseMobileDetector, PhoneNumberDetector
from .redactor import Redaction, Redactor, Style, merge_findings
from .text_detectors import EmailDetector, KnownValuesDetector, MoneyDetector


def default_detectors() -> list[Detector]:
    """The built-in detectors, in the order they are registered. Where two report the same
    span the first wins: a resident ID before a card, a card-shaped Luhn-valid number
    before a phone number, the stricter government and account numbers before phones."""
    return [
        ResidentIdDetector(),
        BankCardDetector(),
        IbanDetector(),
        UsSsnDetector(),
        UkNinoDetector(),
        HongKongIdDetector(),
        MacaoIdDetector(),
        TaiwanIdDetector(),
        PassportDetector(),
        BankAccountDetector(),
        BirthDateDetector(),
        ImHandleDetector(),
        ChineseMobileDetector(),
        PhoneNumberDetector(),
        EmailDetector(),
        MoneyDetector(),
        KnownValuesDetector(),
    ]


__all__ = [
    "ALLOWED_KINDS",
    "FORBIDDEN_EVEN_MASKED",
    "KINDS",
    "LEVEL_RULES",
    "ROLE_DISCLOSURE",
    "ROLE_MEDIUM_DISCLOSURE",
    "BankAccountDetector",
    "BankCardDetector",
    "BirthDateDetector",
    "ChineseMobileDetector",
    "Detector",
    "EmailDetector",
    "Finding",
    "HongKongIdDetector",
    "IbanDetector",
    "ImHandleDetector",
    "KindDisclosure",
    "KnownValues",
    "KnownValuesDetector",
    "Level",
    "LevelRule",
    "MacaoIdDetector",
    "MoneyDetector",
    "PassportDetector",
    "PhoneNumberDetector",
    "Redaction",
    "Redactor",
    "ResidentIdDetector",
    "Style",
    "TaiwanIdDetector",
    "UkNinoDetector",
    "UsSsnDetector",
    "as_level",
    "canonical",
    "default_detectors",
    "effective_disclosure",
    "is_card_number",
    "is_resident_id",
    "mask_value",
    "merge_findings",
    "pseudonymize",
    "rule_for",
]
