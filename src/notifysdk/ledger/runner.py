"""One writer thread per ledger: runs each operation in a transaction, with group commit.

Why a thread: both drivers (``sqlite3``, psycopg's sync API) block, and the dispatcher
runs on asyncio. One thread owning one connection keeps SQLite to a single writer per
process (no ``database is locked`` between our own connections) and gives a natural
place to batch: operations queued while a transaction commits are run together in the
next one, each inside its own savepoint, and every caller is answered only after the
commit (``max_batch`` bounds the group; 1 turns batching off).

Cross-process atomicity comes from the backend's ``begin``: SQLite takes the database's
write lock up front (``BEGIN IMMEDIATE``); PostgreSQL takes transaction-scoped advisory
locks on every key the batch's operations declared, in ascending order with the audit
chain's lock (:data:`LAST_LOCK`) always last, so two workers can never deadlock on them
and a check-and-reserve sees every earlier commit.

**Deferred work** (PostgreSQL's audit appends): a connection with a ``deferred`` list
lets operations leave work for the end of the transaction instead of doing it at once;
the runner empties the list when a transaction starts, drops what an operation left
there when its savepoint rolls back, and hands what is left to :attr:`TxRunner.tail`
right before COMMIT. That is how the audit chain's lock, held until COMMIT once taken,
is taken only for the last statements of a transaction, not for the whole batch.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..errors import LedgerError, LedgerUnavailableError, NotifyError
from .schema import Db, Dialect

log = logging.getLogger("notifysdk.ledger")

T = TypeVar("T")

Op = Callable[[Db], Any]


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for an advisory lock name."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


LAST_LOCK = "audit"
"""The lock every transaction takes after all its others (the audit chain's head): a
transaction waiting for it holds no lock another one waits for while holding it, so a
:attr:`TxRunner.tail` may take it late without a deadlock."""

_LAST_ID = lock_id(LAST_LOCK)


def lock_order(names: Iterable[str]) -> list[int]:
    """The lock ids of ``names``, unique, ascending, :data:`LAST_LOCK` last."""
    ids = {lock_id(n) for n in names}
    last = _LAST_ID in ids
    ids.discard(_LAST_ID)
    return [*sorted(ids), *([_LAST_ID] if last else [])]


class TailError(Exception):
    """Raised by the runner around an exception of :attr:`TxRunner.tail` (internal)."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Backend(Protocol):
    """What a database back-end supplies to the runner. One whose ``begin`` ignores the
    locks (SQLite: ``BEGIN IMMEDIATE`` takes the whole database) may say so with a
    class attribute ``takes_locks = False``; the runner then passes none."""

    dialect: Dialect

    def connect(self) -> Db:
        """Open the connection the writer thread will own (autocommit mode)."""
        ...

    def begin(self, db: Db, locks: Sequence[int]) -> None:
        """Start a transaction holding every lock in ``locks`` (sorted, unique)."""
        ...

    def retryable(self, exc: BaseException) -> bool:
        """True for a conflict worth running the batch again (deadlock, busy)."""
        ...

    def close(self, db: Db) -> None:
        """Close the connection."""
        ...


@runtime_checkable
class Reconnecting(Protocol):
    """What a back-end whose connection can be lost under it (a server) adds, so the
    runner replaces the connection and runs a batch again only when that is safe."""

    def lost(self, db: Db, exc: BaseException) -> bool:
        """True when ``exc`` means the connection itself is gone."""
        ...

    def commit_token(self, db: Db) -> Any:
        """Called before COMMIT: what identifies this transaction afterwards (``None``
        when it wrote nothing)."""
        ...

    def reconnect(self, db: Db) -> Db:
        """Drop the broken connection and return a healthy one (or raise)."""
        ...

    def committed(self, db: Db, token: Any) -> bool | None:
        """On the new connection: did the transaction ``token`` commit? ``None``:
        unknown."""
        ...


class _Op:
    """One queued operation and how its caller hears back: an asyncio future settled on
    its event loop (:meth:`TxRunner.run`), or a thread's future (:meth:`TxRunner.run_sync`)."""

    __slots__ = ("fn", "future", "locks", "loop")

    def __init__(
        self,
        fn: Op,
        locks: tuple[str, ...],
        future: asyncio.Future[Any] | concurrent.futures.Future[Any],
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.fn = fn
        self.locks = locks
        self.future = future
        self.loop = loop

    def start(self) -> bool:
        """False when the caller gave up (cancelled) before the operation ran."""
        if self.loop is None:
            assert isinstance(self.future, concurrent.futures.Future)
            return self.future.set_running_or_notify_cancel()
        # Read from the writer thread: a cancellation after this check only means the
        # result is dropped (see _settle), as when a thread's future is already running.
        return not self.future.cancelled()


class TxRunner:
    """Runs operations on a private connection in a private thread."""

    RETRIES = 5
    RECONNECTS = 5
    """How many times one batch may lose its connection before its callers get the
    error (each time waits up to the back-end's own bound for a new connection)."""

    def __init__(
        self,
        backend: Backend,
        *,
        max_batch: int = 32,
        setup: Op | None = None,
        name: str = "notifysdk-ledger",
    ) -> None:
        self.backend = backend
        # Asked once, not per batch (a runtime-checkable Protocol's isinstance is slow).
        self._rec = backend if isinstance(backend, Reconnecting) else None
        self._takes_locks: bool = getattr(backend, "takes_locks", True)
        self.max_batch = max(1, max_batch)
        self.batches = 0
        """How many transactions were committed (the bench reports ops per batch)."""
        self.tail: Callable[[Db, list[Any]], None] | None = None
        """Run right before COMMIT with what the transaction's operations deferred (see
        the module's docstring), when they deferred anything."""
        self._q: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._closed = False
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._main, args=(ready, setup), name=name, daemon=True
        )
        self._thread.start()
        ready.result()

    # -- callers -----------------------------------------------------------------

    async def run(self, fn: Callable[[Db], T], locks: Sequence[str] = ()) -> T:
        """Run ``fn(db)`` in a transaction holding ``locks``; its result after commit."""
        loop = asyncio.get_running_loop()
        # An asyncio future settled from the writer thread by one call_soon_threadsafe:
        # no thread future chained to it (what asyncio.wrap_future would add per call).
        future: asyncio.Future[T] = loop.create_future()
        self._submit(_Op(fn, tuple(locks), future, loop))
        return await future

    def run_sync(self, fn: Callable[[Db], T], locks: Sequence[str] = ()) -> T:
        """Blocking variant of :meth:`run` (scripts, migrations, the CLI)."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._submit(_Op(fn, tuple(locks), future))
        return future.result()

    def _submit(self, op: _Op) -> None:
        if self._closed:
            raise LedgerError("the ledger is closed")
        self._q.put(op)

    async def aclose(self) -> None:
        """Finish queued operations, then close the connection."""
        if self._closed:
            return
        self._closed = True
        self._q.put(None)
        await asyncio.to_thread(self._thread.join)

    def close(self) -> None:
        """Blocking variant of :meth:`aclose`."""
        if not self._closed:
            self._closed = True
            self._q.put(None)
            self._thread.join()

    # -- the writer thread ---------------------------------------------------------

    def _main(self, ready: concurrent.futures.Future[None], setup: Op | None) -> None:
        try:
            db = self._db = self.backend.connect()
            if setup is not None:
                setup(db)
        except BaseException as exc:
            if isinstance(exc, OSError):
                # Whatever stops the file or folder being opened, the ledger is unusable.
                opened = LedgerUnavailableError(
                    f"the ledger cannot be opened: {exc.strerror or type(exc).__name__}"
                )
                opened.__cause__ = exc
                ready.set_exception(opened)
            else:
                ready.set_exception(typed_error(exc))
            return
        ready.set_result(None)
        try:
            stop = False
            while not stop:
                first = self._q.get()
                if first is None:
                    break
                batch = [first]
                while len(batch) < self.max_batch:
                    try:
                        nxt = self._q.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        stop = True
                        break
                    batch.append(nxt)
                live = [op for op in batch if op.start()]
                if live:
                    self._run_batch(live)
        finally:
            self.backend.close(self._db)

    def _run_batch(self, batch: list[_Op]) -> None:
        locks = lock_order(n for op in batch for n in op.locks) if self._takes_locks else []
        rec = self._rec
        attempt = reconnects = 0
        while True:
            db = self._db
            results: list[tuple[bool, Any]] = []
            token: Any = None
            committing = False
            deferred: list[Any] | None = getattr(db, "deferred", None)
            if deferred is not None:
                deferred.clear()
            try:
                self.backend.begin(db, locks)
                if len(batch) == 1:
                    results.append((True, batch[0].fn(db)))
                else:
                    results = self._in_savepoints(db, batch, deferred)
                if deferred and self.tail is not None:
                    try:
                        self.tail(db, deferred)
                    except Exception as exc:
                        if rec is not None and rec.lost(db, exc):
                            raise
                        raise TailError(exc) from exc
                if rec is not None:
                    token = rec.commit_token(db)
                committing = True
                db.x("COMMIT")
                self.batches += 1
                break
            except Exception as exc:
                if rec is not None and reconnects < self.RECONNECTS and rec.lost(db, exc):
                    reconnects += 1
                    done = self._recover(rec, db, exc, token if committing else None)
                    if done is True:  # the COMMIT went through; only its reply was lost
                        self.batches += 1
                        break
                    if done is False:
                        continue  # it never committed: run it again on the new connection
                    results = [(False, done)] * len(batch)
                    break
                _rollback(db)
                if isinstance(exc, TailError):
                    if len(batch) > 1 and not self.backend.retryable(exc.cause):
                        # The end of the transaction failed (the audit chain refused an
                        # append): run each operation alone, so each caller gets its own
                        # answer and those with nothing deferred are not refused for it.
                        for op in batch:
                            self._run_batch([op])
                        return
                    exc = exc.cause
                attempt += 1
                if self.backend.retryable(exc) and attempt < self.RETRIES:
                    log.info("ledger batch conflicted (%s); running it again", type(exc).__name__)
                    continue
                if len(batch) == 1 and not self.backend.retryable(exc):
                    results = [(False, exc)]
                    break
                err = LedgerError(f"ledger transaction failed: {type(exc).__name__}: {exc}")
                results = [(False, err)] * len(batch)
                break
        _answer(batch, results)

    def _recover(
        self, rec: Reconnecting, db: Db, exc: Exception, token: Any
    ) -> bool | BaseException:
        """After ``db`` was lost: a new connection, then whether the batch committed
        (``token``: it was lost during COMMIT). ``True``: it did; ``False``: it did not
        and may run again; an exception: its callers get that."""
        log.warning(
            "ledger connection lost (%s); continuing on a new connection", type(exc).__name__
        )
        try:
            self._db = rec.reconnect(db)
            if token is None:
                return False
            done = rec.committed(self._db, token)
        except Exception as failed:
            return failed
        if done is None:
            return LedgerUnavailableError(
                "the ledger connection was lost during COMMIT and the server cannot say "
                "whether the transaction committed"
            )
        return done

    def _in_savepoints(
        self, db: Db, batch: list[_Op], deferred: list[Any] | None
    ) -> list[tuple[bool, Any]]:
        """Each operation of ``batch`` in its own savepoint; a failed one is rolled back
        alone (with what it deferred). On PostgreSQL the bookkeeping between two
        operations (release or roll back the last savepoint, open the next) is one
        round trip of plain statements, and the last release is left to COMMIT (which
        releases every savepoint): a batch's round trips are its operations' own."""
        joined = self.backend.dialect == "postgresql"
        carry: list[str] = []
        results: list[tuple[bool, Any]] = []
        for op in batch:
            if joined:
                db.x("; ".join([*carry, "SAVEPOINT op"]))
                carry.clear()
            else:
                db.x("SAVEPOINT op")
            mark = 0 if deferred is None else len(deferred)
            try:
                value = op.fn(db)
            except Exception as exc:
                undo = ["ROLLBACK TO SAVEPOINT op", "RELEASE SAVEPOINT op"]
                if joined:
                    carry = undo
                else:
                    for statement in undo:
                        db.x(statement)
                if deferred is not None:
                    del deferred[mark:]  # what the failed operation left goes with it
                results.append((False, exc))
                continue
            if joined:
                carry = ["RELEASE SAVEPOINT op"]
            else:
                db.x("RELEASE SAVEPOINT op")
            results.append((True, value))
        if carry and carry[0].startswith("ROLLBACK"):
            db.x("; ".join(carry))  # before the tail and COMMIT: the last one failed
        return results


def _answer(batch: list[_Op], results: list[tuple[bool, Any]]) -> None:
    """Give each caller its result (or its typed error): a thread's future at once, the
    asyncio ones with one callback per event loop for the whole batch."""
    loops: dict[asyncio.AbstractEventLoop, list[tuple[Any, bool, Any]]] = {}
    for op, (ok, value) in zip(batch, results, strict=True):
        answer = value if ok else typed_error(value)
        if op.loop is None:
            assert isinstance(op.future, concurrent.futures.Future)
            if ok:
                op.future.set_result(answer)
            else:
                op.future.set_exception(answer)
        else:
            loops.setdefault(op.loop, []).append((op.future, ok, answer))
    for loop, answers in loops.items():
        if loop.is_closed():
            continue  # nobody is left waiting (as asyncio.wrap_future would drop it)
        with contextlib.suppress(RuntimeError):  # closed since the check
            loop.call_soon_threadsafe(_settle, answers)


def _settle(answers: list[tuple[Any, bool, Any]]) -> None:
    """On the callers' event loop: set each future not cancelled meanwhile."""
    for future, ok, answer in answers:
        if future.done():
            continue
        if ok:
            future.set_result(answer)
        else:
            future.set_exception(answer)


def typed_error(exc: BaseException) -> BaseException:
    """A driver's error about the database itself (read-only file, disk full, connection
    lost) as :class:`~notifysdk.errors.LedgerUnavailableError`, so every caller, not only
    a campaign, gets the SDK's typed error; anything else as it was raised."""
    if isinstance(exc, NotifyError):
        return exc
    from ..faults import run_fault  # the models load with it; the runner starts without

    typed = run_fault(exc)
    if typed is None:
        return exc
    typed.__cause__ = exc
    return typed


def _rollback(db: Db) -> None:
    with contextlib.suppress(Exception):  # no transaction open (BEGIN itself failed)
        db.x("ROLLBACK")
