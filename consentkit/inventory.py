"""A site's current inventory: the latest scan's items, classified with the site's own overrides.

This is the one list that the banner's cookie table, the declaration and the admin's scan view
show, so an owner's reclassification appears everywhere at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Override, Site


def site_overrides(session: Session, site: Site) -> list[Override]:
    return list(session.scalars(select(Override).where(Override.site_id == site.id)
                                .order_by(Override.id)))


def site_inventory(session: Session, site: Site) -> list[dict[str, Any]]:
    from .snapshot import latest_scan

    scan = latest_scan(session, site)
    if scan is None or not scan.report:
        return []
    overrides = site_overrides(session, site)
    return classify_report_items(scan.report, overrides)


def classify_report_items(report: dict[str, Any], overrides: list[Any]) -> list[dict[str, Any]]:
    """Flatten a scan report's cookies and storage into classified, sorted, de-duplicated items."""
    from .classifier import default_classifier

    classifier = default_classifier()
    # The scanned site's own host, so a tracker table entry never claims the site's own domain.
    site_host = urlsplit(report.get("url") or "").hostname
    items: dict[tuple[str, str, str], dict[str, Any]] = {}
    for raw in _report_items(report):
        result = classifier.classify(raw["name"], domain=raw["domain"] or None,
                                     setter=raw.get("set_by") or None, kind=raw["kind"],
                                     overrides=overrides, site_host=site_host)
        item = {
            "name": raw["name"], "kind": raw["kind"], "domain": raw["domain"],
            "party": raw.get("party") or "first", "lifetime_seconds": raw.get("lifetime_seconds"),
            "category": result.category, "provider": result.provider,
            "purpose": {"nb": result.purpose_nb, "en": result.purpose_en,
                        **({"nn": result.purpose_nn} if result.purpose_nn else {})},
            "documented_lifetime": result.lifetime,
            "reason": result.reason, "confidence": result.confidence,
            "needs_review": result.needs_review,
            "set_by": raw.get("set_by") or "", "first_seen_url": raw.get("first_seen_url") or "",
            "phases": raw.get("phases") or [],
        }
        items.setdefault((item["kind"], item["name"], item["domain"]), item)
    return sorted(items.values(), key=lambda i: (i["category"], i["name"].lower(), i["domain"]))


def _report_items(report: dict[str, Any]):
    for cookie in report.get("cookies") or []:
        yield {**cookie, "kind": "cookie", "domain": (cookie.get("domain") or "").lstrip(".")}
    for item in report.get("storage") or []:
        origin = item.get("origin") or ""
        host = origin.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        yield {**item, "kind": item.get("kind") or "localStorage", "domain": host}
