"""The event hooks' direct call (issue 13) does what pluggy's call path does: the same
implementations in the same order, async ones awaited; with call monitoring installed
(hook tracing) the call goes through pluggy so the monitor sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifysdk.dispatch.events import call_event
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.testing import MockChannel, sample_notice


def _plugins(order: list[str]) -> list[tuple[object, str]]:
    def plain(name: str, **marks: Any) -> object:
        class Plain:
            @hookimpl(**marks)
            def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
                order.append(name)

        return Plain()

    class Late:
        @hookimpl
        async def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            order.append("async")

    return [
        (plain("first-registered"), "a"),
        (plain("tryfirst", tryfirst=True), "b"),
        (Late(), "c"),
        (plain("trylast", trylast=True), "d"),
        (plain("last-registered"), "e"),
    ]


async def test_the_direct_call_keeps_pluggys_order_and_awaits(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    order: list[str] = []
    for plugin, name in _plugins(order):
        notifysdk_register_plugin(plugin, name)
    d = notifysdk_dispatcher(MockChannel())
    outcome = await d.send(sample_notice())
    direct = list(order)
    order.clear()
    # pluggy's own call path on the same implementations, for comparison
    results = d.plugins.hook.notifysdk_on_outcome(notice=sample_notice(), outcome=outcome)
    for result in results:
        await result
    assert direct == order
    assert "async" in direct and len(direct) == 5
    order.clear()
    await call_event(d.plugins, "notifysdk_on_outcome", notice=sample_notice(), outcome=outcome)
    assert order == direct


async def test_a_call_monitor_sees_every_event(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    order: list[str] = []
    for plugin, name in _plugins(order):
        notifysdk_register_plugin(plugin, name)
    d = notifysdk_dispatcher(MockChannel())
    seen: list[str] = []
    undo = d.plugins.pm.add_hookcall_monitoring(
        lambda hook_name, impls, kwargs: seen.append(hook_name), lambda *a: None
    )
    try:
        await d.send(sample_notice())
    finally:
        undo()
    assert "notifysdk_on_outcome" in seen
    assert len(order) == 5
