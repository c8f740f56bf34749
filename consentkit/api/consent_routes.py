"""The consent endpoints: `record_consent` (POST), `consent_history` (GET) and the CORS preflights.

Order of checks in `record_consent`, cheapest first and each with its own status: 429 rate limit
(counted for every request, so unknown keys and refused origins cost a client its budget too),
404 unknown site (from a process cache, or one indexed SELECT), 403 origin (or 401 without an
Origin and the site's API key), 415 content type, 413 size, 400 JSON, 400 fields, then the
INSERT and its commit (`ConsentWriter`) before the 201 with the record's receipt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response, current_app, g, jsonify, request
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge, Unauthorized, UnsupportedMediaType

from .. import ratelimit
from ..consentlog import queries
from ..consentlog import records as consents
from ..consentlog.receipts import InvalidReceipt
from ..consentlog.records import Consent, Recorded, RevisionHashes, SiteView, SiteViews
from ..db import Database, LazyConnection, get_db, get_session
from ..errors import UnknownSite
from . import origins
from .blueprint import bp
from .errors import (
    OriginNotAllowed,
    ReceiptRequired,
    UnknownSiteKey,
    invalid_fields,
    malformed_json,
)
from .validation import InvalidConsent, MalformedJSON, parse_json, validate

REVISION_HASHES = "consentkit.revision_hashes"
SITE_VIEWS = "consentkit.site_views"
RECEIPT_HEADER = "Consent-Receipt"


def _check_origin(views: SiteViews, connect: Callable[[], Connection], key: str, site: SiteView,
                  cached: bool, origin: str, own: str) -> tuple[SiteView, bool]:
    """The site, re-read if a cached copy refuses the Origin (it may just have been added); 403 if
    the Origin is still not allowed. Our own origin (the hosted declaration page) always is."""
    if not origins.origin_allowed(origin, site, own):
        if cached:
            site, cached = cached_site(views, connect, key, fresh=True)
        if not origins.origin_allowed(origin, site, own):
            raise OriginNotAllowed("this page's origin is not allowed for the site; add it with "
                                   "`consentkit site edit KEY --add-origin …`")
    return site, cached


def _check_api_key(views: SiteViews, connect: Callable[[], Connection], key: str, site: SiteView,
                   cached: bool, authorization: str | None) -> tuple[SiteView, bool]:
    """A request without an Origin comes from a server, which must show the site's API key."""
    token = (authorization or "").removeprefix("Bearer ").strip()
    if token and not _key_matches(site, token) and cached:
        site, cached = cached_site(views, connect, key, fresh=True)  # the key may just be rotated
    if not token or not _key_matches(site, token):
        raise ApiKeyRequired()
    return site, cached


def _key_matches(site: SiteView, token: str) -> bool:
    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
    return site.api_key_hash is not None and hmac.compare_digest(digest, site.api_key_hash)


class ApiKeyRequired(Unauthorized):
    """401: no Origin (so not a browser) and no valid `Authorization: Bearer <site API key>`."""

    name = "API Key Required"
    description = ("a request without an Origin header must carry the site's API key as "
                   "`Authorization: Bearer …`; make one with `consentkit site api-key KEY --rotate`")

    def __init__(self) -> None:
        super().__init__(www_authenticate=None)

    def get_headers(self, environ=None, scope=None):  # noqa: ANN001 - werkzeug's signature
        return [*super().get_headers(environ, scope), ("WWW-Authenticate", 'Bearer realm="consentkit"')]


def own_origin(req: Request) -> str:
    """The origin this server answers on, as the browser sees it (behind PROXY_COUNT proxies too)."""
    return f"{req.scheme}://{req.host}".lower()


def _authorise(views: SiteViews, connect: Callable[[], Connection], key: str,
               req: Request) -> tuple[SiteView, bool, str | None]:
    """The site, whether it was cached, and the Origin the answer's CORS headers are for."""
    site, cached = cached_site(views, connect, key)
    origin = req.environ.get("HTTP_ORIGIN")
    if origin is None:
        site, cached = _check_api_key(views, connect, key, site, cached,
                                      req.environ.get("HTTP_AUTHORIZATION"))
        return site, cached, None
    site, cached = _check_origin(views, connect, key, site, cached, origin, own_origin(req))
    g.cors_origin = origin  # errors from here on carry CORS headers too (add_cors_headers)
    return site, cached, origin


