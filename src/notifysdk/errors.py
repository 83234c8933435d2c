"""The SDK's error tree.

Every error the SDK raises on purpose derives from :class:`NotifyError`. Messages never
contain the personal data that caused them: they name the *field* and the *reason*.

::

    NotifyError
    ├── InvalidInputError            bad input, raised before anything is sent
    │   ├── InvalidPhoneNumberError      not a valid E.164 number
    │   ├── InvalidEmailError            bad syntax, CR/LF, header injection
    │   ├── InvalidAmountError           negative, NaN or infinite money
    │   ├── UnknownLocaleError           a locale the SDK has no templates for
    │   ├── UnknownChannelError          no plugin registered that channel
    │   ├── UnknownProfileError          an account names a profile no plugin registered, or none
    │   ├── NaiveDatetimeError           a datetime without a time zone
    │   ├── UnknownTimeZoneError         not an IANA zone name
    │   ├── InvalidIdentifierError       an ID that is empty, too long or not printable
    │   ├── LimitExceededError           past a bound of notifysdk.limits (length, count,
    │   │                                depth, size)
    │   └── TemplateError                a template is missing, does not parse, uses an
    │       │                            unknown variable, is refused by the sandbox or fails
    │       └── TemplateBoundError       a template exceeded a render bound (time, steps, size)
    ├── PluginError                  a plugin could not be loaded or registered something invalid
    │   ├── PluginLoadError              import of an entry point failed (names the plugin)
    │   └── DuplicateRegistrationError   two plugins registered the same name (names both)
    ├── DeliveryError                a channel could not deliver a message
    │   ├── TransientDeliveryError       worth retrying: nothing went out (4xx SMTP, 429, 5xx,
    │   │                                refused connections)
    │   ├── AmbiguousDeliveryError       the provider may have it (a drop after DATA, a timeout):
    │   │                                never retried blindly, reconciled through the channel
    │   └── PermanentDeliveryError       never retried (5xx SMTP, invalid number, STOP)
    ├── LedgerError                  the ledger could not store or claim
    │   ├── ClaimConflictError           another worker holds the claim on that key
    │   ├── ClaimLostError               this worker's claim was taken over: don't call again
    │   └── LedgerUnavailableError       cannot reach, read or write the ledger (also a
    │                                    RunFaultError)
    ├── RunFaultError                a fault of the run itself (ledger down, disk full):
    │                                the run stops; no row or notice is to blame
    └── ConfigurationError           settings are missing, contradictory or unreadable

Retries key off :class:`TransientDeliveryError` alone: channel plugins map their vendor's
errors into this tree (as httpx maps its transports' errors) so the core never needs to
know a vendor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class NotifyError(Exception):
    """Base class of every error the SDK raises on purpose."""


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: its dotted path and why it was refused (never its value)."""

    field: str
    reason: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidInputError(NotifyError, ValueError):
    """Bad input, detected before anything is sent.

    ``field`` is the dotted path of the first offending field, ``reason`` says why, and
    ``problems`` lists every offending field when several were found at once.
    """

    code = "invalid"

    def __init__(
        self,
        field: str,
        reason: str,
        *,
        problems: Sequence[FieldProblem] | None = None,
    ) -> None:
        self.field = field
        self.reason = reason
        self.problems: tuple[FieldProblem, ...] = tuple(
            problems or (FieldProblem(field, reason, self.code),)
        )
        if len(self.problems) > 1:
            more = "; ".join(str(p) for p in self.problems[1:])
            super().__init__(f"{field}: {reason} (also: {more})")
        else:
            super().__init__(f"{field}: {reason}")


class InvalidPhoneNumberError(InvalidInputError):
    """A phone number that is not a valid E.164 number."""

    code = "phone_number"


class InvalidEmailError(InvalidInputError):
    """An email address with bad syntax, CR/LF, or anything that could inject a header."""

    code = "email"


class InvalidAmountError(InvalidInputError):
    """A money amount that is negative, NaN or infinite, or has a bad currency."""

    code = "amount"


class UnknownLocaleError(InvalidInputError):
    """A locale the SDK cannot render."""

    code = "locale"


class UnknownChannelError(InvalidInputError):
    """A channel name that no loaded plugin registered."""

    code = "channel"


class UnknownProfileError(InvalidInputError):
    """An account names a compliance profile that no loaded plugin registered, or names
    none at all and the settings give no ``default_profiles``: the SDK fails closed
    rather than sending with no rules."""

    code = "profile"


class NaiveDatetimeError(InvalidInputError):
    """A datetime without time-zone information."""

    code = "naive_datetime"


class UnknownTimeZoneError(InvalidInputError):
    """A time-zone name that is not in the IANA database."""

    code = "time_zone"


class InvalidIdentifierError(InvalidInputError):
    """An identifier (account, loan or person ID, idempotency key, stage, channel) that
    is empty, longer than :data:`~notifysdk.limits.MAX_ID_CHARS`, starts or ends with a
    blank, or holds a control or other non-printable character (two IDs that differ
    only by one would look alike, and a separator in one could make keys collide)."""

    code = "identifier"


class LimitExceededError(InvalidInputError):
    """A value past one of the bounds of :mod:`notifysdk.limits`: too long, too many,
    too deeply nested or too large. The reason names the bound, never the value."""

    code = "limit"


