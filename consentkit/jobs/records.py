"""Job rows: create, claim, finish, cancel, list, and find the ones whose worker died.

Every change of state is a conditional UPDATE on the state it expects (`claim` only takes a
queued job, `finish` only one this worker still holds), so two workers, or a worker and a
reaper on another machine, can never both act on one job.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import ConsentKitError
from ..models import JOB_STATES, Job, Scan, Site, WorkerProcess, utcnow

ACTIVE = ("queued", "running")
# A job whose worker died is run at most this many times in all (one retry), then failed.
MAX_ATTEMPTS = 2


class UnknownJob(ConsentKitError):
    """No job has this ID; `consentkit jobs list` shows them."""

    def __init__(self, job_id: Any) -> None:
        super().__init__(f"no job {job_id}; run `consentkit jobs list` to see the jobs")


class JobFinished(ConsentKitError):
    """The job has finished already, so it cannot be cancelled."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"job {job.id} is {job.status} already; only queued or running jobs can be "
                         "cancelled")


def process_id() -> str:
    """This process as a job's `worker`: host and pid (the reaper checks the pid on its own host)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def create_job(session: Session, site: Site, urls: list[str], options: dict[str, Any], *,
               trigger: str, kind: str = "scan", running_in: str | None = None) -> Job:
    """A queued job, or (`running_in` a process id) one that process runs at once itself."""
    now = utcnow()
    job = Job(site_id=site.id, kind=kind, trigger=trigger, urls=list(urls), options=dict(options),
              status="running" if running_in else "queued", attempts=1 if running_in else 0,
              worker=running_in, created_at=now, started_at=now if running_in else None,
              heartbeat_at=now if running_in else None, progress={})
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise UnknownJob(job_id)
    return job


def list_jobs(session: Session, *, site: Site | None = None, status: str | None = None,
              limit: int = 50) -> list[Job]:
    """Newest first."""
    query = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    if site is not None:
        query = query.where(Job.site_id == site.id)
    if status is not None:
        if status not in JOB_STATES:
            raise ConsentKitError(f"status must be one of {', '.join(JOB_STATES)}; got {status!r}")
        query = query.where(Job.status == status)
    return list(session.scalars(query))


def claim(session: Session, job_id: int, worker: str) -> Job | None:
    """Take a queued job for `worker`; None when it is not queued (cancelled, or another took it)."""
    now = utcnow()
    taken = session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued")
        .values(status="running", attempts=Job.attempts + 1, worker=worker, started_at=now,
                heartbeat_at=now, error=None)).rowcount
    session.flush()
    return session.get(Job, job_id, populate_existing=True) if taken else None


def beat(session: Session, job_ids: list[int], worker: str) -> dict[int, str]:
    """Write the heartbeat of these jobs; returns {job ID: why} for those no longer this worker's
    to run (cancelled, or given to another worker after this one was taken for dead), which it
    must stop."""
    if not job_ids:
        return {}
    session.execute(update(Job).where(Job.id.in_(job_ids), Job.status == "running",
                                      Job.worker == worker).values(heartbeat_at=utcnow()))
    rows = session.execute(select(Job.id, Job.status, Job.worker).where(Job.id.in_(job_ids))).all()
    state = {job_id: (status, holder) for job_id, status, holder in rows}
    lost = {}
    for job_id in job_ids:
        status, holder = state.get(job_id, ("gone", None))
        if status == "cancelled":
            lost[job_id] = "cancelled"
        elif status != "running" or holder != worker:
            lost[job_id] = "taken over by another worker"
    return lost


def finish(session: Session, job_id: int, worker: str, *, error: str | None = None,
           status: str | None = None) -> bool:
    """Mark a job this worker holds done (or failed with `error`, or `status`); False if it was
    not this worker's any more."""
    final = status or ("failed" if error else "done")
    changed = session.execute(
        update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running")
        .values(status=final, error=error[:4000] if error else None, finished_at=utcnow())).rowcount
    if final != "done":
        fail_open_scans(session, job_id, error or final)
    return bool(changed)


def requeue(session: Session, job_id: int, worker: str, why: str) -> bool:
    """Give a job back to the queue without counting the attempt (its worker is shutting down)."""
    return bool(session.execute(
        update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running")
        .values(status="queued", attempts=Job.attempts - 1, worker=None, error=why,
                progress={})).rowcount)


