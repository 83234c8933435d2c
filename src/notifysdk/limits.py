"""Every bound the SDK puts on its input, in one place.

A value past a bound is refused with a typed error that names the field and the bound
(the constant's name below), never the value:
:class:`~notifysdk.errors.LimitExceededError` for sizes, lengths, counts and depths,
:class:`~notifysdk.errors.InvalidAmountError` for money,
:class:`~notifysdk.errors.InvalidIdentifierError` for identifiers. In a campaign the
row is refused (counted, reported by line) and the other rows go on.

==============================  ===========  ==============================================
bound                           value        applies to
==============================  ===========  ==============================================
``MAX_AMOUNT``                  10**15       ``principal``, ``overdue_amount``,
                                (exclusive)  ``penalty_interest``: babel formats any amount
                                             below it with its currency's decimals (it
                                             fails from about 10**26 on)
``MAX_AMOUNT_DECIMALS``         6            decimal places of an amount (``1E-1000000``
                                             has a million)
``MAX_NUMBER_CHARS``            40           characters of a number in a CSV cell or a
                                             JSON line, before it is parsed
``MAX_DAYS_OVERDUE``            36 500       ``days_overdue``, either sign (100 years)
``MAX_ID_CHARS``                128          identifiers: ``account_id``, ``loan_id``,
                                             ``person_id``, ``idempotency_key``, ``stage``,
                                             ``channel``, profile codes; printable, no
                                             control characters, no surrounding blanks
``MAX_NAME_CHARS``              200          ``name``, ``institution``, ``agency``,
                                             contact ``label``
``MAX_ADDRESS_LINE_CHARS``      200          each address line, ``city``, ``region``
``MAX_ADDRESS_LINES``           5            lines of one postal address
``MAX_SHORT_TEXT_CHARS``        64           ``national_id``, ``postal_code``, ``locale``,
                                             ``time_zone``
``MAX_PHONE_CHARS``             32           a phone number as given, before parsing
``MAX_EMAIL_CHARS``             254          an email address (RFC 5321's path limit)
``MAX_DESTINATION_CHARS``       320          ``Notice.to``
``MAX_CONTACTS_PER_PERSON``     20           contact points of one person
``MAX_PARTIES_PER_ACCOUNT``     20           guarantors, contacts, attorneys of an account
``MAX_PROFILES``                8            compliance profiles of an account or notice
``MAX_ATTACHMENTS``             10           attachments of one notice
``MAX_JSON_DEPTH``              16           nesting of one JSONL line and of
                                             ``Notice.data`` (a full account needs 7)
``MAX_NOTICE_DATA_CHARS``       65 536       ``Notice.data``: characters of its strings and
                                             keys (8 per other value)
``MAX_ROW_CHARS``               65 536       one CSV record (header included) or one JSONL
                                             line, checked before it is parsed
==============================  ===========  ==============================================

Template output size and rendering time are bounded by the template renderer (see
:mod:`notifysdk.templating`).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "MAX_ADDRESS_LINES",
    "MAX_ADDRESS_LINE_CHARS",
    "MAX_AMOUNT",
    "MAX_AMOUNT_DECIMALS",
    "MAX_ATTACHMENTS",
    "MAX_CONTACTS_PER_PERSON",
    "MAX_DAYS_OVERDUE",
    "MAX_DESTINATION_CHARS",
    "MAX_EMAIL_CHARS",
    "MAX_ID_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_NAME_CHARS",
    "MAX_NOTICE_DATA_CHARS",
    "MAX_NUMBER_CHARS",
    "MAX_PARTIES_PER_ACCOUNT",
    "MAX_PHONE_CHARS",
    "MAX_PROFILES",
    "MAX_ROW_CHARS",
    "MAX_SHORT_TEXT_CHARS",
]

MAX_AMOUNT = Decimal(10) ** 15
"""Amounts must be below this (a quadrillion in any currency)."""
MAX_AMOUNT_DECIMALS = 6
"""Decimal places an amount may have."""
MAX_NUMBER_CHARS = 40
"""Characters of a number as text (CSV cell, JSON literal), checked before parsing."""
MAX_DAYS_OVERDUE = 36_500
"""``days_overdue`` lies in ``[-MAX_DAYS_OVERDUE, MAX_DAYS_OVERDUE]``."""

MAX_ID_CHARS = 128
"""Characters of an identifier."""
MAX_NAME_CHARS = 200
"""Characters of a name (person, institution, agency, contact label)."""
MAX_ADDRESS_LINE_CHARS = 200
"""Characters of an address line, a city or a region."""
MAX_ADDRESS_LINES = 5
"""Lines of one postal address."""
MAX_SHORT_TEXT_CHARS = 64
"""Characters of a national ID, postal code, locale tag or time-zone name."""
MAX_PHONE_CHARS = 32
"""Characters of a phone number as given."""
MAX_EMAIL_CHARS = 254
"""Characters of an email address."""
MAX_DESTINATION_CHARS = 320
"""Characters of an explicit destination (``Notice.to``)."""

MAX_CONTACTS_PER_PERSON = 20
"""Contact points of one person."""
MAX_PARTIES_PER_ACCOUNT = 20
"""Parties (guarantors, emergency contacts, attorneys) of one account."""
MAX_PROFILES = 8
"""Compliance profiles named by one account or notice."""
MAX_ATTACHMENTS = 10
"""Attachments of one notice."""

MAX_JSON_DEPTH = 16
"""Nesting of one JSONL line (a full account needs 7) and of ``Notice.data``."""
MAX_NOTICE_DATA_CHARS = 65_536
"""Size of ``Notice.data``: characters of its strings and keys, 8 per other value."""
MAX_ROW_CHARS = 65_536
"""Characters of one CSV record or one JSONL line, checked before parsing."""
