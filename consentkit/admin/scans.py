"""Scans: a site's jobs and scan history, one scan's inventory with its violations and what changed
since the previous scan of its origin, and "scan now", which puts a job on the queue for a worker.
The queue of unclassified items is in `review`.

Everything in a report was written by the scanned site; templates show it as text, never `|safe`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from scanner.errors import ScanUsageError

from ..db import get_session
from ..errors import ConsentKitError
from ..jobs import get_queue
from ..jobs import records as job_records
from ..jobs.runner import enqueue_scan
from ..jobs.worker import reap
from ..models import Scan, utcnow
from ..scans import inventory
from ..scans.review_queue import by_category
from .blueprint import bp
from .forms import ScanForm
from .sites import load_site

ACTIVE = ("queued", "running")


def violation_keys(report: dict[str, Any] | None) -> set[tuple[str, str]]:
    return {(v.get("kind") or "cookie", v.get("name") or "") for v in (report or {}).get("violations") or []
            if isinstance(v, dict)}


@bp.get("/sites/<key>/scans")
def scan_list(key: str):
    site = load_site(key)
    app = current_app
    reap(app, get_queue(app))  # a job whose worker died is settled before it is shown
    db = get_session()
    scans = list(db.scalars(select(Scan).where(Scan.site_id == site.id)
                            .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(100)))
    jobs = job_records.list_jobs(db, site=site, limit=20)
    beat = float(app.config.get("JOB_HEARTBEAT_SECONDS") or 10)
    workers = job_records.live_workers(db, utcnow(), 3 * beat)
    refresh = any(s.status in ACTIVE for s in scans) or any(j.status in ACTIVE for j in jobs)
    return render_template("admin/scans.html", site=site, scans=scans, jobs=jobs, workers=workers,
                           form=ScanForm(), refresh=refresh)


@bp.post("/sites/<key>/scans")
def scan_start(key: str):
    """Queue a scan of one URL (or every origin) with the options of the site's latest job."""
    site = load_site(key)
    form = ScanForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("admin.scan_list", key=site.key))
    app = current_app
    latest = job_records.list_jobs(get_session(), site=site, limit=1)
    options = {**(latest[0].options if latest else {}), "max_pages": form.max_pages.data}
    urls = [form.url.data] if form.url.data else []
    try:
        job = enqueue_scan(app, get_queue(app), site.key, urls, options, trigger="admin")
    except (ConsentKitError, ScanUsageError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.scan_list", key=site.key))
    flash(f"Scan of {', '.join(job.urls)} queued as job {job.id}; this page refreshes until it is "
          "done.", "ok")
    return redirect(url_for("admin.scan_list", key=site.key))


@bp.get("/sites/<key>/scans/<int:scan_id>")
def scan_show(key: str, scan_id: int):
    site = load_site(key)
    db = get_session()
    scan = db.get(Scan, scan_id)
    if scan is None or scan.site_id != site.id:
        abort(404)
    items = inventory.classify_report_items(scan.report, inventory.site_overrides(db, site)) \
        if scan.report else []
    violations = [v for v in (scan.report or {}).get("violations") or [] if isinstance(v, dict)]
    return render_template("admin/scan.html", site=site, scan=scan, groups=by_category(items),
                           violations=violation_keys(scan.report), violation_list=violations,
                           diff=scan.diff, refresh=scan.status in ACTIVE)
