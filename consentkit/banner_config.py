"""The banner configuration of `docs/contracts.md` (`ConsentKit.init(config)`), built from a site.

Pure functions of a Site, its classified inventory and the classifier's tracker table, so the same
config can be served inline by the API, written into a self-hosted snippet, or shown in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .declaration.purposes import provider_name, published_purposes
from .localformat import date_pattern, lifetimes
from .models import Site


def build(site: Site, inventory: list[dict[str, Any]], public_url: str,
          hosts: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The config dict for `ConsentKit.init`; `hosts` defaults to `tracker_hosts(site, inventory)`."""
    base = public_url.rstrip("/")
    return {
        "siteKey": site.key,
        "endpoint": f"{base}/v1/sites/{site.key}/consents",
        "revision": site.revision,
        "bannerVersion": __version__,
        "languages": list(site.languages),
        "defaultLanguage": site.default_language,
        "categories": list(site.categories),
        "texts": site.texts or {},
        "cookies": [banner_cookie(item) for item in inventory],
        "hosts": hosts if hosts is not None else tracker_hosts(site, inventory),
        "consentMode": bool(site.consent_mode),
        "gpc": site.gpc_policy,
        "cookieName": site.cookie_name,
        "cookieDomain": site.cookie_domain,
        "lifetimeDays": site.consent_lifetime_days,
        "privacyPolicyUrl": site.privacy_policy_url,
        "declarationUrl": f"{base}/v1/sites/{site.key}/declaration",
        "appearance": site.appearance or {},
        # CLDR's date pattern per language: browsers have no nynorsk locale data for Intl.
        "dates": {lang: date_pattern(lang) for lang in site.languages},
    }


def banner_cookie(item: dict[str, Any]) -> dict[str, Any]:
    """One inventory item in the shape of `cookies[]`; `pattern` only for prefix names.

    Purpose and lifetime come ready to show in every language, as the declaration publishes them:
    a language without written text gets a sentence of its own, never another language's text.
    """
    kind = item.get("kind", "cookie")
    cookie = {
        "name": item["name"], "kind": kind, "domain": item.get("domain", ""),
        "category": item["category"], "provider": provider_name(item.get("provider", "")),
        "purpose": published_purposes(item), "lifetime_seconds": item.get("lifetime_seconds"),
        "lifetime": lifetimes(item.get("lifetime_seconds"), kind),
    }
    if item.get("pattern") == "prefix" or item.get("match") == "prefix":
        cookie["pattern"] = "prefix"
    return cookie


def tracker_hosts(site: Site, inventory: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per optional category, the script hosts the banner holds back until consent.

    Candidates are the hosts the scanner saw setting the site's non-necessary items (and the domains
    of third-party items). A host in the classifier's tracker table goes in under the table's domain
    and category, so a match on `www.google-analytics.com` blocks all of `google-analytics.com`.
    A third-party host the table does not know goes in under the strictest category of the items it
    set: the scan saw it set them, and that is the attribution the banner acts on. The site's own
    hosts are never blocked: holding back a first-party script could break the site.
    """
    wanted = set(site.categories)
    hosts: dict[str, set[str]] = {category: set() for category in site.categories}
    attributed = _attributed_hosts(item for item in inventory if item.get("category") in wanted)
    if not attributed:
        return {category: [] for category in site.categories}
    from .classifier import default_classifier  # the classifier's tables load on first use

    classifier = default_classifier()
    own = {_registrable(urlsplit(origin).hostname or "") for origin in site.origins}
    for host, categories in sorted(attributed.items()):
        match = classifier.classify_host(host)
        category = getattr(match, "category", None)
        if category in wanted:
            hosts[category].add(_match_domain(match, host))
        elif match is None and _registrable(host) not in own:
            hosts[max(categories, key=STRICTNESS.index)].add(host)
    return {category: sorted(names) for category, names in hosts.items()}


# A host that set items of several categories is held until the strictest one is granted.
STRICTNESS = ("functional", "analytics", "marketing")


def _attributed_hosts(items: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in items:
        for host in _candidate_hosts([item]):
            found.setdefault(host, set()).add(item["category"])
    return found


def _registrable(host: str) -> str:
    from scanner.crawl import registrable_domain

    return registrable_domain(host) if host else ""


def _candidate_hosts(items: Iterable[dict[str, Any]]) -> Iterable[str]:
    for item in items:
        setter = _host(item.get("set_by") or "")
        if setter:
            yield setter
        if item.get("party") == "third" and item.get("domain"):
            yield str(item["domain"]).lstrip(".").lower()


def _host(value: str) -> str:
    """A host from a setter, which the scanner reports as a URL or a bare host."""
    value = value.strip()
    if "://" not in value:
        value = "//" + value
    try:
        return (urlsplit(value).hostname or "").lower()
    except ValueError:
        return ""


def _match_domain(match: Any, host: str) -> str:
    """The tracker-table domain a host matched (its `domain`), else the host itself."""
    for attribute in ("domain", "host", "pattern"):
        value = getattr(match, attribute, None)
        if isinstance(value, str) and value:
            return value.lstrip(".").lower()
    return host
