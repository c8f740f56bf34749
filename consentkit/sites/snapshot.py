"""What a visitor is shown for a site: the content whose change bumps the site's revision."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from ..models import Site
from ..scans.inventory import site_inventory


def visitor_snapshot(session: Session, site: Site) -> dict[str, Any]:
    """Texts, categories and the categorized cookie list, as the banner will present them."""
    return {
        "languages": list(site.languages),
        "default_language": site.default_language,
        "categories": list(site.categories),
        "texts": site.texts,
        "privacy_policy_url": site.privacy_policy_url,
        "gpc_policy": site.gpc_policy,
        "consent_mode": site.consent_mode,
        "cookies": cookie_list(session, site),
    }


# What the banner and declaration tell a visitor about an item. Scan details (where it was first
# seen, which script set it, the classifier's wording) vary between scans of an unchanged site and
# must not bump the revision, or every rescan would ask every visitor again.
VISITOR_FIELDS = ("name", "kind", "domain", "category", "provider", "purpose", "party")


def cookie_list(session: Session, site: Site) -> list[dict[str, Any]]:
    """The latest scan's items (cookies and storage), reclassified with the site's overrides."""
    return [visitor_item(item) for item in site_inventory(session, site)]


def visitor_item(item: dict[str, Any]) -> dict[str, Any]:
    shown = {key: item.get(key) for key in VISITOR_FIELDS}
    shown["lifetime_seconds"] = rounded_lifetime(item.get("lifetime_seconds"))
    return shown


def rounded_lifetime(seconds: int | None) -> int | None:
    """Round to the unit a person reads (days, hours, minutes): expiry minus seen-at drifts by seconds."""
    if seconds is None:
        return None
    for unit in (86400, 3600, 60):
        if seconds >= unit:
            return round(seconds / unit) * unit
    return max(0, int(seconds))


def content_hash(content: dict[str, Any]) -> str:
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
