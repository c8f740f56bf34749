"""Engine, sessions and the SQLite settings that make the embedded default safe under load."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from .consentlog.receipts import ReceiptKeys
from .consentlog.writer import ConsentWriter
from .errors import ConfigError

EXTENSION = "consentkit.db"


@dataclass(frozen=True)
class Timeouts:
    """How long a request waits for the database before it gives up (seconds; 0: no limit).

    Why: a stalled database (a lock held, a failing disk, a server that stopped answering) must
    not hang every worker until gunicorn kills it after 60 s. The API answers 503 with
    Retry-After instead, and the banner keeps the record and sends it again later.
    `connect`: opening a PostgreSQL connection. `statement`: any statement (PostgreSQL's
    statement_timeout; SQLite's busy timeout). `write`: the consent INSERT, stricter, since a
    visitor's page waits for it (PostgreSQL's statement and lock timeouts on the writer's
    connection; SQLite's busy timeout and the writers' lock).
    """

    connect: float = 5
    statement: float = 10
    write: float = 3

    @classmethod
    def from_config(cls, config: Any) -> Timeouts:
        return cls(float(config.get("DB_CONNECT_TIMEOUT", cls.connect)),
                   float(config.get("DB_STATEMENT_TIMEOUT", cls.statement)),
                   float(config.get("DB_WRITE_TIMEOUT", cls.write)))


# Migrations and the CLI's own engines: no statement limit (a migration may rewrite a big table).
NO_LIMITS = Timeouts(connect=10, statement=0, write=0)


def make_engine(url: str, timeouts: Timeouts = NO_LIMITS, *, statement: float | None = None,
                **kwargs: Any) -> Engine:
    """Create an engine with the timeouts; SQLite gets WAL, foreign keys and its busy timeout.

    `statement` overrides `timeouts.statement` (the consent writer's engine uses `timeouts.write`).
    """
    limit = timeouts.statement if statement is None else statement
    try:
        # No pre-ping: it costs a round trip per request on the consent POST's hot path. Pooled
        # connections are recycled every 30 minutes instead, before servers or proxies drop them.
        engine = create_engine(url, pool_recycle=1800, **_connect_args(url, timeouts, limit), **kwargs)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds for bad URLs
        raise ConfigError(f"cannot use database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        busy = int((limit or 10) * 1000)  # no limit still waits 10 s for a lock, as SQLite needs
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, busy_ms=busy))
    return engine


def _connect_args(url: str, timeouts: Timeouts, statement: float) -> dict[str, Any]:
    if not url.startswith("postgresql"):
        return {}
    args: dict[str, Any] = {"connect_timeout": max(1, round(timeouts.connect))}
    if statement:
        ms = int(statement * 1000)
        args["options"] = f"-c statement_timeout={ms} -c lock_timeout={ms}"
    return {"connect_args": args}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a killed process (not a power cut) and is much faster than FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


class Database:
    """One engine and session factory per application."""

    def __init__(self, url: str, timeouts: Timeouts | None = None, secret_key: str = "") -> None:
        """`secret_key` seals the receipt signing keys (see `consentkit.consentlog.receipts`)."""
        self.url = url
        self.timeouts = timeouts = timeouts or Timeouts()
        self.engine = make_engine(url, timeouts)
        self.receipt_keys = ReceiptKeys(secret_key, self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Autocommit: the consent INSERT is its own transaction, one round trip on PostgreSQL.
        self.consent_writer = ConsentWriter(
            make_engine(url, timeouts, statement=timeouts.write, isolation_level="AUTOCOMMIT",
                        poolclass=NullPool), lock_timeout=timeouts.write)

    def dispose(self, close: bool = True) -> None:
        """Drop the pools and the consent writer's connection (`close=False` after a fork: the parent
        still owns those sockets)."""
        self.engine.dispose(close=close)
        if close:
            self.consent_writer.close()
        else:
            self.consent_writer.forget()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error (for CLI and background work)."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


class LazyConnection:
    """A pooled connection opened on the first call only: hot paths answered from a cache open none.

    Use as a context manager; calling it returns the (one) connection.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def __call__(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect()
        return self._connection

    def __enter__(self) -> LazyConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Database(app.config["DATABASE_URL"], Timeouts.from_config(app.config),
                                         app.config["SECRET_KEY"])
    app.teardown_appcontext(_close_session)


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION]


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_db().sessions()
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
