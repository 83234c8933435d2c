"""The variables every template sees, and the filters it may call, declared.

:func:`notifysdk.templating.notice_context` builds what a template sees; this module says
what each name is: its type, whether it is *formatted* text for the notice's locale (print
it as it is) or a *raw* value (give it to a filter first), an example expression and what
it means. ``tests/reference/test_template_variables.py`` holds the declaration to the
code: the declared names (:func:`variables`) are exactly the keys ``notice_context``
returns, each value has the declared type and each example renders.
``docs/reference/template-variables.md`` is generated from it
(``python -m notifysdk.reference``).

The filters are declared by example only: their names, signatures and docstrings are
read from the code (:data:`FILTER_EXAMPLES` gives one expression per filter, rendered by
the generator).
"""

from __future__ import annotations

import builtins
import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

__all__ = ["FILTER_EXAMPLES", "RAW_TYPES", "TemplateVariable", "variable", "variables"]


@dataclass(frozen=True)
class TemplateVariable:
    """One name a template sees."""

    name: str
    type: str
    """The type as documented (``str``, ``Decimal``, ``Account``...)."""
    python_types: tuple[builtins.type, ...]
    """What the value is at render time (checked by the reference tests)."""
    formatted: bool
    """True: text already formatted for the notice's locale (an amount with its currency
    sign, a long date), printed as it is. False: a raw value (a number, a date, an
    object) to print through a filter or take fields of."""
    example: str
    """A template expression using it (rendered in the reference for a sample notice)."""
    description: str
    raw: str = ""
    """For a formatted value: where the raw value it comes from is."""


def _lazy_text() -> type:
    from .templating import LazyText

    return LazyText


def _models() -> dict[str, type]:
    from .models import Account, Notice, Person

    return {"Account": Account, "Notice": Notice, "Person": Person}


