"""`GET /v1/sites/<key>/receipt-key`: the site's public keys, so anyone can check a receipt offline.

A JWK set (RFC 7517, Ed25519 keys as RFC 8037 describes them), newest first; retired keys stay
listed because the receipts they signed stay valid. Public data: any origin may read it.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify

from ..consentlog import receipts
from ..db import LazyConnection, get_db
from .blueprint import bp
from .consent_routes import SITE_VIEWS, cached_site


@bp.get("/sites/<key>/receipt-key")
def receipt_key(key: str) -> Response:
    """The site's receipt keys; a site that has signed nothing yet gets its first key now."""
    db = get_db()
    with LazyConnection(db.engine) as connect:
        site, _ = cached_site(current_app.extensions[SITE_VIEWS], connect, key)
    db.receipt_keys.signing_key(site.id)
    with db.engine.connect() as conn:
        keys = receipts.published_keys(conn, site.id)
    response = jsonify(site=site.key, algorithm=receipts.ALGORITHM, keys=keys)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
