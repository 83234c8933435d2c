"""preview's panel shows an approved-template form whose parameters are named
(Aliyun's ``${name}``) or in placeholder order (Tencent's ``{1}``)."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from notifysdk.cli.preview import _panel


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"name": "张**"}, "parameters: name=张**"),
        (["张**", "¥1.00"], "parameters: 1=张**, 2=¥1.00"),
    ],
)
def test_the_approved_form_is_shown_with_its_parameters(params: Any, shown: str) -> None:
    result = {
        "status": "rendered",
        "kind": "overdue_notice",
        "medium": "sms",
        "channel": "some-sms",
        "locale": "zh-CN",
        "role": "debtor",
        "body": "【B】张**您好",
        "disclosure": "limited",
        "html": False,
        "attachments": [],
        "approved": {
            "template_code": "T1",
            "sign_name": "B",
            "approved_text": "x",
            "params": params,
        },
    }
    console = Console(width=120, record=True)
    console.print(_panel(result))
    text = console.export_text()
    assert "approved template T1 (sign B)" in text and shown in text
