"""The banner configuration of `docs/contracts.md` (`ConsentKit.init(config)`), built from a site.

Pure functions of a Site, its classified inventory and the classifier's tracker table, so the same
config can be served inline by the API, written into a self-hosted snippet, or shown in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from scanner.domains import registrable_domain

from .. import __version__
from ..declaration.purposes import provider_name, published_purposes
from ..kb import hostsets
from ..kb.classifier import Classifier, default_classifier
from ..localformat import date_pattern, lifetimes
from ..models import OPTIONAL_CATEGORIES, Site

# A host that set items of several categories is held until the strictest one is granted, and an
# item nobody has classified yet counts as the strictest category the site asks for.
STRICTNESS = ("functional", "analytics", "marketing")


def build(site: Site, inventory: list[dict[str, Any]], public_url: str,
          classifier: Classifier | None = None) -> dict[str, Any]:
    """The config dict for `ConsentKit.init`."""
    base = public_url.rstrip("/")
    classifier = classifier or default_classifier()
    return {
        "siteKey": site.key,
        "endpoint": f"{base}/v1/sites/{site.key}/consents",
        "revision": site.revision,
        "bannerVersion": __version__,
        "languages": list(site.languages),
        "defaultLanguage": site.default_language,
        "categories": list(site.categories),
        "texts": site.texts or {},
        "cookies": [banner_cookie(item, site) for item in inventory],
        "detailsUrl": f"/v1/sites/{site.key}/cookies.json?revision={site.revision}",
        "hosts": scanned_hosts(site, inventory, classifier),
        "trackers": tracker_sets(site, classifier),
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


def consent_category(category: str, site: Site) -> str:
    """The category the banner asks for an item under: its own, or, when it is unclassified (or of
    a category we do not know), the strictest one the site asks for. Unknown means consent: such
    an item is held, listed and deleted like the most intrusive thing on the site, until the owner
    classifies it."""
    if category == "necessary" or category in OPTIONAL_CATEGORIES:
        return category
    asked = [c for c in STRICTNESS if c in (site.categories or ())]
    return asked[-1] if asked else "marketing"


def banner_cookie(item: dict[str, Any], site: Site) -> dict[str, Any]:
    """One inventory item in the shape of `cookies[]`: what blocking and deletion need (its details are
    `cookie_details`, fetched when the visitor opens the list); `pattern` only for prefix names, and
    `unclassified` for items the banner asks for under the strictest category."""
    category = consent_category(item["category"], site)
    cookie = {"name": item["name"], "kind": item.get("kind", "cookie"), "domain": item.get("domain", ""),
              "category": category}
    if category != item["category"]:
        cookie["unclassified"] = True
    if item.get("pattern") == "prefix" or item.get("match") == "prefix":
        cookie["pattern"] = "prefix"
    return cookie


def cookie_details(inventory: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Provider, purpose and lifetime of each item, for the banner's cookie lists (`detailsUrl`): they
    would double the size of consent.js, and only a visitor who opens a list needs them.

    Purpose and lifetime come ready to show in every language, as the declaration publishes them:
    a language without written text gets a sentence of its own, never another language's text.
    """
    details = []
    for item in inventory:
        kind = item.get("kind", "cookie")
        details.append({
            "name": item["name"], "kind": kind, "domain": item.get("domain", ""),
            "provider": provider_name(item.get("provider", "")), "purpose": published_purposes(item),
            "lifetime_seconds": item.get("lifetime_seconds"),
            "lifetime": lifetimes(item.get("lifetime_seconds"), kind, item.get("documented_lifetime"))})
    return details


def tracker_sets(site: Site, classifier: Classifier) -> dict[str, str]:
    """Per optional category, every host the knowledge base lists as a tracker of it, as a coded
    set (`consentkit.kb.hostsets`): the banner holds their scripts and iframes back on any site, scanned
    or not. The site's own registrable domains are left out: its own scripts are never held."""
    own = _own_domains(site)
    hosts: dict[str, list[str]] = {category: [] for category in OPTIONAL_CATEGORIES}
    for host, match in classifier.tracker_hosts().items():
        if match.category in hosts and registrable_domain(host) not in own:
            hosts[match.category].append(host)
    return {category: hostsets.encode(names) for category, names in hosts.items() if names}


def scanned_hosts(site: Site, inventory: list[dict[str, Any]],
                  classifier: Classifier) -> dict[str, list[str]]:
    """Per optional category asked, the third-party hosts the scanner saw setting the site's items
    that the tracker table does not know (those are in `tracker_sets` already).

    Candidates are the setters of the site's non-necessary items and the domains of third-party
    items. Such a host goes in under the strictest category of the items it set: the scan saw it
    set them, and that is the attribution the banner acts on. The site's own hosts are never
    blocked: holding back a first-party script could break the site.
    """
    hosts: dict[str, set[str]] = {category: set() for category in site.categories}
    own = _own_domains(site)
    attributed = _attributed_hosts(site, inventory)
    for host, categories in sorted(attributed.items()):
        strictest = max(categories, key=STRICTNESS.index)
        if (strictest in hosts and classifier.classify_host(host) is None
                and registrable_domain(host) not in own):
            hosts[strictest].add(host)
    return {category: sorted(names) for category, names in hosts.items()}


def _own_domains(site: Site) -> set[str]:
    return {registrable_domain(urlsplit(origin).hostname or "") for origin in site.origins} - {""}


def _attributed_hosts(site: Site, inventory: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in inventory:
        category = consent_category(item.get("category") or "", site)
        if category == "necessary":
            continue
        for host in _candidate_hosts(item):
            found.setdefault(host, set()).add(category)
    return found


def _candidate_hosts(item: dict[str, Any]) -> Iterable[str]:
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
