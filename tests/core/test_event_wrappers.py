"""Event hooks go through pluggy's call path (wrappers and call order work) and each
plain implementation is isolated: what it raises is logged, not propagated, and does
not stop the others."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest

from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.testing import MockChannel, sample_notice


async def test_a_new_style_wrapper_runs_around_the_event(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    seen: list[str] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> Generator[None, Any, Any]:
            seen.append(f"before {outcome.status.value}")
            results = yield
            seen.append(f"after {len(results)} result(s)")
            return results

    class Plain:
        @hookimpl
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            seen.append("plain")

    notifysdk_register_plugin(Plain(), "plain")
    notifysdk_register_plugin(Wrapper(), "wrapper")
    await notifysdk_dispatcher(MockChannel()).send(sample_notice())
    # pluggy hands a wrapper the non-None results: the plain one returned None
    assert seen == ["before delivered", "plain", "after 0 result(s)"]


async def test_an_old_style_hookwrapper_runs_too(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    seen: list[str] = []

    class Old:
        @hookimpl(hookwrapper=True)
        def notifysdk_on_attempt(self, notice: Any, attempt: Any, error: Any) -> Any:
            seen.append(f"attempt {attempt.number}")
            yield

    notifysdk_register_plugin(Old(), "old")
    await notifysdk_dispatcher(MockChannel()).send(sample_notice())
    assert seen == ["attempt 1"]


async def test_tryfirst_orders_the_implementations(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    order: list[str] = []

    class Late:
        @hookimpl(trylast=True)
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            order.append("late")

    class Early:
        @hookimpl(tryfirst=True)
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            order.append("early")

    notifysdk_register_plugin(Early(), "early")
    notifysdk_register_plugin(Late(), "late")
    await notifysdk_dispatcher(MockChannel()).send(sample_notice())
    assert order == ["early", "late"]


async def test_one_raising_implementation_stops_neither_the_others_nor_the_send(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    class Raises:
        @hookimpl(tryfirst=True)
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            raise RuntimeError("sync failure")

    class RaisesLater:
        @hookimpl
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> Any:
            async def publish() -> None:
                raise RuntimeError("async failure")

            return publish()

    class Works:
        @hookimpl(trylast=True)
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            seen.append(outcome.status.value)

    for plugin, name in ((Raises(), "raises"), (RaisesLater(), "raises-later"), (Works(), "ok")):
        notifysdk_register_plugin(plugin, name)
    outcome = await notifysdk_dispatcher(MockChannel()).send(sample_notice())
    assert outcome.ok
    assert seen == ["delivered"]
    logged = caplog.text
    assert "event hook notifysdk_on_outcome of plugin raises raised" in logged
    assert "event hook notifysdk_on_outcome of plugin raises-later raised" in logged
