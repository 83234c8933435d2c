"""The hook-objects page documents every field and constructor, importable from the
declared plugin API."""

from __future__ import annotations

import dataclasses

import notifysdk.plugin as api
from notifysdk.reference.objects import OBJECTS, hook_objects_page


def _section(page: str, name: str) -> str:
    start = page.index(f"\n## {name}\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else None]


def test_every_object_is_in_the_plugin_api_and_the_page() -> None:
    page = hook_objects_page()
    for doc in OBJECTS:
        assert doc.name in api.__all__, doc.name
        assert f"`from notifysdk.plugin import {doc.name}`" in _section(page, doc.name)


def test_the_objects_the_issue_names_are_documented() -> None:
    names = {d.name for d in OBJECTS}
    wanted = {"RuleContext", "Vote", "Verdict", "Finding", "KnownValues", "ChannelContext"}
    wanted |= {"Message", "Receipt", "Notice", "Outcome", "Detector", "KINDS"}
    assert wanted <= names


def test_every_field_is_listed() -> None:
    page = hook_objects_page()
    for doc in OBJECTS:
        obj = getattr(api, doc.name)
        section = _section(page, doc.name)
        if dataclasses.is_dataclass(obj):
            names = [f.name for f in dataclasses.fields(obj)]
        elif hasattr(obj, "model_fields"):
            names = list(obj.model_fields)
        else:
            continue
        for name in names:
            assert f"| `{name}` |" in section, (doc.name, name)


def test_vote_constructors_and_kinds_are_shown() -> None:
    page = hook_objects_page()
    vote = _section(page, "Vote")
    for ctor in ("allow", "deny", "defer", "restrict"):
        assert f"`{ctor}(rule: str" in vote
    assert "until: datetime" in vote
    kinds = _section(page, "KINDS")
    assert all(f"`{k}`" in kinds for k in api.KINDS)
    assert "`find(text: str, known: KnownValues) -> Iterable[Finding]`" in _section(
        page, "Detector"
    )


def test_every_field_note_names_a_real_field() -> None:
    from notifysdk.reference.introspect import fields_of
    from notifysdk.reference.objects import FIELD_NOTES

    documented = {d.name for d in OBJECTS}
    for owner, field in FIELD_NOTES:
        assert owner in documented, owner
        assert field in {f.name for f in fields_of(getattr(api, owner))}, (owner, field)


def test_message_metadata_keys_are_the_dispatchers() -> None:
    """The keys the page promises are the ones a rendered message carries."""
    import asyncio

    from notifysdk.dispatcher import Dispatcher
    from notifysdk.ledger.memory import MemoryLedger
    from notifysdk.reference.objects import FIELD_NOTES
    from notifysdk.reference.sample import NOW, sample_notice
    from notifysdk.testing import FakeClock

    async def render() -> dict[str, object]:
        async with Dispatcher(clock=FakeClock(NOW), ledger=MemoryLedger()) as d:
            prepared = await d.prepare(sample_notice())
            assert prepared.context.message is not None
            return dict(prepared.context.message.metadata)

    keys = asyncio.run(render())
    note = FIELD_NOTES[("Message", "metadata")]
    assert all(f"`{k}`" in note for k in keys), sorted(keys)
