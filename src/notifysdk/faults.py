"""Telling a fault of the run from a fault of one notice or row.

A campaign goes on past whatever one account raises — that account's row fails, the
next is tried. It stops only when going on would fail every row the same way: the
ledger cannot be reached, read or written, or the disk is full. :func:`run_fault` says
which an exception is, and gives the typed error to stop with
(:class:`~notifysdk.errors.LedgerUnavailableError`, or
:class:`~notifysdk.errors.RunFaultError` for the file system), with a one-line message
naming the cause and never a notice's data.

What counts as the run's fault:

- :class:`~notifysdk.errors.RunFaultError` itself, and any
  :class:`~notifysdk.errors.LedgerError` but the two about one notice's claim
  (:class:`~notifysdk.errors.ClaimConflictError`,
  :class:`~notifysdk.errors.ClaimLostError`);
- a database driver's error about the database rather than the statement: sqlite3's
  ``OperationalError`` (``attempt to write a readonly database``, ``database or disk is
  full``, ``disk I/O error``, ``unable to open database file``), ``DatabaseError``
  itself (``file is not a database``), ``InternalError``, ``NotSupportedError``;
  psycopg's ``OperationalError`` (connection refused or lost, disk full),
  ``InterfaceError``, ``InternalError`` (a read-only transaction) and
  ``InsufficientPrivilege``;
- an :class:`OSError` whose ``errno`` says the file system cannot take a write
  (``ENOSPC``, ``EDQUOT``, ``EFBIG``, ``EROFS``, ``EIO``, ``EACCES``, ``EPERM``) or the
  process ran out of files (``EMFILE``, ``ENFILE``).

Everything else — an ``InvalidOperation`` from a formatter, a ``RecursionError``, a
``ValueError`` from a plugin, a constraint error about one row — is one row's fault.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from datetime import datetime

from .errors import (
    ClaimConflictError,
    ClaimLostError,
    LedgerError,
    LedgerUnavailableError,
    RunFaultError,
)
from .models import INTERNAL_ERROR_RULE, Notice, Outcome, OutcomeStatus

__all__ = ["FS_FAULT_ERRNOS", "internal_error", "run_fault"]

FS_FAULT_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EIO,
        errno.EACCES,
        errno.EPERM,
        errno.EMFILE,
        errno.ENFILE,
    }
)
"""``OSError`` numbers that make an :class:`OSError` a fault of the run."""

_SQLITE_FAULTS = (
    sqlite3.OperationalError,
    sqlite3.InternalError,
    sqlite3.NotSupportedError,
)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _psycopg_fault(exc: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")  # loaded only when a PostgreSQL ledger is used
    if psycopg is None:
        return False
    faults: tuple[type[BaseException], ...] = (
        psycopg.OperationalError,
        psycopg.InterfaceError,
        psycopg.InternalError,
        psycopg.errors.InsufficientPrivilege,
    )
    return isinstance(exc, faults)


def run_fault(exc: BaseException) -> RunFaultError | None:
    """The typed error to stop the run with when ``exc`` is a fault of the run itself
    (see the module docstring); ``None`` when it is one notice's or one row's."""
    if isinstance(exc, RunFaultError):
        return exc
    if isinstance(exc, ClaimConflictError | ClaimLostError):
        return None
    if isinstance(exc, LedgerError):
        return LedgerUnavailableError(f"the ledger failed: {_first_line(exc)}")
    if isinstance(exc, _SQLITE_FAULTS) or type(exc) is sqlite3.DatabaseError:
        return LedgerUnavailableError(
            f"the SQLite ledger cannot be used: {_first_line(exc)} ({type(exc).__name__})"
        )
    if _psycopg_fault(exc):
        # psycopg's first line names the server and the cause, never the password.
        return LedgerUnavailableError(
            f"the PostgreSQL ledger cannot be used: {type(exc).__name__}: {_first_line(exc)}"
        )
    if isinstance(exc, OSError) and exc.errno in FS_FAULT_ERRNOS:
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        return RunFaultError(f"cannot write: {exc.strerror or 'I/O error'} ({name})")
    return None


def internal_error(
    notice: Notice, exc: BaseException, now: datetime, *, where: str, attempts: int = 0
) -> Outcome:
    """The ``failed`` outcome (rule :data:`~notifysdk.models.INTERNAL_ERROR_RULE`) of a
    notice that raised ``exc`` ``where`` it was (``"while preparing"``, ``"after the
    claim"``). Built without the redactor, which may be what raised: the reason is a
    fixed text naming the exception's type, never its message."""
    return Outcome(
        idempotency_key=notice.idempotency_key,
        status=OutcomeStatus.FAILED,
        channel=notice.channel,
        at=now,
        rule=INTERNAL_ERROR_RULE,
        reason=f"unexpected {type(exc).__name__} {where}",
        attempts=attempts,
    )
