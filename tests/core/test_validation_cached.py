"""The phone and e-mail checks are cached by string: a cached answer is the same answer,
a refusal is raised every time, and a value that is not a string is refused by type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic_core import PydanticCustomError

from notifysdk.validation import normalize_email, normalize_phone


@pytest.mark.parametrize(
    ("check", "good", "normalized", "bad"),
    [
        (normalize_phone, " +86 138 0013 8000", "+8613800138000", "+86 123"),
        (normalize_email, "Someone@Example.COM", "Someone@example.com", "no-at-sign.example"),
    ],
    ids=["phone", "email"],
)
def test_a_repeated_value_gets_the_same_answer_and_a_refusal_every_time(
    check: Callable[[Any], str], good: str, normalized: str, bad: str
) -> None:
    assert check(good) == normalized
    assert check(good) == normalized
    for _ in range(2):
        with pytest.raises(PydanticCustomError):
            check(bad)


@pytest.mark.parametrize("check", [normalize_phone, normalize_email], ids=["phone", "email"])
def test_an_unhashable_value_is_refused_as_not_a_string(check: Callable[[Any], str]) -> None:
    with pytest.raises(PydanticCustomError, match="must be a string"):
        check(["+8613800138000"])