def cancel(session: Session, job_id: int) -> Job:
    """Cancel a queued job, or ask the worker running one to stop (it closes the browser within
    a heartbeat, and the scan under way is marked failed)."""
    job = get_job(session, job_id)
    if job.status not in ACTIVE:
        raise JobFinished(job)
    job.status, job.error = "cancelled", "cancelled"
    job.finished_at = utcnow()
    fail_open_scans(session, job_id, "cancelled")
    session.flush()
    return job


def fail_open_scans(session: Session, job_id: int, why: str) -> None:
    for scan in session.scalars(select(Scan).where(Scan.job_id == job_id, Scan.status == "running")):
        scan.status, scan.error, scan.finished_at = "failed", why[:2000], utcnow()


def dead_jobs(session: Session, now: datetime, stale_after: float) -> list[Job]:
    """Running jobs whose worker stopped beating for `stale_after` seconds, or whose worker was a
    process of this host that no longer exists."""
    cutoff = now - timedelta(seconds=stale_after)
    running = session.scalars(select(Job).where(Job.status == "running"))
    host = socket.gethostname()
    found = []
    for job in running:
        beat_at = job.heartbeat_at or job.started_at or job.created_at
        if beat_at < cutoff or _gone(job.worker, host):
            found.append(job)
    return found


def _gone(worker: str | None, host: str) -> bool:
    if not worker:
        return True
    name, _, pid = worker.rpartition(":")
    if name != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def take_dead(session: Session, job: Job) -> str | None:
    """Take a dead job from its worker: "retry" (queued again), "failed", or None when another
    reaper (or the worker itself) got there first."""
    retry = job.trigger != "cli" and job.attempts < MAX_ATTEMPTS
    who = job.worker or "its worker"
    if retry:
        values: dict[str, Any] = {"status": "queued", "worker": None, "progress": {},
                                  "error": f"{who} stopped while running it (attempt {job.attempts}); "
                                           "queued again"}
    else:
        tries = f" (attempt {job.attempts} of {MAX_ATTEMPTS})" if job.trigger != "cli" else ""
        values = {"status": "failed", "finished_at": utcnow(),
                  "error": f"{who} stopped while running it{tries}; not retried"}
    same_worker = Job.worker.is_(None) if job.worker is None else Job.worker == job.worker
    changed = session.execute(
        update(Job).where(Job.id == job.id, Job.status == "running", Job.attempts == job.attempts,
                          same_worker).values(**values)).rowcount
    if not changed:
        return None
    fail_open_scans(session, job.id, "the worker running this scan stopped")
    return "retry" if retry else "failed"


def as_dict(job: Job, site_key: str) -> dict[str, Any]:
    """A job as `jobs show --json` prints it."""
    def when(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") + "Z" if value else None

    return {"id": job.id, "site": site_key, "kind": job.kind, "trigger": job.trigger,
            "status": job.status, "urls": job.urls, "options": job.options, "attempts": job.attempts,
            "worker": job.worker, "progress": job.progress, "error": job.error,
            "created_at": when(job.created_at), "started_at": when(job.started_at),
            "heartbeat_at": when(job.heartbeat_at), "finished_at": when(job.finished_at)}


def job_scans(session: Session, job_id: int) -> list[Scan]:
    return list(session.scalars(select(Scan).where(Scan.job_id == job_id).order_by(Scan.id)))


def seen_worker(session: Session, worker: str, concurrency: int) -> None:
    """Record that `worker` is alive (one row per worker process)."""
    row = session.get(WorkerProcess, worker)
    now = utcnow()
    if row is None:
        host, _, pid = worker.rpartition(":")
        session.add(WorkerProcess(id=worker, host=host, pid=int(pid or 0), concurrency=concurrency,
                                  started_at=now, last_seen_at=now))
    else:
        row.last_seen_at, row.concurrency = now, concurrency


def forget_worker(session: Session, worker: str) -> None:
    row = session.get(WorkerProcess, worker)
    if row is not None:
        session.delete(row)


def live_workers(session: Session, now: datetime, stale_after: float) -> list[WorkerProcess]:
    cutoff = now - timedelta(seconds=stale_after)
    return list(session.scalars(select(WorkerProcess).where(WorkerProcess.last_seen_at >= cutoff)
                                .order_by(WorkerProcess.started_at)))
