"""Which page origins may talk to a site's API, the CORS headers they get, and the consent cookie.

Browsers always send `Origin` on a cross-origin POST (and on same-origin fetch POSTs), so a
request without one comes from a server, e.g. a site's own backend recording a choice it
collected: it must carry the site's API key (`consents.py`). `Origin` is a browser-enforced
boundary, not authentication: a script can forge it. What keeps a forged request from adding to a
visitor's history is the receipt (`consentkit.consentlog.receipts`), not the Origin. `Origin: null`
(sandboxed frames, file://) is refused like any origin not on the list. Our own origin (the
hosted declaration page runs the banner there) is always allowed.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC
from urllib.parse import quote, urlsplit

from flask import Request, Response

from scanner.domains import registrable_domain

from ..consentlog.records import Consent, Recorded, SiteView

PREFLIGHT_MAX_AGE = "600"
# encodeURIComponent leaves these unescaped; the banner decodes with decodeURIComponent.
_URI_COMPONENT_SAFE = "-_.!~*'()"


def origin_allowed(origin: str, site: SiteView, own: str | None = None) -> bool:
    """True when `origin` is one of the site's origins, a subdomain of one if the site allows it,
    or `own`: the origin of this server, whose pages (the hosted declaration) belong to every site."""
    origin = origin.strip().lower()
    if origin in site.origins or origin == own:
        return True
    if not site.allow_subdomains:
        return False
    try:
        parts = urlsplit(origin)
        host, port = parts.hostname, parts.port
    except ValueError:
        return False
    if not host or parts.path or parts.query or parts.username:
        return False
    for allowed in site.origins:
        base = urlsplit(allowed)
        if (base.scheme == parts.scheme and base.port == port and base.hostname
                and host.endswith("." + base.hostname)):
            return True
    return False


def cors_header_list(origin: str) -> list[tuple[str, str]]:
    """The CORS headers that let the page at `origin` read the answer and receive the cookie."""
    return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "Retry-After"), ("Vary", "Origin")]


def cors_headers(response: Response, origin: str) -> None:
    """Add `cors_header_list` to a response built elsewhere (errors, preflights), keeping any Vary
    it already has."""
    for name, value in cors_header_list(origin):
        if name == "Vary":
            response.vary.add(value)
        else:
            response.headers[name] = value


def preflight_headers(response: Response, origin: str) -> None:
    cors_headers(response, origin)
    response.headers["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Consent-Receipt"
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE


def cookie_domain(request: Request, origin: str, site: SiteView) -> str | None:
    """The Domain for the consent cookie if this server may set it for the page, else None.

    Only when the API's host and the page share a registrable domain (consent.example.no serving
    www.example.no): then an HTTP cookie lasts the full lifetime, unlike Safari's 7-day cap on
    cookies written by scripts. A cookie for another site would be third-party and is never set.
    """
    server_host = request.host.rsplit(":", 1)[0].lower() if request.host else ""
    return _cookie_domain(server_host, origin, site.cookie_domain)


@functools.lru_cache(maxsize=4096)
def _cookie_domain(server_host: str, origin: str, configured: str | None) -> str | None:
    try:
        page_host = urlsplit(origin).hostname or ""
    except ValueError:
        return None
    base = registrable_domain(server_host, strict=True)
    if not base or base != registrable_domain(page_host, strict=True):
        return None
    domain = (configured or base).lstrip(".").lower()
    if server_host != domain and not server_host.endswith("." + domain):
        return None  # a browser refuses a Domain that does not cover the responding host
    return domain


def consent_cookie_value(consent: Consent, recorded: Recorded) -> str:
    """The consent cookie of docs/contracts.md, exactly as the banner writes it: URI-encoded JSON
    `{i: consent ID, c: choices, r: revision, t: epoch ms, m: method, x: receipt}`."""
    moment = int(recorded.recorded_at.replace(tzinfo=UTC).timestamp() * 1000)
    value = json.dumps({"i": recorded.consent_id, "c": consent.choices, "r": consent.revision,
                        "t": moment, "m": consent.method, "x": recorded.receipt},
                       separators=(",", ":"))
    return quote(value, safe=_URI_COMPONENT_SAFE)


def set_consent_cookie(response: Response, request: Request, site: SiteView, consent: Consent,
                       recorded: Recorded, domain: str) -> None:
    """Set the consent cookie over HTTP, so it lasts its full lifetime (Safari caps cookies that
    scripts write at 7 days); the banner reads it like its own."""
    response.set_cookie(site.cookie_name, consent_cookie_value(consent, recorded),
                        max_age=site.lifetime_days * 86400, domain=domain, path="/",
                        secure=request.is_secure, httponly=False, samesite="Lax")
