"""Scans stored for a site: the report, the hash of its inventory, and the revision bump it causes.

The banner's cookie list, the declaration and the admin's scan view all read the latest stored
scan (`snapshot.latest_scan`), so storing one is what makes a new cookie show up everywhere.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Scan, Site
from .sites import refresh_revision


def inventory_hash(report: dict[str, Any]) -> str:
    """SHA-256 over the report's (kind, name, domain, category) items, not values or times."""
    from scanner.report import inventory_items

    blob = json.dumps(inventory_items(report), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def store_scan(session: Session, site: Site, report: dict[str, Any],
               scan: Scan | None = None) -> tuple[Scan, bool]:
    """Save a finished scan for `site` (into `scan` when `begin_scan` made its row already);
    returns the row and whether the site's revision rose."""
    pages = [p for p in report.get("pages") or [] if p.get("phase") == "before"]
    if scan is None:
        scan = Scan(site_id=site.id, url=report["url"])
        session.add(scan)
    scan.status, scan.report, scan.inventory_hash = "done", report, inventory_hash(report)
    scan.started_at = _parse_time(report.get("started_at")) or datetime.now(UTC).replace(tzinfo=None)
    scan.finished_at = _parse_time(report.get("finished_at"))
    scan.pages_done, scan.pages_queued = len(pages), 0
    session.flush()
    return scan, refresh_revision(session, site)


def begin_scan(session: Session, site: Site, url: str) -> Scan:
    """A `running` row at the start, so the admin UI shows the scan and its progress at once."""
    scan = Scan(site_id=site.id, url=url, status="running",
                started_at=datetime.now(UTC).replace(tzinfo=None))
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
        scan.finished_at = datetime.now(UTC).replace(tzinfo=None)


def site_scans(session: Session, site: Site, limit: int = 50) -> list[Scan]:
    """The site's scans, newest first."""
    return list(session.scalars(select(Scan).where(Scan.site_id == site.id)
                                .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(limit)))