def _declare() -> tuple[TemplateVariable, ...]:
    lazy = _lazy_text()
    m = _models()
    return (
        TemplateVariable(
            "notice",
            "Notice",
            (m["Notice"],),
            False,
            "{{ notice.kind.value }} / {{ notice.idempotency_key[:8] }}",
            "The notice being rendered (see the Notice object in hook-objects.md).",
        ),
        TemplateVariable(
            "kind", "str", (str,), False, "{{ kind }}", "The notice kind (``overdue_notice``)."
        ),
        TemplateVariable(
            "locale",
            "str",
            (str,),
            False,
            "{{ locale }}",
            "The locale the notice renders in (the notice's, else the recipient's); pass "
            "it to the formatting filters.",
        ),
        TemplateVariable(
            "account",
            "Account",
            (m["Account"],),
            False,
            "{{ account.loan_id }}",
            "The overdue account: its amounts (``account.overdue_amount``...) are raw "
            "``Decimal`` values and ``account.due_date`` a raw ``date``; print them "
            "through ``money`` / ``long_date`` or use the formatted variables below.",
        ),
        TemplateVariable(
            "debtor",
            "Person",
            (m["Person"],),
            False,
            "{{ debtor.name }}",
            "The account's debtor (``account.debtor``), whoever the notice goes to.",
        ),
        TemplateVariable(
            "recipient",
            "Person",
            (m["Person"],),
            False,
            "{{ recipient.name }}",
            "The person the notice goes to (the debtor, a guarantor, an emergency contact...).",
        ),
        TemplateVariable(
            "role",
            "str",
            (str,),
            False,
            "{{ role }}",
            "The recipient's role (``debtor``, ``guarantor``, ``emergency_contact``...).",
        ),
        TemplateVariable(
            "institution",
            "str",
            (str,),
            False,
            "{{ institution }}",
            "The lender's name (``account.institution``).",
        ),
        TemplateVariable(
            "agency",
            "str | None",
            (str, type(None)),
            False,
            "{{ agency or institution }}",
            "The collection agency acting for the lender, if any (``account.agency``).",
        ),
        TemplateVariable(
            "institution_contact",
            "str",
            (str,),
            False,
            "{{ institution_contact }}",
            "How to reach the lender: ``Settings.institution_contact`` (empty when not set).",
        ),
        TemplateVariable(
            "neutral_sender",
            "str",
            (str,),
            False,
            "{{ neutral_sender }}",
            "Who a limited-content message says it is from, in place of the lender or its "
            "agency (a third party must not learn that a lender wants the debtor): the "
            "``neutral_sender`` of the profile that restricted the notice (else the first "
            "in force), set per profile under ``[profiles.NAME]`` (``us-regf``: the "
            "institution's own name unless set, FDCPA 1692e(14)); a default for the locale "
            "(``客户服务中心``, ``Customer Service Center``) when no profile has one. To the "
            "debtor: the institution's name (``institution``).",
        ),
        TemplateVariable(
            "self_service_url",
            "str",
            (str,),
            False,
            "{{ self_service_url or institution_contact }}",
            "The notice's signed link to the debtor's self-service page (verify, see the "
            "debt, choose a plan, dispute, contact preferences): "
            "``{public_base_url}/{token}``, the token naming this notice only, valid "
            "``link_days`` (default 30). Empty when ``self_service.public_base_url`` (or "
            "``NOTIFYSDK_SELF_SERVICE_URL``) is not set (as in this sample): print it "
            "under ``{% if self_service_url %}`` or with a fallback. See "
            "docs/self-service.md.",
        ),
        TemplateVariable(
            "amount_due",
            "formatted money (text)",
            (lazy,),
            True,
            "{{ amount_due }}",
            "What is due now: overdue amount plus penalty interest, with its currency.",
            "account.total_due (Decimal)",
        ),
        TemplateVariable(
            "overdue_amount",
            "formatted money (text)",
            (lazy,),
            True,
            "{{ overdue_amount }}",
            "The overdue amount, with its currency.",
            "account.overdue_amount (Decimal)",
        ),
        TemplateVariable(
            "principal",
            "formatted money (text)",
            (lazy,),
            True,
            "{{ principal }}",
            "The loan's principal, with its currency.",
            "account.principal (Decimal)",
        ),
        TemplateVariable(
            "penalty_interest",
            "formatted money (text)",
            (lazy,),
            True,
            "{{ penalty_interest }}",
            "The penalty interest, with its currency.",
            "account.penalty_interest (Decimal)",
        ),
        TemplateVariable(
            "due_date",
            "str (formatted long date)",
            (str,),
            True,
            "{{ due_date }}",
            "The date the payment was due, in the locale's long style.",
            "account.due_date (date)",
        ),
        TemplateVariable(
            "days_overdue",
            "int",
            (int,),
            False,
            "{{ days_overdue }}",
            "Days past the due date (``account.days_overdue``).",
        ),
        TemplateVariable(
            "today",
            "str (formatted long date)",
            (str,),
            True,
            "{{ today }}",
            "The date of the render (the dispatcher's clock), in the locale's long style.",
        ),
        TemplateVariable(
            "data",
            "dict",
            (dict,),
            False,
            "{{ data.agent_name | default('our team') }}",
            "The notice's own ``data`` (JSON-like). Its keys are reachable under "
            "``data`` only, never as top-level names, so they cannot replace the SDK's.",
        ),
    )


@functools.cache
def variables() -> tuple[TemplateVariable, ...]:
    """Every declared template variable, in the reference's order (the models they name
    load on the first call)."""
    return _declare()


def variable(name: str) -> TemplateVariable:
    """The declaration of ``name`` (``KeyError`` when none)."""
    for v in variables():
        if v.name == name:
            return v
    raise KeyError(name)


RAW_TYPES: dict[str, tuple[builtins.type, ...]] = {
    "Decimal": (Decimal,),
    "date": (date,),
    "datetime": (datetime,),
}
"""Raw types named in :attr:`TemplateVariable.raw` (checked by the reference tests)."""

FILTER_EXAMPLES: dict[str, str] = {
    "money": "{{ account.overdue_amount | money(account.currency, locale) }}",
    "long_date": "{{ account.due_date | long_date(locale) }}",
    "repayment_plans": (
        "{% for p in account | repayment_plans(locale, [3, 6]) %}"
        "{{ p.count }} x {{ p.instalment }}; {% endfor %}"
    ),
    "letter_number": "{{ notice | letter_number }}",
    "visit_time": "{{ '2026-01-09T10:00:00-05:00' | visit_time(locale) }}",
}
"""One example expression per filter of the SDK and of its first-party plugins (the
reference shows what it renders to for the sample notice)."""
