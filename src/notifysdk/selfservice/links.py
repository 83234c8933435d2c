"""The link a notice carries: ``{public_base_url}/{token}``.

:func:`link_for` is what the dispatch path calls to fill the ``self_service_url``
template variable (empty when the settings give no public base URL, so templates print
nothing: ``{% if self_service_url %}…{% endif %}``). :func:`unsubscribe_url_for` is
the email's RFC 8058 one-click URL on the same server.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..keys import settings_key_dir
from .keys import KEY_ENV, KEY_FILE, SelfServiceKeys, load_self_service_keys
from .settings import URL_ENV, SelfServiceSettings, self_service_settings
from .tokens import Purpose, issue

if TYPE_CHECKING:
    from ..config import Settings
    from ..models import Notice

UNSUBSCRIBE_PATH = "unsubscribe"

RECHECK_SECONDS = 1.0
"""How long a loaded key is used before its file is looked at again (a campaign renders
thousands of notices a second; a rotated key file is picked up within this long)."""

_lock = threading.Lock()
_keys: dict[tuple[str, str], tuple[SelfServiceKeys, int, float]] = {}
_configs: dict[int, tuple[Settings, str, SelfServiceSettings, str]] = {}


def keys_for(settings: Settings) -> SelfServiceKeys:
    """The self-service keys of ``settings``' key folder, read again only when the key
    file changed (looked at no more than every :data:`RECHECK_SECONDS`)."""
    folder = _cached(settings)[3]
    env = os.environ.get(KEY_ENV, "")
    marker = (folder, env[:12])
    now = time.monotonic()
    with _lock:
        hit = _keys.get(marker)
        if hit is not None and now < hit[2]:
            return hit[0]
        path = Path(folder) / KEY_FILE
        try:
            stamp = 0 if env else path.stat().st_mtime_ns
        except FileNotFoundError:
            stamp = -1
        if hit is None or hit[1] != stamp or stamp == -1:
            keys = load_self_service_keys(folder)
            stamp = 0 if env else path.stat().st_mtime_ns
        else:
            keys = hit[0]
        if len(_keys) > 16:
            _keys.clear()
        _keys[marker] = (keys, stamp, now + RECHECK_SECONDS)
        return keys


def config_for(settings: Settings) -> SelfServiceSettings:
    """:func:`~notifysdk.selfservice.settings.self_service_settings`, validated once per
    settings object (and value of ``NOTIFYSDK_SELF_SERVICE_URL``)."""
    return _cached(settings)[2]


def _getenv(name: str, key: Any) -> str:
    """``os.environ.get(name, "")``, read from the mapping ``os.environ`` keeps (its
    ``_data``, by ``key``: ``name`` encoded as ``os.environ`` encodes it) when
    ``os.environ`` is the interpreter's own: the ``get`` of a name that is not set raises
    and catches a KeyError inside ``os.environ``, ~0.6 us per notice. Anything else (a
    replaced ``os.environ``) is asked as it is."""
    environ: Any = os.environ
    data = getattr(environ, "_data", None) if type(environ) is _ENVIRON_TYPE else None
    value: str
    if type(data) is not dict or key is None:
        value = environ.get(name, "")
        return value
    raw = data.get(key)
    if raw is None:
        return ""
    value = environ.decodevalue(raw)
    return value


_ENVIRON_TYPE = type(os.environ)
_encodekey: Any = getattr(os.environ, "encodekey", None)
_URL_KEY: Any = _encodekey(URL_ENV) if _encodekey is not None else None


def _cached(settings: Settings) -> tuple[Settings, str, SelfServiceSettings, str]:
    env = _getenv(URL_ENV, _URL_KEY)
    hit = _configs.get(id(settings))
    if hit is not None and hit[0] is settings and hit[1] == env:
        return hit
    entry = (settings, env, self_service_settings(settings), str(settings_key_dir(settings)))
    with _lock:
        if len(_configs) > 64:
            _configs.clear()
        _configs[id(settings)] = entry
    return entry


def link_for(
    settings: Settings,
    notice: Notice,
    now: datetime,
    config: SelfServiceSettings | None = None,
) -> str:
    """The self-service link of ``notice`` rendered at ``now``, or ``""`` when no
    public base URL is configured."""
    cfg = config or config_for(settings)
    if cfg.public_base_url is None:
        return ""
    token = issue(
        keys_for(settings), notice.idempotency_key, Purpose.PAGE, now=now, days=cfg.link_days
    )
    return f"{cfg.public_base_url}/{token}"


def unsubscribe_url_for(
    settings: Settings,
    key: str,
    now: datetime,
    config: SelfServiceSettings | None = None,
) -> str:
    """The one-click unsubscribe URL of notice ``key`` (RFC 8058: an ``https`` URL a
    mail client POSTs ``List-Unsubscribe=One-Click`` to), or ``""`` when no public base
    URL is configured."""
    cfg = config or config_for(settings)
    if cfg.public_base_url is None:
        return ""
    token = issue(keys_for(settings), key, Purpose.UNSUBSCRIBE, now=now, days=cfg.link_days)
    return f"{cfg.public_base_url}/{UNSUBSCRIBE_PATH}/{token}"
