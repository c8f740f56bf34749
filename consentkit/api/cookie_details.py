"""`GET /v1/sites/<key>/cookies.json`: provider, purpose and lifetime of each cookie the banner lists.

consent.js carries only what blocking and deletion need; the banner's view fetches this when it is
mounted, so a visitor who opens a cookie list sees the details. The same facts as the public
declaration: any origin may read them.
"""

from __future__ import annotations

import hashlib
import json

from flask import Response, request

from ..db import get_session
from ..errors import UnknownSite
from ..scans.inventory import site_inventory
from ..sites import banner_config
from ..sites.registry import get_site
from .blueprint import bp
from .errors import UnknownSiteKey


@bp.get("/sites/<key>/cookies.json")
def cookie_details(key: str) -> Response:
    session = get_session()
    try:
        site = get_site(session, key)
    except UnknownSite as exc:
        raise UnknownSiteKey(str(exc)) from None
    body = json.dumps({"revision": site.revision,
                       "cookies": banner_config.cookie_details(site_inventory(session, site))},
                      ensure_ascii=False, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)
