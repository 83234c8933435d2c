"""The ledger's keys, kept outside the database.

Four keys, each 32 random bytes written as urlsafe base64, each from an environment
variable or else a file in the key folder (``settings.key_dir``, default
``.notifysdk/keys``, mode ``0700``; files ``0600``):

========================  ==============================  ==================================
key                       environment / file              used for
========================  ==============================  ==================================
master (data-key wrap)    ``NOTIFYSDK_LEDGER_KEY`` /      wrapping the per-account data keys
                          ``ledger.key`` (or              that encrypt personal values at
                          ``settings.ledger_key_file``)   rest; rotated by
                                                          ``notifysdk ledger rotate-key``
pseudonym                 ``NOTIFYSDK_PSEUDONYM_KEY`` /   HMAC of contact scopes and of
                          ``pseudonym.key``               anything else that stands for a
                                                          person
audit                     ``NOTIFYSDK_AUDIT_KEY`` /       HMAC-SHA256 chain of the audit
                          ``audit.key``                   trail
checkpoint signing        ``audit-signing.key`` (PEM,     Ed25519 signatures of audit
                          PKCS#8)                         checkpoints
========================  ==============================  ==================================

A key file may hold several lines: the first is the current key, the following ones
are retired keys still accepted for reading (a rotation in progress). With
``create=True`` (the embedded default) a missing key file is created; otherwise a
missing key is a :class:`~notifysdk.errors.ConfigurationError`. Errors name the
variable or the file and the problem, never a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigurationError
from .files import private_dir, write_private

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from .config import Settings

KEY_BYTES = 32
"""Length of every symmetric key."""

MASTER_ENV = "NOTIFYSDK_LEDGER_KEY"
PSEUDONYM_ENV = "NOTIFYSDK_PSEUDONYM_KEY"
AUDIT_ENV = "NOTIFYSDK_AUDIT_KEY"

MASTER_FILE = "ledger.key"
PSEUDONYM_FILE = "pseudonym.key"
AUDIT_FILE = "audit.key"
SIGNING_FILE = "audit-signing.key"


def new_key() -> str:
    """A fresh 32-byte key as urlsafe base64 (what the variables and files hold)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def decode_key(text: str, where: str) -> bytes:
    """The 32 bytes of one urlsafe-base64 key; ``where`` names its source in errors."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ConfigurationError(f"{where}: not urlsafe base64") from None
    if len(raw) != KEY_BYTES:
        raise ConfigurationError(f"{where}: a key is {KEY_BYTES} bytes, this one is {len(raw)}")
    return raw


def key_id(key: bytes) -> str:
    """A short public name for a key (not reversible): 8 hex digits."""
    return hmac.new(key, b"notifysdk key id", hashlib.sha256).hexdigest()[:8]


@dataclass(frozen=True)
class KeySource:
    """One key as loaded: the current key, the retired ones still accepted, and where
    they came from (a variable's name or a file's path, for messages)."""

    current: bytes
    retired: tuple[bytes, ...] = ()
    origin: str = ""
    path: Path | None = None
    """The file it was read from (``None``: from the environment or generated)."""

    @property
    def all(self) -> tuple[bytes, ...]:
        """Current first, then the retired keys."""
        return (self.current, *self.retired)


@dataclass(frozen=True)
class LedgerKeys:
    """Every key a ledger needs, loaded from outside its database."""

    master: KeySource
    pseudonym: KeySource
    audit: KeySource
    signing_path: Path | None = None
    """Where the Ed25519 checkpoint signing key lives (``None``: ephemeral keys)."""
    created: tuple[Path, ...] = ()
    """Key files this load created (the embedded default says where, once)."""
    _signing: list[Ed25519PrivateKey] = field(default_factory=list, repr=False, compare=False)

    def signing_key(self) -> Ed25519PrivateKey:
        """The checkpoint signing key, read (or, for a key folder, created) on first use."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if self._signing:
            return self._signing[0]
        if self.signing_path is None:
            key = Ed25519PrivateKey.generate()
        elif self.signing_path.exists():
            try:
                loaded = serialization.load_pem_private_key(
                    self.signing_path.read_bytes(), password=None
                )
            except (ValueError, TypeError):
                raise ConfigurationError(f"{self.signing_path}: not a PEM private key") from None
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ConfigurationError(f"{self.signing_path}: not an Ed25519 key")
            key = loaded
        else:
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                write_private(self.signing_path, pem, exclusive=True)
            except FileExistsError:  # another process made it first: use that one
                return self.signing_key()
        self._signing.append(key)
        return key


def ephemeral_keys() -> LedgerKeys:
    """Random keys held in memory only (the memory ledger, tests)."""
    return LedgerKeys(
        master=KeySource(secrets.token_bytes(KEY_BYTES), origin="ephemeral"),
        pseudonym=KeySource(secrets.token_bytes(KEY_BYTES), origin="ephemeral"),
        audit=KeySource(secrets.token_bytes(KEY_BYTES), origin="ephemeral"),
    )


