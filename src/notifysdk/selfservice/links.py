"""The link a notice carries: ``{public_base_url}/{token}``.

:func:`link_for` is what the dispatch path calls to fill the ``self_service_url``
template variable (empty when the settings give no public base URL, so templates print
nothing: ``{% if self_service_url %}…{% endif %}``). :func:`unsubscribe_url_for` is
the email's RFC 8058 one-click URL on the same server.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..keys import settings_key_dir
from .keys import KEY_ENV, KEY_FILE, SelfServiceKeys, load_self_service_keys
from .settings import SelfServiceSettings, self_service_settings
from .tokens import Purpose, issue

if TYPE_CHECKING:
    from ..config import Settings
    from ..models import Notice

UNSUBSCRIBE_PATH = "unsubscribe"

_lock = threading.Lock()
_cache: dict[tuple[str, str, int], SelfServiceKeys] = {}


def keys_for(settings: Settings) -> SelfServiceKeys:
    """The self-service keys of ``settings``' key folder, read once per file version
    (a render must not read a file; a rotated file is read again)."""
    folder = settings_key_dir(settings)
    env = os.environ.get(KEY_ENV, "")
    path = Path(folder) / KEY_FILE
    try:
        stamp = 0 if env else path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = -1
    marker = (str(folder), env[:8], stamp)
    with _lock:
        hit = _cache.get(marker)
        if hit is None:
            hit = load_self_service_keys(folder)
            if stamp != -1:  # a key created just now is read again next time, by its stamp
                _cache.clear()
                _cache[marker] = hit
        return hit


def link_for(
    settings: Settings,
    notice: Notice,
    now: datetime,
    config: SelfServiceSettings | None = None,
) -> str:
    """The self-service link of ``notice`` rendered at ``now``, or ``""`` when no
    public base URL is configured."""
    cfg = config or self_service_settings(settings)
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
    cfg = config or self_service_settings(settings)
    if cfg.public_base_url is None:
        return ""
    token = issue(keys_for(settings), key, Purpose.UNSUBSCRIBE, now=now, days=cfg.link_days)
    return f"{cfg.public_base_url}/{UNSUBSCRIBE_PATH}/{token}"
