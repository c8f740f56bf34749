"""Security headers and the session cookie policy for the pages people sign in to.

The admin pages show data written by strangers (cookie names from scanned sites, user agents and
page URLs from visitors), so besides autoescaping they get a strict Content-Security-Policy: no
inline script or style at all, nothing loaded from another origin, no framing.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

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


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie gets `Secure` whenever the request came over https.

    Flask's SESSION_COOKIE_SECURE is one static value; a server that answers on http locally and on
    https behind a proxy (with ProxyFix) needs the flag per request. SESSION_COOKIE_SECURE=True still
    forces it on.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def protect_prefix(app: Flask, prefix: str) -> None:
    """Send PAGE_HEADERS on every response under `prefix`, error pages and static files included."""

    def after(response: Response) -> Response:
        if request.path == prefix or request.path.startswith(prefix + "/"):
            add_page_headers(response)
        return response

    app.after_request(after)