class TemplateError(InvalidInputError):
    """A template that is missing, fails to parse, uses an undefined variable, is refused
    by the sandbox, or fails while rendering.

    ``template`` names the template file that failed (``None`` when no template was
    found for the notice); ``problem`` says what kind of failure it was: ``missing`` (no
    template), ``syntax``, ``encoding``, ``undefined`` (a variable the SDK does not
    provide), ``missing_data`` (an attribute or key the notice's data lacks),
    ``missing_filter`` (a filter or test that no loaded plugin registered),
    ``sandbox``, ``bound`` or ``failed`` (the template's code raised). The reason names
    the problem or the exception's type, never a value.
    """

    code = "template"

    def __init__(
        self,
        field: str,
        reason: str,
        *,
        template: str | None = None,
        problem: str = "missing",
        problems: Sequence[FieldProblem] | None = None,
    ) -> None:
        super().__init__(field, reason, problems=problems)
        self.template = template
        self.problem = problem


class TemplateBoundError(TemplateError):
    """A template exceeded one of the render bounds of
    :class:`~notifysdk.template_limits.TemplateLimits`: ``bound`` names it
    (``steps``, ``cpu_seconds``, ``value_chars``...) and ``limit`` is its value."""

    code = "template_bound"

    def __init__(self, template: str, bound: str, limit: float, what: str = "") -> None:
        self.bound = bound
        self.limit = limit
        shown = f"{limit:,}" if isinstance(limit, int) else f"{limit:g}"
        reason = f"exceeds the {bound} bound ({shown})" + (f": {what}" if what else "")
        super().__init__(f"template {template}", reason, template=template, problem="bound")


class PluginError(NotifyError):
    """A plugin could not be loaded, or registered something invalid."""


class PluginLoadError(PluginError):
    """Importing a plugin's entry point failed. ``plugin`` names it, ``error`` is the cause."""

    def __init__(self, plugin: str, error: BaseException) -> None:
        self.plugin = plugin
        self.error = error
        super().__init__(f"plugin {plugin!r} failed to load: {type(error).__name__}: {error}")


class DuplicateRegistrationError(PluginError):
    """Two plugins registered the same name for the same kind of thing."""

    def __init__(self, kind: str, name: str, first: str, second: str) -> None:
        self.kind = kind
        self.name = name
        self.first = first
        self.second = second
        super().__init__(
            f"{kind} {name!r} is registered by both plugin {first!r} and plugin {second!r}"
        )


class DeliveryError(NotifyError):
    """A channel could not deliver a message.

    ``provider_code`` is the vendor's code (an SMTP reply code, a Twilio error code),
    ``retry_after`` the seconds the provider asked us to wait, when it said.
    """

    def __init__(
        self,
        message: str,
        *,
        provider_code: str | int | None = None,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.provider_code = None if provider_code is None else str(provider_code)
        self.retry_after = retry_after
        self.status = status


class TransientDeliveryError(DeliveryError):
    """A failure worth retrying: the SDK's retry policy backs off and tries again."""


class AmbiguousDeliveryError(DeliveryError):
    """The provider may have accepted the message: the connection was lost after the
    request was sent, or no answer came in time.

    Never retried blindly (a second SMS is harassment). The dispatcher records the
    attempt as ``unknown`` and asks the channel's ``reconcile`` whether it went out:
    ``sent`` ends the notice as delivered, ``not_sent`` lets the retry policy go on,
    ``unknown`` is decided by ``settings.on_unknown_delivery`` (``hold`` or ``resend``).
    """


class PermanentDeliveryError(DeliveryError):
    """A failure that retrying cannot fix. ``opt_out`` is true when the recipient asked to stop."""

    def __init__(
        self,
        message: str,
        *,
        provider_code: str | int | None = None,
        status: int | None = None,
        opt_out: bool = False,
    ) -> None:
        super().__init__(message, provider_code=provider_code, status=status)
        self.opt_out = opt_out


class LedgerError(NotifyError):
    """The ledger could not store, claim or read a record."""


class ClaimConflictError(LedgerError):
    """Another worker holds an unexpired claim on the same idempotency key."""


class ClaimLostError(LedgerError):
    """This worker no longer holds the claim on a notice (its lease expired and another
    worker took it over, so the fencing token moved on): the provider must not be called."""


class RunFaultError(NotifyError):
    """A fault of the run itself, not of any one notice or portfolio row: the ledger
    cannot be reached or written, the disk is full, the output folder is read-only.

    A campaign stops at once on one (``notifysdk run`` exits 3): going on would fail
    every row the same way. Whatever one row raises is that row's failure instead.
    """


class LedgerUnavailableError(LedgerError, RunFaultError):
    """The ledger cannot be reached, read or written: a connection refused, a read-only
    or corrupt database file, a full disk. The message names the cause, never a
    password or a notice."""


class ConfigurationError(NotifyError):
    """Settings are missing, contradictory, or cannot be read.

    ``problems`` lists each offending setting by its location and the kind of problem
    (see :func:`notifysdk.config_errors.configuration_error`), never its value.
    """

    def __init__(self, message: str, *, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[FieldProblem, ...] = tuple(problems)


class LedgerKeyError(ConfigurationError):
    """The ledger's personal data is encrypted under a master key this process does not
    hold (a wrong ``NOTIFYSDK_LEDGER_KEY`` or key file): the message names the key id the
    ledger expects and the one given (ids only, never a key)."""
