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


def store_scan(session: Session, site: Site, report: dict[str, Any]) -> tuple[Scan, bool]:
    """Save a finished scan for `site`; returns the row and whether the site's revision rose."""
    pages = [p for p in report.get("pages") or [] if p.get("phase") == "before"]
    scan = Scan(site_id=site.id, url=report["url"], status="done",
                started_at=_parse_time(report.get("started_at")) or datetime.now(UTC).replace(tzinfo=None),
                finished_at=_parse_time(report.get("finished_at")), pages_done=len(pages),
                pages_queued=0, inventory_hash=inventory_hash(report), report=report)
    session.add(scan)
    session.flush()
    return scan, refresh_revision(session, site)


def site_scans(session: Session, site: Site, limit: int = 50) -> list[Scan]:
    """The site's scans, newest first."""
    return list(session.scalars(select(Scan).where(Scan.site_id == site.id)
                                .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(limit)))
