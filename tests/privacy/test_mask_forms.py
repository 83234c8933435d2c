"""What a finding becomes in the text: masks that show nothing of the value beyond the
house style, and stay valid where the value was written (JSON escapes)."""

from __future__ import annotations

import json

from notifysdk.privacy import KnownValues, Redactor, default_detectors

REDACTOR = Redactor(default_detectors())
KNOWN = KnownValues.expand((("name", "张伟强"),))


def test_a_name_written_with_json_escapes_is_masked_as_valid_json() -> None:
    text = json.dumps({"note": "张伟强 called"})  # ensure_ascii: \u5f20\u4f1f\u5f3a
    assert "\\u5f20" in text
    red = REDACTOR.mask(text, "log", KNOWN)
    assert red.clean
    assert json.loads(red.text) == {"note": "张** called"}


def test_a_given_name_alone_is_masked_whole() -> None:
    red = REDACTOR.mask("伟强说明天还款", "log", KNOWN)
    assert red.text == "**说明天还款"
    red = REDACTOR.mask("张伟强说明天还款", "log", KNOWN)
    assert red.text == "张**说明天还款"


def test_hash_style_pseudonymizes_the_decoded_value() -> None:
    plain = REDACTOR.mask("张伟强", "log", KNOWN, style="hash").text
    escaped = REDACTOR.mask(json.dumps("张伟强")[1:-1], "log", KNOWN, style="hash").text
    assert plain == escaped and plain.startswith("name#")
