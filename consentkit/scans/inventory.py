"""A site's current inventory: the latest scan of each of its origins, classified with the site's
own overrides and merged into one list.

This is the one list that the banner's cookie table, the declaration and the admin's scan view
show, so an owner's reclassification appears everywhere at once. A site may list origins on
several registrable domains (a shop and its booking site): each origin's latest finished scan is
its part of the inventory, so scanning one origin replaces only that part, and an item seen on
several origins is listed once, with every origin it was seen on (`seen_on`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kb.classifier import default_classifier
from ..models import Override, Scan, Site

# How far back to look for each origin's latest scan (a weekly rescan of 10 origins for 2 years).
HISTORY = 1000
# When one item is classified differently on two origins, the one that asks most consent wins:
# unknown means consent, and a known tracker outranks a guess.
STRICTNESS = ("necessary", "unclassified", "functional", "analytics", "marketing")


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower-cased, as `sites.parse_origin` writes origins."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme.lower()}://{host}{port}" if host else ""


def origin_rank(site: Site, origin: str) -> int | None:
    """Where `origin` sits in the site's list (a subdomain of a listed origin, when the site allows
    subdomains, right after it); None when it is not the site's."""
    listed = list(site.origins or [])
    if origin in listed:
        return listed.index(origin) * 2
    if site.allow_subdomains:
        scheme, _, host = origin.partition("://")
        for index, known in enumerate(listed):
            known_scheme, _, known_host = known.partition("://")
            if scheme == known_scheme and host.split(":")[0].endswith("." + known_host.split(":")[0]):
                return index * 2 + 1
    return None


def latest_scan_ids(session: Session, site: Site) -> list[int]:
    """The id of the latest finished scan of each of the site's origins, in the order the site
    lists them, without loading reports (which can be megabytes): enough for an ETag.

    A site whose scans are all of other origins (scanned before it listed one, or before origins
    were kept apart) falls back to its latest finished scan, as before. This is the one query for
    "the latest scan": the banner, the declaration, the admin and the CLI all go through it.
    """
    rows = session.execute(
        select(Scan.id, Scan.url).where(Scan.site_id == site.id, Scan.status == "done")
        .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(HISTORY)).all()
    chosen: dict[str, tuple[int, int]] = {}
    for scan_id, url in rows:
        origin = origin_of(url)
        rank = origin_rank(site, origin)
        if rank is not None and origin not in chosen:
            chosen[origin] = (rank, scan_id)
    if not chosen:
        return [rows[0][0]] if rows else []
    return [scan_id for _rank, scan_id in sorted(chosen.values())]


def latest_scans(session: Session, site: Site) -> list[Scan]:
    """The scans of `latest_scan_ids`, loaded, in the same order."""
    ids = latest_scan_ids(session, site)
    scans = {scan.id: scan for scan in session.scalars(select(Scan).where(Scan.id.in_(ids)))}
    return [scans[scan_id] for scan_id in ids if scan_id in scans]


def site_overrides(session: Session, site: Site) -> list[Override]:
    return list(session.scalars(select(Override).where(Override.site_id == site.id)
                                .order_by(Override.id)))


def site_inventory(session: Session, site: Site, scans: list[Scan] | None = None) -> list[dict[str, Any]]:
    """Every item of the site's origins' latest scans (or of `scans`, when the caller has loaded
    them already), classified now, each once (see module doc)."""
    overrides = site_overrides(session, site)
    scans = latest_scans(session, site) if scans is None else scans
    parts = [classify_report_items(scan.report, overrides) for scan in scans if scan.report]
    return merge_items(parts)


def classify_report_items(report: dict[str, Any], overrides: list[Any]) -> list[dict[str, Any]]:
    """Flatten a scan report's cookies and storage into classified, sorted, de-duplicated items;
    `seen_on` is the scanned origin."""
    classifier = default_classifier()
    # The scanned site's own host, so a tracker table entry never claims the site's own domain.
    site_host = urlsplit(report.get("url") or "").hostname
    origin = origin_of(report.get("url") or "")
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
            "phases": raw.get("phases") or [], "seen_on": [origin] if origin else [],
        }
        items.setdefault((item["kind"], item["name"], item["domain"]), item)
    return sorted(items.values(), key=_order)


def merge_items(parts: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One item per (kind, name, domain) across the origins' lists, first origin first.

    The classification that asks most consent wins (STRICTNESS); phases and `seen_on` are the
    union; the longest lifetime is kept; "first" party when any origin saw it as its own.
    """
    if len(parts) == 1:
        return parts[0]
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for items in parts:
        for item in items:
            key = (item["kind"], item["name"], item["domain"])
            if key not in merged:
                merged[key] = {**item, "seen_on": list(item["seen_on"]), "phases": list(item["phases"])}
                continue
            _absorb(merged[key], item)
    return sorted(merged.values(), key=_order)


def _absorb(into: dict[str, Any], other: dict[str, Any]) -> None:
    if _strictness(other["category"]) > _strictness(into["category"]):
        for field in ("category", "provider", "purpose", "reason", "confidence"):
            into[field] = other[field]
    into["needs_review"] = into["needs_review"] or other["needs_review"]
    into["seen_on"] += [o for o in other["seen_on"] if o not in into["seen_on"]]
    into["phases"] += [p for p in other["phases"] if p not in into["phases"]]
    lifetimes = [v for v in (into["lifetime_seconds"], other["lifetime_seconds"]) if v is not None]
    into["lifetime_seconds"] = max(lifetimes) if lifetimes else None
    if other["party"] == "first":
        into["party"] = "first"
    into["set_by"] = into["set_by"] or other["set_by"]


def _strictness(category: str) -> int:
    return STRICTNESS.index(category) if category in STRICTNESS else STRICTNESS.index("unclassified")


def _order(item: dict[str, Any]) -> tuple[str, str, str]:
    return item["category"], item["name"].lower(), item["domain"]


def _report_items(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for cookie in report.get("cookies") or []:
        yield {**cookie, "kind": "cookie", "domain": (cookie.get("domain") or "").lstrip(".")}
    for item in report.get("storage") or []:
        origin = item.get("origin") or ""
        host = origin.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        yield {**item, "kind": item.get("kind") or "localStorage", "domain": host}
