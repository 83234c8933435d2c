"""Issue 17 QA: a ladder's credit-report step needs a pre-notice stage *to the debtor*.

The rule opens the report step only for a pre-notice the debtor received (征信业管理条例
Art. 15, 12 CFR 1006.30(a)); a ladder whose only pre-notice stage goes to guarantors was
accepted, and every report it planned was then blocked at run time. It is refused when
the ladder is read, naming the stage, as a ladder without a pre-notice is.
"""

from __future__ import annotations

import pytest

from notifysdk.campaign.ladder import parse_ladder
from notifysdk.errors import ConfigurationError

PRE = {"name": "p60", "day": 60, "kind": "credit_report_prenotice", "medium": "email"}
REPORT = {
    "name": "r75",
    "day": 75,
    "kind": "credit_report",
    "medium": "letter",
    "channel": "credit-bureau",
}


@pytest.mark.parametrize("role", ["guarantor", "emergency_contact"])
def test_a_prenotice_stage_to_another_role_does_not_open_the_report_stage(role: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_ladder({"stages": [{**PRE, "role": role}, REPORT]}, source="t.toml")
    message = str(info.value)
    assert "stages[1]: the credit-report step needs a pre-notice stage" in message
    assert "debtor" in message


def test_a_prenotice_to_the_debtor_besides_one_to_a_guarantor_is_enough() -> None:
    extra = {**PRE, "name": "p61", "day": 61, "role": "guarantor"}
    ladder = parse_ladder({"stages": [PRE, extra, REPORT]})
    assert ladder.report_lead(("cn",)) == 15  # from the debtor's pre-notice on day 60
