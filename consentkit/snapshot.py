"""What a visitor is shown for a site: the content whose change bumps the site's revision."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Scan, Site


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


def latest_scan(session: Session, site: Site) -> Scan | None:
    return session.scalar(
        select(Scan).where(Scan.site_id == site.id, Scan.status == "done")
        .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(1))


def cookie_list(session: Session, site: Site) -> list[dict[str, Any]]:
    """The latest scan's items (cookies and storage), reclassified with the site's overrides."""
    from .inventory import site_inventory

    return site_inventory(session, site)


def content_hash(content: dict[str, Any]) -> str:
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
