"""``docs/reference/hook-objects.md``: every object a hook passes or returns, its fields."""

from __future__ import annotations

import enum
import importlib
import inspect
from dataclasses import dataclass

from .introspect import enum_members, fields_of, methods_of, module_attribute_doc
from .markdown import cell, code, first_paragraph, page, table


@dataclass(frozen=True)
class Documented:
    """One object of the page: its name in ``notifysdk.plugin`` and where it shows up."""

    name: str
    used: str
    """Which hook or call passes it, takes it or returns it."""


OBJECTS: tuple[Documented, ...] = (
    Documented("Rule", "what `notifysdk_register_rules` registers"),
    Documented("RuleContext", "passed to `Rule.evaluate(ctx)`"),
    Documented("Vote", "returned by `Rule.evaluate` (or `None` to abstain)"),
    Documented("Verdict", "`Vote.verdict`"),
    Documented("Profile", "what `notifysdk_register_profiles` registers; `RuleContext.profiles`"),
    Documented("Detector", "what `notifysdk_register_detectors` registers"),
    Documented("Finding", "returned (iterated) by `Detector.find`"),
    Documented("KnownValues", "passed to `Detector.find(text, known)`"),
    Documented("KINDS", "`Finding.kind` of the built-in detectors"),
    Documented("ChannelContext", "passed to a channel factory (`notifysdk_register_channels`)"),
    Documented("Message", "passed to `Channel.send(message)`; `RuleContext.message`"),
    Documented("Receipt", "returned by `Channel.send`"),
    Documented("Notice", "`RuleContext.notice`; what `Dispatcher.send` takes"),
    Documented("Outcome", "passed to `notifysdk_on_outcome(outcome)`; returned by `send`"),
    Documented("OutcomeStatus", "`Outcome.status`"),
    Documented("Account", "`Notice.account`"),
    Documented("Person", "`Account.debtor`, `Party.person`, `Recipient.person`"),
    Documented("Party", "`Account.parties`"),
    Documented("Recipient", "`Notice.recipient`"),
    Documented("PhoneContact", "`Person.contacts`"),
    Documented("EmailContact", "`Person.contacts`"),
    Documented("PostalAddress", "`Person.contacts`"),
    Documented("Attachment", "`Notice.attachments`, `Message.attachments`"),
    Documented("Disclosure", "`Channel.disclosure`"),
    Documented("Medium", "`Channel.medium`, `Message.medium`"),
    Documented("Role", "`Recipient.role`"),
)
"""What the page documents, in order."""


NOTES: dict[str, str] = {
    "RuleContext": "The recipient's local time: `notice.recipient.person.time_zone` when "
    "known (an IANA name), else the zones the profile assumes (`ZoneSpec`); a rule that "
    "limits contact hours should check every plausible zone, as `contact-window` does. "
    "`ledger.count(scope, start, end)` counts contacts on record (scopes from "
    "`notifysdk.plugin.scope`). Return a `Vote` built with its constructors: "
    "`Vote.allow(rule, profile)`, `Vote.deny(rule, profile, reason)`, "
    "`Vote.defer(rule, profile, reason, until)`, `Vote.restrict(rule, profile, reason, "
    "variant)`.",
}
"""A line of advice shown under an object's description."""


def _source(name: str) -> tuple[str, object]:
    """(``notifysdk.<module>`` it is defined in, the object), via the plugin API."""
    plugin = importlib.import_module("notifysdk.plugin")
    if name not in plugin.__all__:
        raise LookupError(f"{name} is not part of notifysdk.plugin")
    for module, names in plugin.EXPORTS.items():
        if name in names:
            return f"notifysdk.{module}", getattr(plugin, name)
    raise LookupError(name)  # pragma: no cover - every exported name has a module


def _section(doc: Documented) -> list[str]:
    module, obj = _source(doc.name)
    out = ["", f"## {doc.name}", "", f"`from notifysdk.plugin import {doc.name}` · {doc.used}"]
    if isinstance(obj, tuple):
        out += ["", module_attribute_doc(importlib.import_module(module), doc.name), ""]
        out.append(", ".join(code(k) for k in obj))
        return out
    assert isinstance(obj, type)
    out += ["", first_paragraph(inspect.getdoc(obj))]
    note = NOTES.get(doc.name)
    if note:
        out += ["", note]
    if issubclass(obj, enum.Enum):
        out += ["", *table(("member", "value"), ((code(n), code(v)) for n, v in enum_members(obj)))]
        return out
    fields = fields_of(obj)
    if fields:
        rows = ((code(f.name), code(f.type), code(f.default), cell(f.doc)) for f in fields)
        out += ["", *table(("field", "type", "default", "description"), rows)]
    methods = methods_of(obj)
    if methods:
        rows2 = (
            (
                code(f"{m.name}{m.signature}" if m.kind != "property" else m.name),
                m.kind,
                cell(m.doc),
            )
            for m in methods
        )
        out += ["", *table(("method", "kind", "description"), rows2)]
    return out


def hook_objects_page() -> str:
    """The whole page."""
    body = [
        "Every object a hook passes to a plugin or takes back from it, with its fields "
        "(read from the dataclasses, pydantic models and protocols themselves). Import "
        "them from `notifysdk.plugin`, the declared plugin API; the hooks are in "
        "docs/hooks.md. Models are immutable: build a new one (`model_copy(update=...)`, "
        "`dataclasses.replace`) rather than changing a field.",
    ]
    for doc in OBJECTS:
        body += _section(doc)
    return page("Objects passed to and returned by hooks", body)
