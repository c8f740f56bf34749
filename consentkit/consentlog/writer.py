"""Group commit for the consent log: concurrent POSTs in one process share one INSERT and one commit.

Why: the commit was what the consent POST spent its time on: a disk flush and, on PostgreSQL, a
round trip. Databases batch concurrent commits themselves only across connections; here requests
that arrive while a commit is running are batched before they reach the database.

How: the first request to find no commit running becomes the leader. It takes every row queued so
far (up to `max_batch`), writes them as one multi-row INSERT on the process's own autocommit
connection (one statement, so one atomic transaction) and wakes the others. Nobody returns before
their row is committed, so a 201 still means "on disk". Under gunicorn's sync worker every batch is
one row and the cost is one uncontended lock; under threads the batches grow with the load.

The INSERT goes straight to the DB-API cursor of `engine.raw_connection()`: SQLAlchemy's Core
execute cost more CPU than the database did. The SQL is built once per batch size with the
dialect's quoting and paramstyle, and each value goes through the column type's bind processor
(`type.dialect_impl(dialect).bind_processor(dialect)`), as Core would do it. All of it is
SQLAlchemy's public API; tests/test_consent_writer.py checks the values stored through it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

try:
    import fcntl

    fcntl_available = True
except ImportError:  # Windows: SQLite's own lock only
    fcntl_available = False

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..errors import ConfigError, DatabaseBusy
from ..models import OPTIONAL_CATEGORIES, ConsentRecord

COLUMNS = ("site_id", "consent_id", "seq", "created_at", *OPTIONAL_CATEGORIES, "method", "revision",
           "revision_hash", "language", "page_url", "banner_version", "user_agent", "gpc", "client_ip",
           "record_key")
Row = tuple[Any, ...]  # values in the order of COLUMNS
# SQLite: the WAL is checkpointed every this many statements, by `_Checkpointer` (SQLite's own
# automatic checkpoint would run inside the INSERT, fsync included, while the other workers wait).
CHECKPOINT_EVERY = 200


class _FileLock:
    """An exclusive flock on a file beside an SQLite database, held around each INSERT.

    Why: the writers of several gunicorn workers otherwise meet on SQLite's own lock, whose busy
    handler sleeps 1, 2, 5 … ms before it looks again. A waiter here polls from 20 µs up to 1 ms,
    so it takes the lock almost as soon as it is free, and gives up after `timeout` seconds (a
    writer stuck on a stalled disk must not hold every worker: they answer 503 instead).
    """

    def __init__(self, path: str, timeout: float) -> None:
        self._path = path
        self._timeout = timeout or 10.0
        self._fd = -1
        self._pid = 0

    def __enter__(self) -> None:
        if self._pid != os.getpid():  # a descriptor inherited across a fork shares the parent's lock
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        deadline = time.monotonic() + self._timeout
        pause = 0.00002
        while True:
            time.sleep(pause)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DatabaseBusy("another writer has held the consent log for "
                                       f"{self._timeout:g} s") from None
                pause = min(pause * 2, 0.001)

    def __exit__(self, *_exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)


class _Checkpointer:
    """Copies an SQLite WAL back into the database from a background thread of the process.

    Why a thread: a checkpoint writes and fsyncs the database file (about 13 ms after 200 inserts
    here). Run by the request that happened to write the 200th row, that request and every one
    queued behind its worker waited for the disk; here the worker answers on and the thread waits.
    PASSIVE never blocks writers or readers. The rows are committed already, so a checkpoint that
    fails is logged and the next one catches up.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._wanted = threading.Event()
        self._pid = 0
        self.done = 0  # checkpoints run in this process (tests read it)

    def request(self) -> None:
        """Ask for a checkpoint soon; starts this process's thread on first use (threads do not
        survive gunicorn's fork)."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._wanted = threading.Event()
            threading.Thread(target=self._run, name="consentkit-wal-checkpoint", daemon=True).start()
        self._wanted.set()

    def _run(self) -> None:
        wanted = self._wanted
        connection = None
        while True:
            wanted.wait()
            wanted.clear()
            try:
                connection = connection or self._engine.raw_connection()
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                self.done += 1
            except Exception:  # noqa: BLE001 - see the docstring
                logging.getLogger(__name__).warning("WAL checkpoint failed", exc_info=True)
                if connection is not None:
                    with contextlib.suppress(Exception):  # the next checkpoint opens a new one
                        connection.invalidate()
                connection = None


def _writer_lock(engine: Engine, timeout: float) -> contextlib.AbstractContextManager[Any]:
    """A `_FileLock` for a file-backed SQLite database; nothing for servers that queue writers well."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and fcntl_available:
        return _FileLock(os.path.abspath(database) + "-writer.lock", timeout)
    return contextlib.nullcontext()


