"""Settings: from a TOML file, the environment, or code.

Environment variables override the file: ``NOTIFYSDK_LEDGER_URL``,
``NOTIFYSDK_OUTPUT_DIR``, ``NOTIFYSDK_OWNER``, ``NOTIFYSDK_KEY_DIR`` (the keys themselves:
:mod:`notifysdk.keys`). Channel sections (``[channels.NAME]``)
are passed to that channel's factory; secrets there are never logged or shown.

``ledger_url`` is a :class:`pydantic.SecretStr` (a PostgreSQL URL carries a password):
``settings.ledger_url.get_secret_value()`` is the URL. Errors name the setting and the
kind of problem, never a value (:mod:`notifysdk.config_errors`).
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from .config_errors import configuration_error, read_toml, table_of

DEFAULT_HOME = Path(".notifysdk")
DEFAULT_LEDGER_URL = f"sqlite:///{DEFAULT_HOME.as_posix()}/ledger.db"
DEFAULT_KEY_DIR = DEFAULT_HOME / "keys"


_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def locale_route_key(medium: str, locale: str) -> str:
    """The key of ``Settings.routes`` that routes ``medium`` for ``locale`` (``sms.zh-CN``)."""
    return f"{medium}.{locale}"


def _default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RetrySettings(BaseModel):
    """Retry policy parameters (see :class:`notifysdk.retry.RetryPolicy`)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    max_attempts: int = Field(5, ge=1, le=50)
    base_seconds: float = Field(1.0, ge=0)
    cap_seconds: float = Field(60.0, ge=0)
    max_elapsed_seconds: float = Field(600.0, ge=0)


class Settings(BaseModel):
    """Everything a dispatcher needs to know that is not in a notice."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    output_dir: Path = DEFAULT_HOME / "out"
    ledger_url: SecretStr = SecretStr(DEFAULT_LEDGER_URL)
    """The ledger's URL (``sqlite:///…``, ``postgresql://user:password@host/db``); a
    secret: read it with ``get_secret_value()``."""
    key_dir: Path = DEFAULT_KEY_DIR
    """The folder of the ledger's keys (:mod:`notifysdk.keys`), created ``0700``: keep it
    outside the ledger's database and back it up apart from it. When not set, a SQLite
    ledger's keys are in ``keys/`` beside its file (:func:`notifysdk.keys.settings_key_dir`;
    ``.notifysdk/keys`` for the default ledger)."""
    ledger_key_file: Path | None = None
    """The master key's file, when it is not ``key_dir/ledger.key`` (``NOTIFYSDK_LEDGER_KEY``
    overrides both)."""
    owner: str = Field(default_factory=_default_owner)
    lease_seconds: float = Field(300.0, gt=0)
    """How long a claim is held without news from its owner; after that another worker
    (or recovery) may take it over, and the fencing token stops the first one."""
    lease_renewal: bool = True
    """Renew the lease before every attempt. Without it the lease must outlast the whole
    retry budget (``retry.max_elapsed_seconds < lease_seconds``), or settings are refused."""
    default_profiles: tuple[str, ...] = ()
    """Compliance profiles for an account that names none. Empty (the default): such an
    account is refused with :class:`~notifysdk.errors.UnknownProfileError`, never sent
    with no rules."""
    recover_on_start: bool = True
    """Run crash recovery when a dispatcher is entered (``async with``)."""
    on_unknown_delivery: Literal["resend", "hold"] = "hold"
    """After a crash, when a channel cannot tell whether an attempt went out: send again
    (at most one duplicate) or hold it as a dead letter for review."""
    institution_contact: str = ""
    retry: RetrySettings = Field(default_factory=RetrySettings)
    routes: dict[str, str] = Field(default_factory=dict)
    """Medium → channel name, used by campaigns (``sms = "twilio-sms"``). A medium may
    route by the notice's locale too: a table ``[routes.sms]`` with ``default`` and
    locale keys (``"zh-CN" = "aliyun-sms"``, or a language: ``zh``), kept here flattened
    as ``sms`` and ``sms.zh-CN`` (:func:`locale_route_key`); a quoted ``"sms.zh-CN"`` key
    says the same."""
    channels: dict[str, dict[str, Any]] = Field(default_factory=dict, repr=False)
    """Channel name → its section, passed to the channel's factory (it may hold secrets:
    left out of the ``repr``)."""
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per-profile parameter overrides (tightening is free; loosening is audited)."""
    self_service: dict[str, Any] = Field(default_factory=dict)
    """The debtor's self-service page (``[self_service]``: ``public_base_url``, the
    facts a visitor confirms, attempts, plan counts, link lifetime; see
    ``docs/self-service.md`` and :class:`notifysdk.selfservice.settings.SelfServiceSettings`,
    which checks it when the settings load)."""

    @field_validator("routes", mode="before")
    @classmethod
    def _flatten_locale_routes(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        flat: dict[str, Any] = {}
        for medium, target in value.items():
            if not isinstance(target, dict):
                flat[medium] = target
                continue
            for locale, channel in target.items():
                if locale == "default":
                    flat[medium] = channel
                elif not isinstance(locale, str) or not _LOCALE.fullmatch(locale):
                    raise ValueError(
                        f"routes.{medium}: {locale!r} is neither 'default' nor a locale "
                        "such as zh-CN or zh"
                    )
                else:
                    flat[locale_route_key(medium, locale)] = channel
        return flat

    @model_validator(mode="after")
    def _self_service_is_valid(self) -> Settings:
        if self.self_service:  # a bad table fails at load, not at the first notice
            from .selfservice.settings import self_service_settings

            self_service_settings(self, environ={})
        return self

    @model_validator(mode="after")
    def _lease_covers_retries(self) -> Settings:
        if not self.lease_renewal and self.retry.max_elapsed_seconds >= self.lease_seconds:
            raise ValueError(
                "retry.max_elapsed_seconds must be below lease_seconds when lease_renewal "
                "is off: a retry that outlives its lease could be sent by a second worker"
            )
        return self

    @classmethod
    def load(cls, path: Path | str | None = None, **overrides: Any) -> Settings:
        """Read ``path`` (TOML, its ``[notifysdk]`` table or the top level), then the
        environment, then ``overrides``.

        A file that is missing, unreadable, not UTF-8 or not TOML, and any invalid
        setting, is a :class:`~notifysdk.errors.ConfigurationError` naming the file and
        each setting's location (``notifysdk.channels.smtp-email``) and problem, never a
        value."""
        data: dict[str, Any] = {}
        where = ""
        what = "invalid settings"
        if path is not None:
            what = f"invalid settings in {path}"
            data, where = table_of(read_toml(path, "settings"), "notifysdk", what)
        env = {
            "ledger_url": os.environ.get("NOTIFYSDK_LEDGER_URL"),
            "output_dir": os.environ.get("NOTIFYSDK_OUTPUT_DIR"),
            "owner": os.environ.get("NOTIFYSDK_OWNER"),
            "key_dir": os.environ.get("NOTIFYSDK_KEY_DIR"),
        }
        data.update({k: v for k, v in env.items() if v})
        data.update(overrides)
        try:
            return cls.model_validate(data)
        except pydantic.ValidationError as exc:
            raise configuration_error(exc, what, location=where) from None
