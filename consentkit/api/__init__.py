"""The public API blueprint (`/v1`): the banner script, the consent log and its OpenAPI description.

Routes live in `script.py` (consent.js), `consents.py` (`record_consent`, `consent_history`),
`receipt_key.py` (the public keys that verify receipts) and `openapi.py`; this module gives each
app its caches and rate limiter and registers the blueprint.
"""

from __future__ import annotations

from flask import Flask

from .. import ratelimit
from ..consentlog.records import RevisionHashes, SiteViews
from . import consent_routes as consents
from . import cookie_details, openapi, receipt_key, script
from .blueprint import bp
from .errors import rate_limited

__all__ = ["bp", "cookie_details", "forget_site", "init_app", "openapi", "receipt_key"]

bp.register_error_handler(ratelimit.RateLimited, rate_limited)


def forget_site(app: Flask, key: str) -> None:
    """Drop this process's cached settings of a site it just changed, so its own next consent.js
    or consent POST sees the change at once; other processes see it within SITE_CACHE_SECONDS."""
    app.extensions[consents.SITE_VIEWS].forget(key)


def init_app(app: Flask) -> None:
    """Register the blueprint; per-app (never global) caches so every app and test starts clean."""
    if ratelimit.EXTENSION not in app.extensions:
        ratelimit.init_app(app)
    app.extensions[consents.REVISION_HASHES] = RevisionHashes()
    app.extensions[consents.SITE_VIEWS] = SiteViews(float(app.config.get("SITE_CACHE_SECONDS") or 0))
    app.extensions[script.CACHE] = script.ScriptCache()
    app.register_blueprint(bp)