class _Breaker:
    """After the database failed to take a write, answer "busy" at once for `pause` seconds.

    Why: with a stalled database each request would wait out the write timeout, holding its
    worker; a few seconds of immediate 503s (the banner keeps the record and retries) free the
    workers, and the first request after the pause tries the database again.
    """

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self._until = 0.0

    def check(self) -> None:
        if self._until and time.monotonic() < self._until:
            raise DatabaseBusy("the database did not take the last write; retry shortly")

    def tripped(self) -> None:
        self._until = time.monotonic() + self.pause

    def reset(self) -> None:
        self._until = 0.0


class _Pending:
    """One row waiting for its commit. A follower's thread sleeps on `wake` until the row is
    committed (or refused), or until the thread is made the next leader. A row whose own thread
    leads (always, under sync workers) needs no lock, so none is made."""

    __slots__ = ("done", "error", "row", "wake")

    def __init__(self, row: Row) -> None:
        self.row = row
        self.done = False
        self.error: BaseException | None = None
        self.wake: Any = None

    def follow(self) -> None:
        """Become a follower: `wake` starts held, so acquiring it again waits for a release."""
        self.wake = threading.Lock()
        self.wake.acquire()


class ConsentWriter:
    """Appends consent records for every thread of one process (see the module docstring)."""

    def __init__(self, engine: Engine, max_batch: int = 50, lock_timeout: float = 3.0) -> None:
        """`engine`: autocommit, and a NullPool (the writer keeps its one connection itself), with
        its statement or busy timeout; `lock_timeout`: the longest wait for SQLite's writers' lock."""
        self.max_batch = max_batch
        self.breaker = _Breaker(pause=2.0)
        self.engine = engine
        dialect = engine.dialect
        table = ConsentRecord.__table__
        quote = dialect.identifier_preparer.quote
        self._prefix = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
                        f"({', '.join(quote(name) for name in COLUMNS)}) VALUES ")
        placeholder = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
        if placeholder is None:
            raise ConfigError(f"the consent log cannot write through {dialect.driver} "
                              f"(paramstyle {dialect.paramstyle}); use sqlite or psycopg")
        self._group = "(" + ", ".join([placeholder] * len(COLUMNS)) + ")"
        # Public API (`dialect_impl`, `bind_processor`): what Core would apply to each value.
        processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in COLUMNS]
        self._processors: list[tuple[int, Callable[[Any], Any]]] = [
            (index, proc) for index, proc in enumerate(processors) if proc is not None]
        self._statements: dict[int, str] = {}
        self._dbapi = dialect.loaded_dbapi
        self._file_lock = _writer_lock(engine, lock_timeout)
        self._sqlite = dialect.name == "sqlite"
        self.checkpointer = _Checkpointer(engine) if self._sqlite else None
        self._mutex = threading.Lock()
        self._queue: list[_Pending] = []
        self._leading = False
        self._connection: Any = None
        self._cursor_kept: Any = None
        self._pid = 0
        self._inherited: list[Any] = []  # kept alive: collecting one would close the parent's socket
        self.statements = 0  # INSERTs that committed: fewer than rows means commits were shared

    def append(self, row: Row) -> None:
        """Write one row; returns once it is committed, raises a SQLAlchemy error if it was not.

        Only the threads whose rows were in a batch are woken, and the first of those still
        waiting is handed the lead: no thundering herd on a condition variable.
        """
        item = _Pending(row)
        with self._mutex:
            follower = self._leading
            if follower:
                item.follow()
                self._queue.append(item)
            else:
                self._leading = True
        if follower:
            item.wake.acquire()  # released when committed, or when made the leader
        if not item.done:
            self._lead(item)
        if item.error is not None:
            raise item.error

    def _lead(self, item: _Pending) -> None:
        """Commit `item` with whatever is queued, then pass the lead on (or give it up)."""
        with self._mutex:
            batch = [item, *self._queue[:self.max_batch - 1]]
            del self._queue[:self.max_batch - 1]
        try:
            self._commit(batch)
        finally:
            for other in batch[1:]:
                other.wake.release()
            with self._mutex:
                successor = self._queue.pop(0) if self._queue else None
                self._leading = successor is not None
            if successor is not None:
                successor.wake.release()

    def _commit(self, batch: list[_Pending]) -> None:
        """Insert the batch; a refused batch is retried row by row so one bad row fails alone."""
        try:
            try:
                self._insert([item.row for item in batch])
            except IntegrityError:
                if len(batch) == 1:
                    raise
                for item in batch:
                    try:
                        self._insert([item.row])
                    except DBAPIError as exc:
                        item.error = exc
        except BaseException as exc:  # every waiter must learn the outcome, even of a SystemExit
            for item in batch:
                item.error = item.error or exc
            if not isinstance(exc, Exception):
                raise
        finally:
            for item in batch:
                item.done = True

    def _insert(self, rows: Sequence[Row]) -> None:
        sql = self._statement(len(rows))
        params: list[Any] = []
        for row in rows:
            if self._processors:
                row = list(row)  # noqa: PLW2901 - converted in place, per dialect
                for index, proc in self._processors:
                    row[index] = proc(row[index])
            params.extend(row)
        dbapi = self._dbapi
        self.breaker.check()
        try:
            cursor = self._cursor()
        except DBAPIError:  # no connection: the server is down or does not answer in time
            self.breaker.tripped()
            raise
        try:
            with self._file_lock:
                cursor.execute(sql, params)
        except DatabaseBusy:
            self.breaker.tripped()
            raise
        except dbapi.Error as exc:
            if not isinstance(exc, dbapi.IntegrityError):
                self._discard()  # the connection may be broken; the next batch opens a new one
                self.breaker.tripped()
            raise DBAPIError.instance(sql, params, exc, dbapi.Error) from exc
        self.breaker.reset()
        self.statements += 1
        if self.checkpointer and self.statements % CHECKPOINT_EVERY == 0:
            self.checkpointer.request()

    def _statement(self, count: int) -> str:
        """`INSERT … VALUES (…), (…)` for `count` rows, built once per count."""
        sql = self._statements.get(count)
        if sql is None:
            sql = self._statements[count] = self._prefix + ", ".join([self._group] * count)
        return sql

    def _cursor(self) -> Any:
        """A cursor of the process's own connection, both opened on first use (after gunicorn
        forked the worker) and then kept: only the leader uses them, one statement at a time."""
        if self._pid != os.getpid():
            self.forget()
        if self._connection is None:
            self._connection = self.engine.raw_connection()
            if self._sqlite:  # the checkpointer's thread does it, outside the writers' lock
                self._connection.execute("PRAGMA wal_autocheckpoint=0")
            self._cursor_kept = self._connection.cursor()
            self._pid = os.getpid()
        return self._cursor_kept

    def forget(self) -> None:
        """After a fork: drop the parent's connection without closing it (the parent still uses it)."""
        if self._connection is not None:
            self._inherited.append((self._connection, self._cursor_kept))
            self._connection = self._cursor_kept = None

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        self._cursor_kept = None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken
                connection.invalidate()

    def close(self) -> None:
        """Close this process's connection (tests and shutdown, when no request is writing)."""
        with self._mutex:
            connection, self._connection = self._connection, None
            self._cursor_kept = None
        if connection is not None and self._pid == os.getpid():
            connection.close()
        self.engine.dispose()
