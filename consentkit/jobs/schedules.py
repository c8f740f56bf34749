"""Scheduled rescans: which sites are due, and queueing them (Huey's periodic task calls
`enqueue_due` every SCHEDULE_CHECK_SECONDS on every worker).

A site with `rescan` weekly or monthly is due when its last scan job (or, for a site scanned before
jobs existed, its last scan) started that long ago; after a failed one, a day later. A site never
scanned is due at once. Nothing is queued for a site that has a job queued or running, and a
lock on the queue (`LOCK`) keeps workers on several machines from queueing the same rescan twice.

A rescan scans every origin of the site with the options of its latest job (so a site that needs
`--resolve` or `--ignore-https-errors` keeps them).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from huey.exceptions import TaskLockedException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import get_db
from ..models import Job, Scan, Site, utcnow
from .queue import JobQueue
from .runner import enqueue_scan

log = logging.getLogger(__name__)
PERIODS = {"weekly": timedelta(days=7), "monthly": timedelta(days=30)}
AFTER_FAILURE = timedelta(days=1)
LOCK = "schedule-check"


def _last_job(session: Session, site: Site) -> Job | None:
    return session.scalars(select(Job).where(Job.site_id == site.id, Job.kind == "scan")
                           .order_by(Job.created_at.desc(), Job.id.desc()).limit(1)).first()


def next_rescan(session: Session, site: Site, last: Job | None = None) -> datetime | None:
    """When the site's next scheduled scan is due (in the past: at the next check; `datetime.min`
    for a site never scanned, which is due at once); None when rescans are off or a scan job is
    queued or running (its end starts the next period)."""
    if site.rescan not in PERIODS:
        return None
    last = last if last is not None else _last_job(session, site)
    if last is not None and last.status in ("queued", "running"):
        return None
    since = last.created_at if last is not None else session.scalar(
        select(func.max(Scan.started_at)).where(Scan.site_id == site.id))
    if since is None:
        return datetime.min
    wait = PERIODS[site.rescan]
    if last is not None and last.status == "failed":
        wait = min(wait, AFTER_FAILURE)
    return since + wait


def due_sites(session: Session, now: datetime) -> list[tuple[Site, dict[str, Any]]]:
    """The sites due for a rescan at `now`, each with the options its rescan runs with."""
    due = []
    for site in session.scalars(select(Site).where(Site.rescan.in_(tuple(PERIODS))).order_by(Site.id)):
        last = _last_job(session, site)
        when = next_rescan(session, site, last)
        if when is not None and when <= now:
            due.append((site, dict(last.options) if last is not None else {}))
    return due


def enqueue_due(app: Flask, queue: JobQueue, now: datetime | None = None) -> list[int]:
    """Queue a rescan of each due site; returns the new jobs' IDs (none when another worker is
    doing the same check right now)."""
    try:
        with queue.huey.lock_task(LOCK):
            with get_db(app).session() as session:
                due = [(site.key, options) for site, options in due_sites(session, now or utcnow())]
            return [_enqueue(app, queue, key, options) for key, options in due]
    except TaskLockedException:
        return []


def _enqueue(app: Flask, queue: JobQueue, key: str, options: dict[str, Any]) -> int:
    job = enqueue_scan(app, queue, key, (), options, trigger="schedule")
    log.info("queued rescan job %s of site %s", job.id, key)
    return job.id
