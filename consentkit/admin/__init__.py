"""The admin web UI at /admin: sign-in, sites, the consent log, statistics and scans.

`init_app` wires the pieces that must apply to the whole blueprint: sign-in required, CSRF on
every form (admin only: the public API is called cross-origin without tokens), the login rate
limit, the session cookie policy and the security headers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from .. import security
from ..localformat import lifetime_text
from . import accounts, auth, banner, consent_log, declaration, overview, review, roles, scans, sites, stats  # noqa: F401 - the views register on import
from .blueprint import bp


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # token lives as long as the session
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # the admin checks its own requests (auth.check_csrf)
    # The cookie lasts no longer than the server-side session it names (admin_sessions).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(app.config["ADMIN_SESSION_MAX_HOURS"]))
    # Only a changed session is written back. Refreshing the cookie on every response lets a slow
    # request that started earlier (a preview frame still loading) overwrite the cookie that carries
    # a newer flash message, which then never shows; the idle timeout lives server-side anyway.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.session_interface = security.HttpsAwareSessionInterface(bp.url_prefix or "/admin")
    auth.csrf.init_app(app)
    auth.init_limiter(app)
    app.register_blueprint(bp)
    security.protect_prefix(app, bp.url_prefix or "/admin")
    app.jinja_env.filters.setdefault("ck_datetime", format_datetime)
    app.jinja_env.filters.setdefault("ck_lifetime", format_lifetime)


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def format_lifetime(seconds: float | None, kind: str = "cookie", documented: str | None = None) -> str:
    """A lifetime in the admin's English, from the one formatter the declaration and banner use."""
    return lifetime_text(seconds, kind, "en", documented or None)