def _rate_limit(app: Flask, req: Request, scope: str) -> None:
    """Count the request before anything else; a 429 carries CORS headers for any Origin, so the
    banner can read its Retry-After (the answer says nothing about the site)."""
    try:
        ratelimit.check(scope, "CONSENT_RATE_LIMIT", app=app, address=req.remote_addr)
    except ratelimit.RateLimited:
        origin = req.environ.get("HTTP_ORIGIN")
        if origin:
            g.cors_origin = origin
        raise


def _read_body(req: Request, limit: int) -> bytes:
    """The JSON body, refusing a wrong type (415) or anything over `limit` bytes (413) unread.

    Reads `wsgi.input` itself when Content-Length is given (at most that many bytes, as WSGI
    requires): werkzeug's stream wrapper and header parsing cost more than the rest of the read.
    """
    environ = req.environ
    if environ.get("CONTENT_TYPE") != "application/json" and req.mimetype != "application/json":
        raise UnsupportedMediaType("send the consent as Content-Type: application/json")
    length = req.content_length
    if length is not None and length > limit:
        raise RequestEntityTooLarge(f"a consent body is at most {limit} bytes")
    body = environ["wsgi.input"].read(length) if length else req.stream.read(limit + 1)
    if len(body) > limit:
        raise RequestEntityTooLarge(f"a consent body is at most {limit} bytes")
    return body


def _revision_hash(hashes: RevisionHashes, connect: Callable[[], Connection], site: SiteView,
                   revision: int) -> str:
    digest = hashes.get(connect, site, revision)
    if digest is None:
        raise InvalidConsent({"revision": f"revision {revision} of this site does not exist"})
    return digest


@bp.route("/sites/<key>/consents", methods=["POST"], provide_automatic_options=False)
def record_consent(key: str) -> tuple[Response, int]:
    """Store one visitor choice; 201 with its receipt only once it is committed.

    Site settings and revision hashes come from process caches; a pooled connection is opened only
    when one misses, and the INSERT goes through the process's group-commit writer.
    """
    req: Request = request
    app: Flask = current_app
    _rate_limit(app, req, "consents")
    views: SiteViews = app.extensions[SITE_VIEWS]
    db = get_db(app)
    with LazyConnection(db.engine) as connect:
        site, cached, origin = _authorise(views, connect, key, req)
        body = _read_body(req, int(app.config["MAX_CONSENT_BODY"]))
        try:
            site, consent = _validated(views, connect, key, site, cached, parse_json(body))
            revision_hash = _revision_hash(app.extensions[REVISION_HASHES], connect, site,
                                           consent.revision)
        except MalformedJSON as exc:
            return malformed_json(str(exc)), 400
        except InvalidConsent as exc:
            return invalid_fields(exc.fields), 400
    client_ip = consents.minimise_ip(req.remote_addr, site.ip_mode, app.config["SECRET_KEY"])
    recorded = _record(db, views, site, consent, revision_hash, client_ip,
                       req.environ.get("HTTP_USER_AGENT", ""))
    response = _created(app, consent, recorded, origin)
    if origin:
        domain = origins.cookie_domain(req, origin, site)
        if domain:
            origins.set_consent_cookie(response, req, site, consent, recorded, domain)
    return response, 201


def _created(app: Flask, consent: Consent, recorded: Recorded, origin: str | None) -> Response:
    """The 201 with its headers in one go (json.dumps and a header list: jsonify's provider and
    setting headers one by one cost more)."""
    body = json.dumps({"consent_id": recorded.consent_id, "seq": recorded.seq,
                       "recorded_at": consents.iso_utc(recorded.recorded_at),
                       "revision": consent.revision, "receipt": recorded.receipt,
                       "new_id": recorded.new_id})
    headers = [("Content-Type", "application/json")]
    if origin:
        headers += origins.cors_header_list(origin)
    return app.response_class(body, headers=headers)


