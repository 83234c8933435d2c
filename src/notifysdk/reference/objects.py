"""``docs/reference/hook-objects.md``: every object a hook passes or returns, its fields."""

from __future__ import annotations

import enum
import importlib
import inspect
from dataclasses import dataclass

from .introspect import (
    attribute_docs,
    enum_members,
    fields_of,
    methods_of,
    module_attribute_doc,
)
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
    "RuleContext": "The recipient's local time: every zone a location source on record "
    "indicates — the person's `time_zone`, the phone numbers' area codes, the postal "
    "addresses' regions (US states, Canadian and Chinese provinces) or countries, the "
    "person's `country` — each source with its narrowest evidence "
    "(`notifysdk.compliance.zones.plausible_zones`); the `time_zone` alone when the "
    "person's `location_confirmed`; the zones the profile assumes (its `ZoneSpec`) when "
    "nothing is known. A rule limiting contact hours should hold in every plausible zone, "
    "as `contact-window` does (convert `ctx.now` with `zoneinfo.ZoneInfo`). "
    "`ledger.count(scope, start, end)` counts contacts on record (scopes from "
    "`notifysdk.plugin.scope`). Return a `Vote` built with its constructors: "
    "`Vote.allow(rule, profile)`, `Vote.deny(rule, profile, reason)`, "
    "`Vote.defer(rule, profile, reason, until)`, `Vote.restrict(rule, profile, reason, "
    "variant)`.",
}
"""A line of advice shown under an object's description."""


FIELD_NOTES: dict[tuple[str, str], str] = {
    ("Rule", "name"): "Unique rule name, shown in votes, outcomes and `notifysdk explain`.",
    ("Rule", "citation"): "The law or guideline the rule encodes.",
    ("Rule", "profiles"): "Profiles the rule belongs to; `{'*'}` for every profile.",
    ("Rule", "stage"): "`policy` (before rendering) or `content` (on the rendered message).",
    ("RuleContext", "notice"): "The notice being decided.",
    ("RuleContext", "now"): "The dispatcher's clock (aware, UTC); convert to the "
    "recipient's zone for local-time rules.",
    ("RuleContext", "ledger"): "Read-only use: `count`, `last_contact` (never write from a "
    "rule; ask for a reservation in the vote instead).",
    ("RuleContext", "profiles"): "The active profiles by name (never empty).",
    ("RuleContext", "to"): "The normalized destination (E.164 number, address), when found.",
    ("RuleContext", "channel_medium"): "The medium of the notice's channel (`sms`, `email`...).",
    ("Vote", "verdict"): "What the rule decides; the strictest vote of all rules wins.",
    ("Vote", "rule"): "The voting rule's name.",
    ("Vote", "profile"): "The profile the vote is for (`*`: all).",
    ("Vote", "reason"): "Why, for people (masked before it is stored or shown).",
    ("Vote", "citation"): "The provision the vote applies.",
    ("Vote", "reservations"): "Cap slots the ledger takes atomically with the claim.",
    ("Profile", "name"): "The profile's code (`cn`, `us-regf`), as in `Account.profiles`.",
    ("Profile", "params"): "The specs the rules read (`window`, `caps`, `required`...).",
    ("Profile", "description"): "One line: the jurisdiction and its texts.",
    ("Detector", "name"): "Unique detector name, shown in `Finding.detector`.",
    ("Finding", "kind"): "What was found: one of `KINDS` or a plugin's own kind.",
    ("Finding", "start"): "Start offset in the text searched.",
    ("Finding", "end"): "End offset (exclusive).",
    ("Finding", "detector"): "The detector's name.",
    ("ChannelContext", "name"): "The channel's registered name.",
    ("ChannelContext", "clock"): "The dispatcher's clock (use it, not `datetime.now`).",
    ("ChannelContext", "output_dir"): "Where a channel may write files (`Settings.output_dir`).",
    ("Message", "idempotency_key"): "The notice's key: send it to the provider as its "
    "idempotency key where it has one.",
    ("Message", "channel"): "The channel's name.",
    ("Message", "to"): "The normalized destination.",
    ("Message", "locale"): "The locale rendered.",
    ("Message", "subject"): "The rendered, masked subject (email, letter), if any.",
    ("Message", "body"): "The rendered, masked text body.",
    ("Message", "html"): "The rendered, masked HTML part, if any.",
    ("Message", "metadata"): "`template` (the body template's name), `kind` (the kind "
    "rendered), `disclosure` (the level masked to), `consent` (the destination's consent "
    "on record, or `None`).",
    ("Receipt", "channel"): "The channel's name.",
    ("Receipt", "provider_id"): "The provider's message id (for delivery reports).",
    ("Receipt", "status"): "The provider's status at acceptance.",
    ("Receipt", "accepted_at"): "When the provider accepted it (aware).",
    ("Receipt", "detail"): "Provider details worth keeping (no personal data).",
    ("Outcome", "idempotency_key"): "The notice's key.",
    ("Outcome", "status"): "How the notice ended.",
    ("Outcome", "at"): "When (aware).",
    ("Outcome", "rule"): "The rule that blocked or deferred it (or `privacy`, "
    "`no-destination`, `internal-error`...).",
    ("Outcome", "profile"): "The profile of the deciding vote.",
    ("Outcome", "reason"): "Why, masked: never personal data.",
    ("Outcome", "provider_code"): "The provider's error code of a failure.",
    ("Outcome", "receipt"): "The provider's receipt of a delivered notice.",
    ("Outcome", "attempts"): "How many send attempts were made.",
    ("Notice", "kind"): "What to send (`overdue_notice`...): picks the templates.",
    ("Notice", "channel"): "The registered channel to send on.",
    ("Notice", "profiles"): "The compliance profiles; `None`: the account's.",
    ("Notice", "idempotency_key"): "Derived from the other fields when not given.",
    ("Notice", "stage"): "A campaign stage, part of the key (the same notice at two "
    "stages is two notices).",
    ("Account", "due_date"): "Raw `date`; templates print `due_date` (formatted).",
    ("Account", "overdue_amount"): "Raw `Decimal`; templates print `overdue_amount` (formatted).",
    ("Account", "profiles"): "The compliance profiles the account's notices run under.",
    ("Account", "states"): "States that stop or limit contact (disputed, bankrupt, "
    "time-barred, cease...).",
    ("Person", "time_zone"): "IANA zone, when known: one of the zones rules read local "
    "time in (with the phone's area code and the addresses' regions), the only one when "
    "`location_confirmed`.",
    ("Person", "contacts"): "Phone, email and postal contact points.",
}
"""Descriptions of fields whose source has no docstring (a docstring in the source
takes precedence)."""


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
        docs = attribute_docs(obj)
        members = ((code(n), code(v), cell(docs.get(n, ""))) for n, v in enum_members(obj))
        out += ["", *table(("member", "value", "description"), members)]
        return out
    fields = fields_of(obj)
    if fields:
        rows = (
            (
                code(f.name),
                code(f.type),
                code(f.default),
                cell(f.doc or FIELD_NOTES.get((doc.name, f.name), "")),
            )
            for f in fields
        )
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
