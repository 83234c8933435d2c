"""The plugin API: everything a notifysdk plugin may import, from one module.

A plugin (a channel, a rule, a detector, templates, filters, a ledger back-end, CLI
commands) imports what it needs from here, and nothing from the SDK's submodules::

    from notifysdk.plugin import BaseChannel, ChannelContext, Message, Receipt, hookimpl

These names are the SDK's promise to plugin authors: they keep their meaning across
minor releases (a name that has to go is deprecated for one release first), while the
submodules they come from may be reorganised. ``tests/core/test_plugin_api.py`` pins
the list. The first-party plugins under ``plugins/`` import only from here.

Every name loads on first use, so importing this module costs nothing at start-up.
The hooks themselves are documented in :mod:`notifysdk.hookspecs` (``docs/hooks.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

if TYPE_CHECKING:
    from .account_events import (
        AccountEvent,
        AccountEventKind,
        account_events,
        record_account_event,
    )
    from .approved_templates import (
        DOLLAR_BRACES,
        NUMBERED_BRACES,
        ApprovedTemplate,
        NoApprovedTemplateError,
        PlaceholderSyntax,
        SegmentCount,
        TemplateMismatchError,
        TemplateParamError,
        approved_form,
        check_segments,
        count_segments,
        find_template,
        signed_as,
        split_sign,
    )
    from .asgi import (
        AsgiAppFactory,
        mounts,
    )
    from .channels import (
        Attempt,
        BaseChannel,
        Channel,
        ChannelContext,
        ChannelFactory,
        Disclosure,
        ReconcileResult,
        ReconcileStatus,
        SendsAs,
        body_digest,
        unwrap,
    )
    from .clock import (
        Clock,
        FakeClock,
        SystemClock,
    )
    from .cnsms_base import (
        ApprovedTemplateSpec,
        TemplatedSmsChannel,
        TemplatedSmsSettings,
    )
    from .cnsms_poll import (
        Poller,
        register_poller,
    )
    from .compliance.rules.base import (
        in_force,
    )
    from .compliance.rules.states import (
        AccountStateRule,
    )
    from .compliance.scopes import (
        CallOutcome,
        Per,
        call_scopes,
        debt_scope,
        optout_scope,
        pseudonym,
        record_call,
        record_call_consent,
        record_optin,
        record_optout,
        scope,
    )
    from .compliance.specs import (
        CreditReportSpec,
        RetentionSpec,
        WindowSpec,
        ZoneSpec,
    )
    from .config import (
        Settings,
    )
    from .config_errors import (
        configuration_error,
    )
    from .dispatch.recovery import (
        CancelResult,
    )
    from .dispatcher import (
        Dispatcher,
    )
    from .enums import (
        AccountState,
        ConsentBasis,
        Medium,
        NoticeKind,
        OutcomeStatus,
        Role,
    )
    from .errors import (
        AmbiguousDeliveryError,
        ConfigurationError,
        DeliveryError,
        InvalidEmailError,
        InvalidInputError,
        InvalidPhoneNumberError,
        NaiveDatetimeError,
        NotifyError,
        PermanentDeliveryError,
        PluginError,
        RunFaultError,
        TemplateError,
        TransientDeliveryError,
        UnknownLocaleError,
    )
    from .files import (
        write_private,
    )
    from .hookspecs import (
        hookimpl,
    )
    from .ledger.base import (
        EventLedger,
        Ledger,
        NoticeState,
    )
    from .ledger.durable import (
        DurableLedger,
    )
    from .ledger.receipts import (
        DeliveryUpdate,
        LateFailure,
        ReceiptLedger,
    )
    from .ledger.runner import (
        TxRunner,
    )
    from .models import (
        Account,
        Attachment,
        EmailContact,
        Message,
        Notice,
        Outcome,
        Party,
        Person,
        PhoneContact,
        PostalAddress,
        Receipt,
        Recipient,
        Restriction,
        SDKModel,
    )
    from .observability import (
        JsonFormatter,
        attempt_result,
        metrics_text,
    )
    from .optout_keywords import (
        OPT_OUT_FRAGMENTS,
        OPT_OUT_WORDS,
        is_opt_out,
        normalize_reply,
    )
    from .policy import (
        Profile,
        Rule,
        RuleContext,
        Verdict,
        Vote,
    )
    from .privacy.disclosure import (
        KindDisclosure,
        Level,
    )
    from .privacy.findings import (
        KINDS,
        Detector,
        Finding,
        KnownValues,
    )
    from .privacy.masking import (
        mask_value,
    )
    from .ratelimit import (
        RateLimitedError,
        without_rate_limit,
    )
    from .templating import (
        long_date,
        money,
    )
    from .validation import (
        Amount,
        PhoneNumber,
        normalize_email,
        normalize_phone,
        validate_field,
    )
    from .webhooks import (
        Webhook,
        WebhookRefusedError,
        WebhookRequest,
        WebhookResponse,
        token_guarded,
    )

EXPORTS: dict[str, tuple[str, ...]] = {
    "hookspecs": ("hookimpl",),
    "lazy": ("lazy_exports",),
    "channels": (
        "Attempt",
        "BaseChannel",
        "Channel",
        "ChannelContext",
        "ChannelFactory",
        "Disclosure",
        "ReconcileResult",
        "ReconcileStatus",
        "body_digest",
        "SendsAs",
        "unwrap",
    ),
    "enums": (
        "AccountState",
        "ConsentBasis",
        "Medium",
        "NoticeKind",
        "OutcomeStatus",
        "Role",
    ),
    "models": (
        "Account",
        "Attachment",
        "EmailContact",
        "Message",
        "Notice",
        "Outcome",
        "Party",
        "Person",
        "PhoneContact",
        "PostalAddress",
        "Receipt",
        "Recipient",
        "SDKModel",
        "Restriction",
    ),
    "policy": (
        "Profile",
        "Rule",
        "RuleContext",
        "Verdict",
        "Vote",
    ),
    "privacy.findings": (
        "KINDS",
        "Detector",
        "Finding",
        "KnownValues",
    ),
    "privacy.disclosure": (
        "KindDisclosure",
        "Level",
    ),
    "privacy.masking": ("mask_value",),
    "templating": (
        "long_date",
        "money",
    ),
    "clock": (
        "Clock",
        "FakeClock",
        "SystemClock",
    ),
    "config": ("Settings",),
    "config_errors": ("configuration_error",),
    "validation": (
        "Amount",
        "PhoneNumber",
        "normalize_email",
        "normalize_phone",
        "validate_field",
    ),
    "errors": (
        "AmbiguousDeliveryError",
        "ConfigurationError",
        "DeliveryError",
        "InvalidEmailError",
        "InvalidInputError",
        "NaiveDatetimeError",
        "NotifyError",
        "PermanentDeliveryError",
        "PluginError",
        "RunFaultError",
        "TemplateError",
        "TransientDeliveryError",
        "InvalidPhoneNumberError",
        "UnknownLocaleError",
    ),
    "ledger.base": (
        "Ledger",
        "EventLedger",
        "NoticeState",
    ),
    "ledger.durable": ("DurableLedger",),
    "ledger.receipts": (
        "DeliveryUpdate",
        "LateFailure",
        "ReceiptLedger",
    ),
    "compliance.scopes": (
        "pseudonym",
        "record_optin",
        "record_optout",
        "scope",
        "CallOutcome",
        "Per",
        "call_scopes",
        "debt_scope",
        "optout_scope",
        "record_call",
        "record_call_consent",
    ),
    "compliance.specs": (
        "WindowSpec",
        "ZoneSpec",
        "CreditReportSpec",
        "RetentionSpec",
    ),
    "compliance.rules.base": ("in_force",),
    "compliance.rules.states": ("AccountStateRule",),
    "dispatcher": ("Dispatcher",),
    "files": ("write_private",),
    "ledger.runner": ("TxRunner",),
    "webhooks": (
        "Webhook",
        "WebhookRefusedError",
        "WebhookRequest",
        "WebhookResponse",
        "token_guarded",
    ),
    "approved_templates": (
        "ApprovedTemplate",
        "DOLLAR_BRACES",
        "NUMBERED_BRACES",
        "NoApprovedTemplateError",
        "PlaceholderSyntax",
        "SegmentCount",
        "TemplateMismatchError",
        "TemplateParamError",
        "count_segments",
        "split_sign",
        "approved_form",
        "check_segments",
        "find_template",
        "signed_as",
    ),
    "optout_keywords": (
        "OPT_OUT_FRAGMENTS",
        "OPT_OUT_WORDS",
        "is_opt_out",
        "normalize_reply",
    ),
    "ratelimit": (
        "without_rate_limit",
        "RateLimitedError",
    ),
    "observability": (
        "JsonFormatter",
        "metrics_text",
        "attempt_result",
    ),
    "account_events": (
        "AccountEvent",
        "AccountEventKind",
        "account_events",
        "record_account_event",
    ),
    "dispatch.recovery": ("CancelResult",),
    "asgi": (
        "AsgiAppFactory",
        "mounts",
    ),
    "cnsms_poll": (
        "Poller",
        "register_poller",
    ),
    "cnsms_base": (
        "ApprovedTemplateSpec",
        "TemplatedSmsChannel",
        "TemplatedSmsSettings",
    ),
}
"""Source module (relative to ``notifysdk``) → the names it provides here."""

__all__ = [
    "DOLLAR_BRACES",
    "KINDS",
    "NUMBERED_BRACES",
    "OPT_OUT_FRAGMENTS",
    "OPT_OUT_WORDS",
    "Account",
    "AccountEvent",
    "AccountEventKind",
    "AccountState",
    "AccountStateRule",
    "AmbiguousDeliveryError",
    "Amount",
    "ApprovedTemplate",
    "ApprovedTemplateSpec",
    "AsgiAppFactory",
    "Attachment",
    "Attempt",
    "BaseChannel",
    "CallOutcome",
    "CancelResult",
    "Channel",
    "ChannelContext",
    "ChannelFactory",
    "Clock",
    "ConfigurationError",
    "ConsentBasis",
    "CreditReportSpec",
    "DeliveryError",
    "DeliveryUpdate",
    "Detector",
    "Disclosure",
    "Dispatcher",
    "DurableLedger",
    "EmailContact",
    "EventLedger",
    "FakeClock",
    "Finding",
    "InvalidEmailError",
    "InvalidInputError",
    "InvalidPhoneNumberError",
    "JsonFormatter",
    "KindDisclosure",
    "KnownValues",
    "LateFailure",
    "Ledger",
    "Level",
    "Medium",
    "Message",
    "NaiveDatetimeError",
    "NoApprovedTemplateError",
    "Notice",
    "NoticeKind",
    "NoticeState",
    "NotifyError",
    "Outcome",
    "OutcomeStatus",
    "Party",
    "Per",
    "PermanentDeliveryError",
    "Person",
    "PhoneContact",
    "PhoneNumber",
    "PlaceholderSyntax",
    "PluginError",
    "Poller",
    "PostalAddress",
    "Profile",
    "RateLimitedError",
    "Receipt",
    "ReceiptLedger",
    "Recipient",
    "ReconcileResult",
    "ReconcileStatus",
    "Restriction",
    "RetentionSpec",
    "Role",
    "Rule",
    "RuleContext",
    "RunFaultError",
    "SDKModel",
    "SegmentCount",
    "SendsAs",
    "Settings",
    "SystemClock",
    "TemplateError",
    "TemplateMismatchError",
    "TemplateParamError",
    "TemplatedSmsChannel",
    "TemplatedSmsSettings",
    "TransientDeliveryError",
    "TxRunner",
    "UnknownLocaleError",
    "Verdict",
    "Vote",
    "Webhook",
    "WebhookRefusedError",
    "WebhookRequest",
    "WebhookResponse",
    "WindowSpec",
    "ZoneSpec",
    "account_events",
    "approved_form",
    "attempt_result",
    "body_digest",
    "call_scopes",
    "check_segments",
    "configuration_error",
    "count_segments",
    "debt_scope",
    "find_template",
    "hookimpl",
    "in_force",
    "is_opt_out",
    "lazy_exports",
    "long_date",
    "mask_value",
    "metrics_text",
    "money",
    "mounts",
    "normalize_email",
    "normalize_phone",
    "normalize_reply",
    "optout_scope",
    "pseudonym",
    "record_account_event",
    "record_call",
    "record_call_consent",
    "record_optin",
    "record_optout",
    "register_poller",
    "scope",
    "signed_as",
    "split_sign",
    "token_guarded",
    "unwrap",
    "validate_field",
    "without_rate_limit",
    "write_private",
]

__getattr__ = lazy_exports(__name__, EXPORTS)
