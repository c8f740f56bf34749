"""Engine, sessions and the SQLite settings that make the embedded default safe under load."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from .consent_writer import ConsentWriter
from .errors import ConfigError

EXTENSION = "consentkit.db"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    try:
        # No pre-ping: it costs a round trip per request on the consent POST's hot path. Pooled
        # connections are recycled every 30 minutes instead, before servers or proxies drop them.
        engine = create_engine(url, pool_recycle=1800, **kwargs)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds for bad URLs
        raise ConfigError(f"cannot use database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a killed process (not a power cut) and is much faster than FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """One engine and session factory per application."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Autocommit: the consent INSERT is its own transaction, one round trip on PostgreSQL.
        self.consent_writer = ConsentWriter(
            make_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool))

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
    app.extensions[EXTENSION] = Database(app.config["DATABASE_URL"])
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
