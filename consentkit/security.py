"""Security headers and the session cookie policy for the pages people sign in to.

The admin pages show data written by strangers (cookie names from scanned sites, user agents and
page URLs from visitors), so besides autoescaping they get a strict Content-Security-Policy: no
inline script or style at all, nothing loaded from another origin, no framing.
"""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # same-origin keeps the Referer that Flask-WTF's strict HTTPS check needs, and leaks nothing out.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def add_page_headers(response: Response) -> Response:
    """Set the page headers unless a view chose its own (setdefault keeps a stricter one)."""
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    if not response.headers.get("Cache-Control"):
        response.headers["Cache-Control"] = "no-store"
    return response


def under(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` itself or below it (`/admin`, `/admin/…`, not `/administrator`)."""
    return path == prefix or path.startswith(prefix + "/")


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The admin's signed session cookie, opened only under its prefix and `Secure` over https.

    Flask opens the session on every request; only the admin pages use one, so elsewhere (the
    consent POST, consent.js) it is a null session and costs nothing. Flask's SESSION_COOKIE_SECURE
    is one static value; a server that answers on http locally and on https behind a proxy (with
    ProxyFix) needs the flag per request. SESSION_COOKIE_SECURE=True still forces it on.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if not under(request.path, self.prefix):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def protect_prefix(app: Flask, prefix: str) -> None:
    """Send PAGE_HEADERS on every response under `prefix`, error pages and static files included."""

    def after(response: Response) -> Response:
        if under(request.path, prefix):
            add_page_headers(response)
        return response

    app.after_request(after)
