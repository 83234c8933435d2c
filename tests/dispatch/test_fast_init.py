"""fast_init: the same object as a frozen dataclass's own __init__ makes, built faster."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest

from notifysdk.dispatch.context import NoticeContext, Prepared
from notifysdk.frozen import fast_init
from notifysdk.policy import Decision, RuleContext, Verdict, Vote
from notifysdk.templating import Rendered


def _pair() -> tuple[type[Any], type[Any]]:
    def make() -> type[Any]:
        @dataclass(frozen=True)
        class Sample:
            a: int
            b: str = "b"
            c: dict[str, int] = field(default_factory=dict)
            d: tuple[int, ...] = ()
            e: list[int] = field(default_factory=list, kw_only=True)
            f: int = field(default=7, kw_only=True, compare=False)

        return Sample

    return make(), fast_init(make())


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((1,), {}),
        ((1, "x"), {}),
        ((1, "x", {"k": 1}, (2,)), {"e": [3], "f": 9}),
        ((), {"a": 2, "c": {}, "e": []}),
    ],
)
def test_the_same_fields_as_the_generated_init(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    plain, fast = _pair()
    expected, got = plain(*args, **kwargs), fast(*args, **kwargs)
    assert dataclasses.asdict(got) == dataclasses.asdict(expected)
    assert repr(got).split("(", 1)[1] == repr(expected).split("(", 1)[1]


def test_still_frozen_and_factories_still_fresh() -> None:
    _, fast = _pair()
    one, two = fast(1), fast(1)
    assert one == two and one.c is not two.c and one.e is not two.e
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 2
    assert dataclasses.replace(one, b="z") == fast(1, "z")


def test_the_same_errors_for_bad_calls() -> None:
    plain, fast = _pair()
    for call in (lambda c: c(), lambda c: c(1, 2, 3, 4, 5), lambda c: c(1, g=1)):
        with pytest.raises(TypeError):
            call(plain)
        with pytest.raises(TypeError):
            call(fast)


def test_refuses_what_it_cannot_copy() -> None:
    @dataclass
    class Mutable:
        a: int

    @dataclass(frozen=True)
    class Post:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True)
    class Hidden:
        a: int
        b: int = field(default=0, init=False)

    for cls in (Mutable, Post, Hidden):
        with pytest.raises(TypeError):
            fast_init(cls)


def test_the_per_notice_objects_use_it() -> None:
    for cls in (Vote, Decision, RuleContext, NoticeContext, Prepared, Rendered):
        assert cls.__init__.__code__.co_filename == "<string>", cls
        assert "__no_value" in cls.__init__.__globals__, cls
    vote = Vote(Verdict.DENY, "r", "cn", "why", until=None)
    assert (vote.verdict, vote.rule, vote.profile, vote.reason, vote.numbers) == (
        Verdict.DENY,
        "r",
        "cn",
        "why",
        {},
    )
    assert Vote.allow("r").numbers is not Vote.allow("r").numbers