def load_keys(
    key_dir: Path | str,
    *,
    master_file: Path | str | None = None,
    create: bool = True,
    environ: dict[str, str] | None = None,
) -> LedgerKeys:
    """Load the four keys: each from its environment variable, else its file in
    ``key_dir`` (``master_file`` overrides the master key's file). ``create``: write a
    missing key file (mode ``0600``, folder ``0700``); without it a missing key is a
    :class:`~notifysdk.errors.ConfigurationError`."""
    env = os.environ if environ is None else environ
    folder = Path(key_dir)
    created: list[Path] = []

    def one(var: str, path: Path) -> KeySource:
        value = env.get(var)
        if value:
            keys = [decode_key(part, var) for part in value.split(",") if part.strip()]
            return KeySource(keys[0], tuple(keys[1:]), origin=var)
        if not path.exists():
            if not create:
                raise ConfigurationError(f"no key: set {var} or create {path}")
            private_dir(path.parent)
            try:
                write_private(path, (new_key() + "\n").encode(), exclusive=True)
                created.append(path)
            except FileExistsError:
                pass  # another process created it meanwhile: read that one
        return read_key_file(path)

    master = one(MASTER_ENV, Path(master_file) if master_file else folder / MASTER_FILE)
    pseudonym = one(PSEUDONYM_ENV, folder / PSEUDONYM_FILE)
    audit = one(AUDIT_ENV, folder / AUDIT_FILE)
    return LedgerKeys(
        master=master,
        pseudonym=pseudonym,
        audit=audit,
        signing_path=folder / SIGNING_FILE,
        created=tuple(created),
    )


def load_settings_keys(settings: Settings, *, create: bool = True) -> LedgerKeys:
    """:func:`load_keys` with the folder (:func:`settings_key_dir`) and master key file
    named in ``settings``."""
    return load_keys(
        settings_key_dir(settings), master_file=settings.ledger_key_file, create=create
    )


KEY_DIR_ENV = "NOTIFYSDK_KEY_DIR"


def default_key_dir(sqlite_file: str | None = None) -> Path:
    """The key folder of a ledger opened without keys or settings: ``NOTIFYSDK_KEY_DIR``
    when set, else ``keys/`` beside a SQLite ledger's file, else ``.notifysdk/keys``
    (the same folder :func:`settings_key_dir` gives for default settings)."""
    env = os.environ.get(KEY_DIR_ENV)
    if env:
        return Path(env)
    if sqlite_file and sqlite_file != ":memory:":
        return Path(sqlite_file).parent / "keys"
    return Path(".notifysdk") / "keys"


def settings_key_dir(settings: Settings) -> Path:
    """The key folder of ``settings``: ``key_dir`` when set; otherwise
    :func:`default_key_dir` (``NOTIFYSDK_KEY_DIR``, else ``keys/`` beside a SQLite
    ledger's file: ``.notifysdk/keys`` for the default ledger), the folder a ledger
    opened without settings uses too."""
    if "key_dir" in settings.model_fields_set:
        return Path(settings.key_dir)
    url = settings.ledger_url.get_secret_value()
    if url.startswith("sqlite:///"):
        # the file's path only (the ledger checks the URL when it opens it); read here,
        # not through ledger.sqlite, which imports this module
        path = url[len("sqlite:///") :].partition("?")[0]
        return default_key_dir(path or ":memory:")
    return default_key_dir()


def read_key_file(path: Path) -> KeySource:
    """Read a key file: current key on the first line, retired keys after it."""
    try:
        text = path.read_text(encoding="ascii")
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read the key file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not a key file (not ASCII)") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise ConfigurationError(f"{path}: the key file is empty")
    keys = [decode_key(ln, f"{path} line {i + 1}") for i, ln in enumerate(lines)]
    return KeySource(keys[0], tuple(keys[1:]), origin=str(path), path=path)


def key_created_message(created: tuple[Path, ...]) -> str:
    """What to tell the user once, when the embedded default created key files."""
    folder = created[0].parent
    names = ", ".join(p.name for p in created)
    return (
        f"created the ledger's keys in {folder} ({names}; mode 0600): without them the "
        "ledger's personal data cannot be read; back them up apart from the ledger"
    )


def rotate_key_file(path: Path) -> KeySource:
    """Start a master key rotation in a key file: a new current key on the first line,
    every key it held kept after it (retired, still accepted for reading). Returns the
    new contents. Written atomically (``0600``)."""
    old = read_key_file(path)
    fresh = decode_key(new_key(), "new key")
    lines = [_encode(k) for k in (fresh, *old.all)]
    write_private(path, ("\n".join(lines) + "\n").encode())
    return read_key_file(path)


def finish_key_file(path: Path) -> KeySource:
    """End a rotation: keep only the current key (the first line)."""
    current = read_key_file(path)
    write_private(path, (_encode(current.current) + "\n").encode())
    return read_key_file(path)


def _encode(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")
