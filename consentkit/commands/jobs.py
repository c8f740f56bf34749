"""`consentkit jobs list|show|cancel`: the scans on the queue, under way and done."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..jobs import get_queue
from ..jobs import records as job_records
from ..jobs.worker import reap
from ..models import JOB_STATES, Job, Site, utcnow
from ..scans import diff as scan_diff
from ..sites import registry as sites
from .common import friendly_errors, make_app, print_json, session_scope


@click.group()
def jobs() -> None:
    """The job queue: list jobs, show one with its scans, cancel one."""


def _reap() -> None:
    """Settle jobs whose worker died before showing them, so none is shown "running" forever."""
    app = make_app()
    reap(app, get_queue(app))


def _progress(job: Job) -> str:
    progress = job.progress or {}
    if job.status != "running" or not progress:
        return ""
    done, queued = progress.get("pages_done", 0), progress.get("pages_queued", 0)
    return (f"origin {progress.get('origin')}/{progress.get('origins')}, "
            f"{done}/{done + queued} pages")


@jobs.command("list")
@click.option("--site", "site_key", help="Only this site's jobs.")
@click.option("--status", type=click.Choice(JOB_STATES), help="Only jobs in this state.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def list_(site_key: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """Jobs, newest first, with their state and progress (or why they failed)."""
    _reap()
    with session_scope() as session:
        site = sites.get_site(session, site_key) if site_key else None
        keys = {s.id: s.key for s in sites.list_sites(session)}
        found = job_records.list_jobs(session, site=site, status=status, limit=limit)
        rows = [job_records.as_dict(j, keys.get(j.site_id, "?")) for j in found]
        shown = {j.id: _progress(j) for j in found}
        workers = len(job_records.live_workers(session, utcnow(), 3 * _beat()))
    if as_json:
        print_json(rows)
        return
    table = Table("id", "site", "status", "trigger", "created (UTC)", "origins", "progress / error")
    for row in rows:
        detail = shown[row["id"]] or (row["error"] or "")
        table.add_row(str(row["id"]), row["site"], row["status"], row["trigger"],
                      (row["created_at"] or "")[:19].replace("T", " "), str(len(row["urls"])),
                      Text(detail[:200]))
    Console().print(table)
    click.echo(f"{workers} worker(s) running", err=True)


def _beat() -> float:
    return float(make_app().config.get("JOB_HEARTBEAT_SECONDS") or 10)


@jobs.command("show")
@click.argument("job_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def show(job_id: int, as_json: bool) -> None:
    """One job: its state, progress or failure reason, and each origin's scan with what changed."""
    _reap()
    with session_scope() as session:
        job = job_records.get_job(session, job_id)
        site = session.get(Site, job.site_id)
        data = job_records.as_dict(job, site.key if site else "?")
        data["scans"] = [_scan(s) for s in job_records.job_scans(session, job_id)]
        data["progress_text"] = _progress(job)
    if as_json:
        print_json(data)
        return
    for name in ("id", "site", "status", "trigger", "attempts", "worker", "created_at", "started_at",
                 "finished_at", "error"):
        if data[name] not in (None, ""):
            click.echo(f"{name:>12}: {data[name]}")
    if data["progress_text"]:
        click.echo(f"{'progress':>12}: {data['progress_text']}")
    click.echo(f"{'origins':>12}: {' '.join(data['urls'])}")
    for scan in data["scans"]:
        click.echo(f"  scan {scan['id']} {scan['url']}: {scan['status']}"
                   + (f" ({scan['error']})" if scan["error"] else "")
                   + (f"; {scan['changes']}" if scan["changes"] else ""))


def _scan(scan: Any) -> dict[str, Any]:
    diff = scan.diff or None
    return {"id": scan.id, "url": scan.url, "status": scan.status, "error": scan.error,
            "pages_done": scan.pages_done, "diff": diff,
            "changes": scan_diff.summary(diff) if diff else ""}


@jobs.command("cancel")
@click.argument("job_id", type=int)
@friendly_errors
def cancel(job_id: int) -> None:
    """Cancel a queued job, or stop a running one (its worker closes the browser within a heartbeat)."""
    app = make_app()
    with session_scope() as session:
        job = job_records.cancel(session, job_id)
        task_id, was = job.task_id, job.worker
    get_queue(app).revoke(task_id)
    click.echo(f"cancelled job {job_id}" + (f"; {was} stops it at its next heartbeat" if was else ""))
