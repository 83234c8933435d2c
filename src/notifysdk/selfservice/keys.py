"""The self-service key, kept outside the database beside the ledger's keys.

One 32-byte key, from ``NOTIFYSDK_SELF_SERVICE_KEY`` or the file ``self-service.key``
in the key folder (``settings.key_dir``; created ``0600`` on first use, like the ledger's
keys: :mod:`notifysdk.keys`). The ledger never holds it. A file may hold retired keys on
the following lines (a rotation in progress): links made under them still open.

Each use has its own subkey, derived with HKDF-SHA256 (``info`` names the use), so a
session cookie's tag can never stand for a link, nor a link for a form token.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import ConfigurationError
from ..files import private_dir, write_private
from ..keys import KeySource, decode_key, new_key, read_key_file, settings_key_dir

if TYPE_CHECKING:
    from ..config import Settings

KEY_ENV = "NOTIFYSDK_SELF_SERVICE_KEY"
KEY_FILE = "self-service.key"


def _derive(key: bytes, info: str, length: int) -> bytes:
    return HKDF(hashes.SHA256(), length, salt=None, info=info.encode()).derive(key)


@dataclass(frozen=True)
class SelfServiceKeys:
    """The subkeys of one self-service key (and of its retired ones, for links)."""

    source: KeySource

    @cached_property
    def links(self) -> tuple[bytes, ...]:
        """AES-SIV keys (64 bytes) of the links: the current one first."""
        return tuple(_derive(k, "notifysdk self-service link v1", 64) for k in self.source.all)

    @cached_property
    def sealers(self) -> tuple[AESSIV, ...]:
        """The AES-SIV ciphers of :attr:`links` (built once: building one costs more
        than sealing a token)."""
        return tuple(AESSIV(k) for k in self.links)

    @cached_property
    def session(self) -> bytes:
        """HMAC key of the session cookies."""
        return _derive(self.source.current, "notifysdk self-service session v1", 32)

    @cached_property
    def forms(self) -> bytes:
        """HMAC key of the forms' CSRF tokens."""
        return _derive(self.source.current, "notifysdk self-service csrf v1", 32)

    @cached_property
    def refs(self) -> bytes:
        """HMAC key of the opaque notice references in cookies and rate-limit tables."""
        return _derive(self.source.current, "notifysdk self-service ref v1", 32)


def load_self_service_keys(
    key_dir: Path | str, *, create: bool = True, environ: dict[str, str] | None = None
) -> SelfServiceKeys:
    """The self-service key from ``NOTIFYSDK_SELF_SERVICE_KEY`` (comma-separated: current
    first) or ``key_dir/self-service.key`` (created when missing and ``create``)."""
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV)
    if value:
        keys = [decode_key(part, KEY_ENV) for part in value.split(",") if part.strip()]
        return SelfServiceKeys(KeySource(keys[0], tuple(keys[1:]), origin=KEY_ENV))
    path = Path(key_dir) / KEY_FILE
    if not path.exists():
        if not create:
            raise ConfigurationError(f"no self-service key: set {KEY_ENV} or create {path}")
        private_dir(path.parent)
        # another process may create it meanwhile: then read that one
        with contextlib.suppress(FileExistsError):
            write_private(path, (new_key() + "\n").encode(), exclusive=True)
    return SelfServiceKeys(read_key_file(path))


def settings_self_service_keys(settings: Settings, *, create: bool = True) -> SelfServiceKeys:
    """:func:`load_self_service_keys` in the key folder of ``settings``."""
    return load_self_service_keys(settings_key_dir(settings), create=create)