def cached_site(views: SiteViews, connect: Callable[[], Connection], key: str,
                fresh: bool = False) -> tuple[SiteView, bool]:
    """The site from this process's `SiteViews` (see there) and whether it was cached; 404 if unknown.
    consent.js and the consent POST both look sites up here."""
    try:
        return views.get(connect, key, fresh=fresh)
    except UnknownSite as exc:
        raise UnknownSiteKey(str(exc)) from None


def _validated(views: SiteViews, connect: Callable[[], Connection], key: str, site: SiteView,
               cached: bool, payload: Any) -> tuple[SiteView, Consent]:
    """Validate against the site; a cached view that refuses (a new revision) is re-read first."""
    try:
        return site, validate(payload, site)
    except InvalidConsent:
        if not cached:
            raise
    site, _ = cached_site(views, connect, key, fresh=True)
    return site, validate(payload, site)


def _record(db: Database, views: SiteViews, site: SiteView, consent: Consent,
            revision_hash: str, client_ip: str | None, user_agent: str) -> Recorded:
    """The INSERT; a site deleted since it was cached is a 404, not a foreign-key 500."""
    try:
        return consents.append(db, site, consent, revision_hash=revision_hash, client_ip=client_ip,
                               user_agent=user_agent)
    except IntegrityError:
        views.forget(site.key)
        raise UnknownSiteKey(f"the site {site.key!r} no longer exists") from None


@bp.route("/sites/<key>/consents/<consent_id>", methods=["GET"], provide_automatic_options=False)
def consent_history(key: str, consent_id: str) -> Response:
    """One consent ID's own records, as proof for the visitor, shown only to whoever presents the
    ID's latest receipt (in the `Consent-Receipt` header): the consent ID alone is not a secret."""
    req: Request = request
    app: Flask = current_app
    _rate_limit(app, req, "history")
    with LazyConnection(get_db(app).engine) as connect:
        site, _cached, _origin = _authorise(app.extensions[SITE_VIEWS], connect, key, req)
    try:
        claims = get_db(app).receipt_keys.verify(site.id, site.key, req.headers.get(RECEIPT_HEADER, ""))
    except InvalidReceipt as exc:
        raise ReceiptRequired(f"send the ID's latest receipt in the {RECEIPT_HEADER} header ({exc})") \
            from None
    rows = queries.consent_history(get_session(), site.id, consent_id[:64])
    if claims.consent_id != consent_id or not rows or rows[-1].seq != claims.seq:
        raise ReceiptRequired("this is not the latest receipt of this consent ID")
    return jsonify(consent_id=consent_id, records=consents.history_as_dicts(rows))


@bp.route("/sites/<key>/consents", methods=["OPTIONS"], provide_automatic_options=False)
@bp.route("/sites/<key>/consents/<consent_id>", methods=["OPTIONS"], provide_automatic_options=False)
def consents_preflight(key: str, consent_id: str | None = None) -> Response:
    """CORS preflight: answered with permissions only for the site's own origins (and ours)."""
    req: Request = request
    app: Flask = current_app
    _rate_limit(app, req, "preflight")
    with LazyConnection(get_db(app).engine) as connect:
        site, _ = cached_site(app.extensions[SITE_VIEWS], connect, key)
    origin = req.headers.get("Origin")
    if origin is None or not origins.origin_allowed(origin, site, own_origin(req)):
        raise OriginNotAllowed("this origin is not allowed for the site")
    response = Response(status=204)
    origins.preflight_headers(response, origin)
    return response


@bp.after_request
def add_cors_headers(response: Response) -> Response:
    """Every answer to an allowed origin carries CORS headers, errors too, so the banner can read them."""
    origin: Any = g.pop("cors_origin", None)
    if origin and "Access-Control-Allow-Origin" not in response.headers:
        origins.cors_headers(response, origin)
    return response


