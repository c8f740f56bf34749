"""One error path: JSON for the API (`/v1/…`), HTML for pages; a 500 rolls the session back."""

from __future__ import annotations

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError


def wants_json() -> bool:
    return request.path.startswith("/v1/") or request.path == "/healthz"


def _render(code: int, name: str, description: str):
    if wants_json():
        return jsonify(error=name.lower().replace(" ", "_"), message=description), code
    from markupsafe import escape

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


def handle_unexpected(exc: Exception):
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
    original = exc.original_exception if isinstance(exc, InternalServerError) else exc
    from flask import current_app

    current_app.logger.exception("unhandled error", exc_info=original)
    return _render(500, "Internal Server Error", "the server failed; the error is logged")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
