"""One error path: JSON for the API (`/v1/…`), HTML for pages; a 500 rolls the session back.

A database that does not answer in time (a stalled server, a lock held too long, no connection
to be had) is a 503 with Retry-After, not a 500: the request can be repeated as it was, and the
banner does so by itself.
"""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, request
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from .errors import DatabaseBusy

RETRY_AFTER_UNAVAILABLE = 5  # seconds


def wants_json() -> bool:
    return request.path.startswith("/v1/") or request.path == "/healthz"


def _render(code: int, name: str, description: str):
    if wants_json():
        return jsonify(error=name.lower().replace(" ", "_"), message=description), code
    body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{code} {escape(name)}</title>"
            f"<h1>{code} {escape(name)}</h1><p>{escape(description)}</p></html>")
    return body, code, {"Content-Type": "text/html; charset=utf-8"}


def handle_http(exc: HTTPException):
    """Our body, the exception's own headers (Allow on 405, Retry-After on 429, WWW-Authenticate)."""
    body, code, *rest = _render(exc.code or 500, exc.name, exc.description or "")
    headers = dict(rest[0]) if rest else {}
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            headers[name] = value
    return body, code, headers


def _drop_session() -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


# SQLSTATE classes of a server that is unreachable, shutting down, out of resources or timed out.
_UNAVAILABLE_SQLSTATES = ("08", "53", "57", "55P03", "40P01")
_UNAVAILABLE_SQLITE = ("database is locked", "database is busy", "disk i/o error",
                       "unable to open database")


def is_unavailable(exc: Exception) -> bool:
    """Whether a database error means "try again later" rather than a bug (a missing table, bad SQL)."""
    if isinstance(exc, DatabaseBusy | PoolTimeout | InterfaceError):
        return True
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    message = str(orig or exc).lower()
    return orig is None or any(text in message for text in _UNAVAILABLE_SQLITE) or "connect" in message


def handle_unavailable(exc: Exception):
    """503 for a database that timed out or cannot be reached; logged as a warning, not a crash.
    Any other database error is a bug, answered as a 500."""
    if not is_unavailable(exc):
        return handle_unexpected(exc)
    _drop_session()
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[:1]
    current_app.logger.warning("database unavailable: %s", first[0] if first else type(exc).__name__)
    body, code, *rest = _render(503, "Service Unavailable",
                                "the database is not answering; retry in a few seconds")
    headers = dict(rest[0]) if rest else {}
    headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return body, code, headers


def handle_unexpected(exc: Exception):
    _drop_session()
    original = exc.original_exception if isinstance(exc, InternalServerError) else exc
    current_app.logger.exception("unhandled error", exc_info=original)
    return _render(500, "Internal Server Error", "the server failed; the error is logged")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    for kind in (DatabaseBusy, OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(kind, handle_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
