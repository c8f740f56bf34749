"""Scans: a site's jobs and scan history, one scan's inventory with its violations and what changed
since the previous scan of its origin, the queue of unclassified items (the owner's classification
becomes an `Override`), and "scan now", which puts a job on the queue for a worker.

Everything in a report was written by the scanned site; templates show it as text, never `|safe`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from scanner.errors import ScanUsageError

from .. import api, inventory, sites
from ..db import get_session
from ..errors import ConsentKitError
from ..jobs import get_queue
from ..jobs import records as job_records
from ..jobs.runner import enqueue_scan
from ..jobs.worker import reap
from ..models import CATEGORIES, Override, Scan, Site, utcnow
from .blueprint import bp
from .forms import OverrideForm, ScanForm
from .sites import load_site

ACTIVE = ("queued", "running")


def violation_keys(report: dict[str, Any] | None) -> set[tuple[str, str]]:
    return {(v.get("kind") or "cookie", v.get("name") or "") for v in (report or {}).get("violations") or []
            if isinstance(v, dict)}


def is_unclassified(item: dict[str, Any]) -> bool:
    return item.get("category") not in CATEGORIES


def needs_review(item: dict[str, Any]) -> bool:
    """Unclassified, or only guessed from the name: the owner should say what it is."""
    return is_unclassified(item) or item.get("confidence") == "low"


def by_category(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    order = [*CATEGORIES, "unclassified"]
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        group = item["category"] if item["category"] in CATEGORIES else "unclassified"
        groups.setdefault(group, []).append(item)
    return sorted(groups.items(), key=lambda kv: order.index(kv[0]))


@bp.get("/sites/<key>/scans")
def scan_list(key: str):
    site = load_site(key)
    app = current_app._get_current_object()
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
    app = current_app._get_current_object()
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


@bp.get("/sites/<key>/inventory", endpoint="inventory")
def inventory_view(key: str):
    site = load_site(key)
    items = inventory.site_inventory(get_session(), site)
    queue = [(i, *_override_form(i)) for i in items if needs_review(i)]
    return render_template("admin/inventory.html", site=site, groups=by_category(items), queue=queue,
                           overrides=inventory.site_overrides(get_session(), site), violations=set())



def _override_form(item: dict[str, Any]) -> tuple[OverrideForm, str]:
    """A form per queued item; the prefix keeps element ids (and labels) unique on the page."""
    prefix = "o" + hashlib.sha1(f"{item['kind']}\0{item['name']}".encode()).hexdigest()[:10]
    form = OverrideForm(formdata=None, prefix=prefix)
    guess = item["category"] if item["category"] in CATEGORIES else "necessary"
    purpose = item.get("purpose") or {}
    form.process(data={"name": item["name"], "kind": item["kind"], "provider": item.get("provider") or "",
                       "category": guess, "purpose_en": purpose.get("en") or "",
                       "purpose_nb": purpose.get("nb") or "", "purpose_nn": purpose.get("nn") or ""})
    return form, prefix


@bp.post("/sites/<key>/overrides")
def override_save(key: str):
    """Store the owner's classification and refresh the site's revision (banner and declaration follow)."""
    site = load_site(key)
    prefix = request.form.get("prefix", "")
    prefix = prefix if prefix.isalnum() else ""
    form = OverrideForm(prefix=prefix)
    if not form.validate():
        flash("Not saved: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()), "error")
        return redirect(url_for("admin.inventory", key=site.key))
    db = get_session()
    save_override(db, site, form)
    bumped = sites.refresh_revision(db, site)
    db.commit()
    api.forget_site(current_app, site.key)
    note = f" Revision {site.revision}." if bumped else ""
    flash(f"{form.name.data} is now {form.category.data}.{note}", "ok")
    return redirect(url_for("admin.inventory", key=site.key))


def save_override(db: Any, site: Site, form: OverrideForm) -> Override:
    existing = db.scalar(select(Override).where(
        Override.site_id == site.id, Override.kind == form.kind.data, Override.name == form.name.data,
        Override.match == form.match.data))
    row = existing or Override(site_id=site.id, name=form.name.data, kind=form.kind.data,
                               match=form.match.data)
    row.category = form.category.data
    row.provider = (form.provider.data or "").strip()
    row.purpose_en = (form.purpose_en.data or "").strip()
    row.purpose_nb = (form.purpose_nb.data or "").strip() or row.purpose_en
    # No bokmål copy: the nynorsk declaration says a nynorsk sentence where this is empty.
    row.purpose_nn = (form.purpose_nn.data or "").strip()
    db.add(row)
    db.flush()
    return row
