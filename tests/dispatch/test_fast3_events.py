"""The event hooks without a coroutine per event (``fire_event``), and the plugin
manager's ``hook`` without its lock once loaded (issue 13): the same calls in the same
order as pluggy's own path, awaitables awaited in turn, and a reader of ``hook`` during
another thread's load still waits for that load to end."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from notifysdk.dispatch import events
from notifysdk.dispatch.events import call_event, fire_event
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.plugins import PluginManager
from notifysdk.testing import MockChannel, sample_notice


def _listeners(order: list[str]) -> list[tuple[object, str]]:
    def plain(name: str, *, tryfirst: bool = False, trylast: bool = False) -> object:
        class Plain:
            @hookimpl(tryfirst=tryfirst, trylast=trylast)
            def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
                order.append(name)

        return Plain()

    def late(name: str) -> object:
        class Late:
            @hookimpl
            async def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
                order.append(name)

        return Late()

    return [
        (plain("p1"), "fast3-a"),
        (late("async1"), "fast3-b"),
        (plain("first", tryfirst=True), "fast3-c"),
        (late("async2"), "fast3-d"),
        (plain("last", trylast=True), "fast3-e"),
    ]


async def test_fire_event_calls_in_pluggys_order_and_returns_the_awaitables(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    order: list[str] = []
    for plugin, name in _listeners(order):
        notifysdk_register_plugin(plugin, name)
    d = notifysdk_dispatcher(MockChannel())
    outcome = await d.send(sample_notice())
    sent = list(order)
    order.clear()
    # pluggy's own call path: every implementation called, then the awaitables awaited
    for result in d.plugins.hook.notifysdk_on_outcome(notice=sample_notice(), outcome=outcome):
        if result is not None:
            await result
    assert sent == order and len(sent) == 5
    order.clear()
    pending = fire_event(
        d.plugins, "notifysdk_on_outcome", {"notice": sample_notice(), "outcome": outcome}
    )
    # the plain ones ran at once; the async ones only when awaited, in order
    assert [n for n in sent if not n.startswith("async")] == order
    assert len(pending) == 2
    for result in pending:
        await result
    assert order == [n for n in sent if not n.startswith("async")] + [
        n for n in sent if n.startswith("async")
    ]
    order.clear()
    await call_event(d.plugins, "notifysdk_on_outcome", notice=sample_notice(), outcome=outcome)
    assert sorted(order) == sorted(sent)
    assert events._NONE == []  # the shared empty answer is never appended to


async def test_fire_event_without_listeners_or_awaitables_returns_nothing_to_await(
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    d = notifysdk_dispatcher(MockChannel())
    outcome = await d.send(sample_notice())
    kwargs = {"notice": sample_notice(), "outcome": outcome}
    assert fire_event(d.plugins, "notifysdk_on_outcome", kwargs) == []
    assert events._NONE == []


async def test_a_wrapper_still_goes_through_pluggy(
    notifysdk_register_plugin: Callable[..., str],
    notifysdk_dispatcher: Callable[..., Dispatcher],
) -> None:
    seen: list[str] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> Any:
            seen.append("before")
            result = yield
            seen.append("after")
            return result

    class Plain:
        @hookimpl
        def notifysdk_on_outcome(self, notice: Any, outcome: Any) -> None:
            seen.append("plain")

    notifysdk_register_plugin(Plain(), "fast3-plain")
    notifysdk_register_plugin(Wrapper(), "fast3-wrapper")
    d = notifysdk_dispatcher(MockChannel())
    await d.send(sample_notice())
    assert seen == ["before", "plain", "after"]


def test_hook_waits_for_a_load_under_way_in_another_thread() -> None:
    pm = PluginManager(load_entry_points=False)
    started, release = threading.Event(), threading.Event()
    real = pm._register_module

    def slow(*args: Any, **kwargs: Any) -> None:
        started.set()
        release.wait(5)
        real(*args, **kwargs)

    pm._register_module = slow  # type: ignore[method-assign]
    loader = threading.Thread(target=pm.load)
    loader.start()
    assert started.wait(5)
    seen: list[int] = []

    def read() -> None:
        assert pm.hook is pm.pm.hook
        seen.append(len(pm.infos))

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.05)
    assert not seen  # still waiting for the load (its lock)
    release.set()
    loader.join(5)
    reader.join(5)
    assert seen == [len(pm.infos)] and seen[0] > 0


def test_hook_after_a_failed_load_does_not_load_again() -> None:
    pm = PluginManager(load_entry_points=False, builtins=("notifysdk.no_such_module_fast3",))
    try:
        pm.load()
    except ImportError:
        pass
    else:  # pragma: no cover - the module must not exist
        raise AssertionError("expected the import to fail")
    calls: list[int] = []
    pm._register_module = lambda *a, **k: calls.append(1)  # type: ignore[method-assign]
    assert pm.hook is pm.pm.hook
    assert calls == []
