"""Private files and folders: what the SDK writes about people is readable by its owner only.

Folders are created ``0700`` and files ``0600`` whatever the process's umask (the mode
is set explicitly after creation, since ``mkdir``/``open`` only narrow it by the umask).
An existing folder is narrowed to ``0700`` only when the SDK created it or when it is
one of the SDK's own (``.notifysdk/…``): a folder the user made and shares keeps its
mode, but every file written into it is ``0600``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
"""Mode of every folder the SDK creates."""

PRIVATE_FILE_MODE = 0o600
"""Mode of every file the SDK creates (ledger, keys, outputs)."""

SDK_HOME = ".notifysdk"
"""The name of the SDK's own folder: folders in it are narrowed even when they exist."""


def private_dir(path: Path | str) -> Path:
    """Create ``path`` and its missing parents with mode ``0700``; return it.

    New folders are ``0700`` regardless of the umask. Folders that already exist keep
    their mode (the user's choice), except the SDK's own: from ``.notifysdk`` down to
    ``path``, a folder this user owns is narrowed to ``0700``."""
    p = Path(path)
    missing: list[Path] = []
    q = p
    while not q.exists():
        missing.append(q)
        if q.parent == q:
            break
        q = q.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made by another process meanwhile
        os.chmod(d, PRIVATE_DIR_MODE)
    if SDK_HOME in p.parts:
        _narrow_own(p, p.parts.index(SDK_HOME), len(missing))
    return p


def _narrow_own(p: Path, home: int, created: int) -> None:
    """Narrow the SDK's own folders that already existed (``.notifysdk`` down to ``p``,
    made by an older version with the umask's mode) to ``0700``, if this user owns them."""
    parts = p.parts
    uid = os.getuid()
    for end in range(home + 1, len(parts) + 1 - created):
        d = Path(*parts[:end])
        st = d.stat()
        if st.st_mode & 0o077 and st.st_uid == uid:
            os.chmod(d, PRIVATE_DIR_MODE)


def private_file(path: Path | str) -> Path:
    """Make sure ``path`` exists with mode ``0600`` (created empty if missing); return it.

    For files another library creates (SQLite's database, its ``-wal`` and ``-shm``):
    call it before the library opens the file, so the file is never readable by others,
    even for an instant."""
    p = Path(path)
    private_dir(p.parent)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return p


def write_private(
    path: Path | str, data: bytes, *, exclusive: bool = False, sync: bool = True
) -> Path:
    """Write ``data`` to ``path`` with mode ``0600``, creating its folder ``0700``.

    The file is written whole to a temporary name beside it and renamed into place,
    so a reader never sees half a file. ``exclusive``: fail with
    :class:`FileExistsError` if ``path`` exists (for key files, never overwritten).
    ``sync``: flush it to disk before the rename (keys, checkpoints); output files a
    channel writes by the thousand pass ``False`` (an ``fsync`` costs about 6 ms a file,
    350 times the write)."""
    p = Path(path)
    private_dir(p.parent)
    if exclusive and p.exists():
        raise FileExistsError(str(p))
    # pid and thread: two writers of one path never share a temporary file
    tmp = p.with_name(f".{p.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    else:
        os.close(fd)
    if exclusive:
        try:
            os.link(tmp, p)  # atomic create-if-absent
        except FileExistsError:
            os.unlink(tmp)
            raise
        os.unlink(tmp)
    else:
        os.replace(tmp, p)
    return p
