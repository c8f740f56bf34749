"""`GET /v1/sites/<key>/consent.js`: the banner bundle with the site's config inlined.

Per request: the site's settings (its revision and `updated_at`) from the process's `SiteViews`
cache, the same one the consent POST uses (at most `SITE_CACHE_SECONDS` old; a SELECT on a miss),
a stat of the bundle, then the cache of rendered scripts. The body is rendered, gzipped and
brotli-compressed once per (site key, revision, settings change, bundle mtime); every process
rebuilds the same bytes, so the ETag is the same behind any load balancer. The config's endpoint is
the address the request came to (or PUBLIC_URL), so that is part of the cache key too.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import brotli
from flask import Response, current_app, request
from werkzeug.exceptions import NotFound

from .. import public_url
from ..consentlog import records as consents
from ..db import LazyConnection, get_db, get_session
from ..models import Site
from ..paths import static_dir
from ..scans.inventory import site_inventory
from ..sites import banner_config
from . import consent_routes as consents_api
from .blueprint import bp

CACHE = "consentkit.script_cache"
BUNDLE = "consentkit.js"
VIEW = "consentkit-ui.js"
VIEW_CACHE = "consentkit.view_cache"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
# consent.js: fresh for a minute, then served from the cache while revalidated (ETag → 304) in the
# background for a day, and from the cache for a week when this server is down: a returning visitor
# never waits for it. A change of settings reaches visitors within a minute and one page view.
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=86400, stale-if-error=604800"
# Escaped so the JSON can sit in a <script> element or a JS file: no "</script>", no line separators.
_JS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@dataclass(frozen=True)
class Rendered:
    """One site's script in each encoding, with the strong ETag of its bytes."""

    identity: bytes
    gzip: bytes
    br: bytes
    digest: str

    def etag(self, encoding: str) -> str:
        """Strong ETags differ per encoding (they are different bytes); the digest part is shared."""
        return f'"{self.digest}{"" if encoding == "identity" else "-" + encoding}"'


class ScriptCache:
    """A small LRU of rendered scripts; a changed key (new revision, new bundle) is a new entry."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[tuple[Any, ...], Rendered] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Rendered | None:
        with self._lock:
            rendered = self._items.get(key)
            if rendered is not None:
                self._items.move_to_end(key)
            return rendered

    def put(self, key: tuple[Any, ...], rendered: Rendered) -> None:
        with self._lock:
            self._items[key] = rendered
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def js_json(value: Any) -> str:
    """JSON that is also safe inside an inline <script> and in pre-ES2019 JavaScript."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _JS_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def bundle_mtime() -> int | None:
    try:
        return (static_dir() / BUNDLE).stat().st_mtime_ns
    except OSError:
        return None


def compressed(source: bytes) -> Rendered:
    return Rendered(identity=source, gzip=gzip.compress(source, 9, mtime=0),
                    br=brotli.compress(source, quality=11),
                    digest=hashlib.sha256(source).hexdigest()[:32])


def view_chunk() -> Rendered:
    """The view chunk (static/consentkit-ui.js), compressed once per process and file change."""
    path = static_dir() / VIEW
    stamp = path.stat().st_mtime_ns
    cached = current_app.extensions.get(VIEW_CACHE)
    if cached is None or cached[0] != stamp:
        cached = current_app.extensions[VIEW_CACHE] = (stamp, compressed(path.read_bytes()))
    return cached[1]


def view_url() -> str:
    """Where the core loads the view from, relative to the core's own URL: wherever consent.js was
    loaded from, its view is beside it. The content digest in the path lets it be cached for good."""
    return f"/v1/banner/{view_chunk().digest[:16]}/{VIEW}"


def render(config: dict[str, Any], has_bundle: bool) -> Rendered:
    """The bundle followed by `;ConsentKit.init(config);`, compressed once for all requests."""
    call = f"ConsentKit.init({js_json(config)});"
    if has_bundle:
        source = (static_dir() / BUNDLE).read_bytes() + f"\n;{call}\n".encode()
    else:
        current_app.logger.error("banner bundle %s is missing; serving the config only",
                                 static_dir() / BUNDLE)
        source = (b"/* consentkit: the banner bundle static/consentkit.js is missing; build it. */\n"
                  + f"if (window.ConsentKit) {{ {call} }}\n".encode())
    return compressed(source)


def _build(site_id: int, mtime: int | None, base: str) -> Rendered:
    session = get_session()
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("the site was deleted")
    config = banner_config.build(site, site_inventory(session, site), base)
    config["viewUrl"] = view_url()
    return render(config, mtime is not None)


def _encoding() -> str:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding] > 0:
            return encoding
    return "identity"


def _not_modified(rendered: Rendered) -> bool:
    """If-None-Match uses weak comparison: any encoding of the same bytes is a match."""
    header = request.headers.get("If-None-Match", "")
    if header.strip() == "*":
        return True
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag.split("-", 1)[0] == rendered.digest:
            return True
    return False


@bp.get("/sites/<key>/consent.js")
def consent_script(key: str) -> Response:
    """The banner for one site, from the process cache; 304 when the browser has these bytes."""
    views: consents.SiteViews = current_app.extensions[consents_api.SITE_VIEWS]
    with LazyConnection(get_db().engine) as connect:
        site, _ = consents_api.cached_site(views, connect, key)
    mtime = bundle_mtime()
    # The banner posts back to the server that served it: PUBLIC_URL if set, else this request's host.
    base = public_url.for_request(current_app, request)
    cache: ScriptCache = current_app.extensions[CACHE]
    cache_key = (site.key, site.revision, site.updated_at, mtime, base, view_chunk().digest)
    rendered = cache.get(cache_key)
    if rendered is None:
        rendered = _build(site.id, mtime, base)
        cache.put(cache_key, rendered)
    return _send(rendered, CACHE_CONTROL)


def _send(rendered: Rendered, cache_control: str) -> Response:
    """One of the encodings of a rendered script, or a 304 when the browser holds it already."""
    encoding = _encoding()
    if _not_modified(rendered):
        response = Response(status=304)
    else:
        response = Response(getattr(rendered, encoding), mimetype="text/javascript")
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
    response.headers["ETag"] = rendered.etag(encoding)
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/banner/<digest>/consentkit-ui.js")
def view_script(digest: str) -> Response:
    """The banner's view, loaded by the core; immutable under its digest (another digest, as a page
    cached before an upgrade asks for, gets today's file, revalidated). Under `current`, as the
    stub fetches it on a first visit, it is revalidated on every use: it must match the core."""
    rendered = view_chunk()
    if digest == "current":
        return _send(rendered, REVALIDATE)
    current = rendered.digest.startswith(digest) and len(digest) >= 16
    return _send(rendered, IMMUTABLE if current else CACHE_CONTROL)
