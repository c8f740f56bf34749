"""Scans stored for a site: the report, the hash of its inventory, what changed since the previous
scan of its origin, and the revision bump it causes.

The banner's cookie list, the declaration and the admin's scan view all read the site's inventory
(`inventory.site_inventory`: the latest scan of each origin), so storing one is what makes a new
cookie show up everywhere.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanner.report import inventory_items

from ..models import Scan, Site, utcnow
from ..sites.registry import refresh_revision
from . import diff as scan_diff
from .inventory import origin_of, site_overrides


def inventory_hash(report: dict[str, Any]) -> str:
    """SHA-256 over the report's (kind, name, domain, category) items, not values or times."""
    blob = json.dumps(inventory_items(report), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def store_scan(session: Session, site: Site, report: dict[str, Any],
               scan: Scan | None = None) -> tuple[Scan, bool]:
    """Save a finished scan for `site` (into `scan` when `begin_scan` made its row already), with
    its diff from the previous scan of the same origin; returns the row and whether the site's
    revision rose."""
    pages = [p for p in report.get("pages") or [] if p.get("phase") == "before"]
    if scan is None:
        scan = Scan(site_id=site.id, url=report["url"])
        session.add(scan)
        session.flush()
    previous = previous_scan(session, site, report["url"], scan.id)
    scan.status, scan.report, scan.inventory_hash = "done", report, inventory_hash(report)
    scan.started_at = _parse_time(report.get("started_at")) or utcnow()
    scan.finished_at = _parse_time(report.get("finished_at"))
    scan.pages_done, scan.pages_queued = len(pages), 0
    scan.diff = scan_diff.compare(previous.report if previous else None, report,
                                  site_overrides(session, site), previous.id if previous else None)
    session.flush()
    return scan, refresh_revision(session, site)


def previous_scan(session: Session, site: Site, url: str, before_id: int | None) -> Scan | None:
    """The latest finished scan of the same origin as `url`, other than scan `before_id`."""
    origin = origin_of(url)
    query = (select(Scan.id, Scan.url).where(Scan.site_id == site.id, Scan.status == "done")
             .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(200))
    if before_id is not None:
        query = query.where(Scan.id != before_id)
    for scan_id, scanned in session.execute(query):
        if origin_of(scanned) == origin:
            return session.get(Scan, scan_id)
    return None


def begin_scan(session: Session, site: Site, url: str, job_id: int | None = None) -> Scan:
    """A `running` row at the start, so the admin UI shows the scan and its progress at once."""
    scan = Scan(site_id=site.id, url=url, status="running", started_at=utcnow(), job_id=job_id)
    session.add(scan)
    session.flush()
    return scan


def record_progress(session: Session, scan_id: int, done: int, queued: int) -> None:
    scan = session.get(Scan, scan_id)
    if scan is not None:
        scan.pages_done, scan.pages_queued = done, queued


def fail_scan(session: Session, scan_id: int, error: str) -> None:
    """Mark a scan failed with the one-line reason the CLI printed."""
    scan = session.get(Scan, scan_id)
    if scan is not None:
        scan.status, scan.error = "failed", error[:2000]
        scan.finished_at = utcnow()


def site_scans(session: Session, site: Site, limit: int = 50) -> list[Scan]:
    """The site's scans, newest first."""
    return list(session.scalars(select(Scan).where(Scan.site_id == site.id)
                                .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(limit)))
