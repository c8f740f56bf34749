"""Running one job in a worker: claim it, scan and store through `site_scan.scan_site`, record the
outcome; and the enqueueing side: a job row plus its message on the queue.

A job that is cancelled stops within a heartbeat (the browser is closed); one interrupted by its
worker shutting down goes back on the queue without counting as an attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from flask import Flask

from scanner.errors import ScanCancelled

from ..db import get_db
from ..errors import UnknownSite
from ..models import Job, Site
from ..scans.site_scan import SiteScanResult, scan_options, scan_site, urls_to_scan
from ..sites import registry as sites
from . import records
from .queue import JobQueue

log = logging.getLogger(__name__)
SHUTDOWN = "the worker is shutting down"


def enqueue_scan(app: Flask, queue: JobQueue, site_key: str, urls: Sequence[str] = (),
                 options: dict[str, Any] | None = None, *, trigger: str = "queue",
                 kind: str = "scan") -> Job:
    """A queued job to scan `urls` of the site (every origin when empty), and its queue message.

    Raises OriginNotInSite or a scanner usage error before anything is stored."""
    with get_db(app).session() as session:
        site = sites.get_site(session, site_key)
        job = records.create_job(session, site, urls_to_scan(site, urls), options or {},
                                 trigger=trigger, kind=kind)
    try:
        task_id = queue.enqueue_job(job.id)
    except Exception as exc:
        with get_db(app).session() as session:
            failed = session.get(Job, job.id)
            failed.status, failed.error = "failed", f"could not be queued: {exc}"
        raise
    with get_db(app).session() as session:
        job = session.get(Job, job.id)
        job.task_id = task_id
    return job


def run_job(app: Flask, queue: JobQueue, job_id: int) -> None:
    """What the `run_job` task does, in a worker thread."""
    worker = records.process_id()
    with get_db(app).session() as session:
        job = records.claim(session, job_id, worker)
        if job is None:
            return  # cancelled while queued, or another worker took it
        site_key = session.get(Site, job.site_id).key
    stop = queue.running.add(job_id)
    try:
        result = None if job.kind == "noop" else scan_site(
            app, site_key, job.urls, scan_options(job.options), job_id=job_id, stop=stop)
    except ScanCancelled:
        _stopped(app, queue, job_id, worker)
        return
    except UnknownSite:
        _finish(app, job_id, worker, error="the site was deleted")
        return
    except Exception as exc:
        log.exception("job %s failed", job_id)
        _finish(app, job_id, worker, error=f"unexpected error: {exc!r}")
        return
    finally:
        queue.running.remove(job_id)
    _finish(app, job_id, worker, error=failure(result))
    for channel in (result.notify_failed if result else {}):
        queue.enqueue_notification(site_key, result.scan_ids, channel)


def failure(result: SiteScanResult | None) -> str | None:
    """The job's error when some of its origins failed (those that did not are stored)."""
    if result is None or not result.failed:
        return None
    done = len(result.origins) - len(result.failed)
    lines = "; ".join(f"{o.url}: {o.error}" for o in result.failed)
    return f"{len(result.failed)} of {len(result.origins)} origins failed ({done} stored): {lines}"


def _finish(app: Flask, job_id: int, worker: str, error: str | None) -> None:
    with get_db(app).session() as session:
        records.finish(session, job_id, worker, error=error)


def _stopped(app: Flask, queue: JobQueue, job_id: int, worker: str) -> None:
    """The scan was stopped: cancelled by its owner (the row says so already), taken over after
    this worker was thought dead, or this worker shutting down (queued again)."""
    why = queue.running.why(job_id)
    if why != SHUTDOWN:
        return
    with get_db(app).session() as session:
        requeued = records.requeue(session, job_id, worker, f"queued again: {SHUTDOWN}")
        if requeued:
            records.fail_open_scans(session, job_id, SHUTDOWN)
    if requeued:
        queue.enqueue_job(job_id)
