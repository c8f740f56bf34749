"""Scans as jobs: scans per hour for small local sites with 1 and 2 workers, and the queue's own
overhead per job, printed beside each other in one run.

    .venv/bin/python bench/bench_jobs.py [--sites 20] [--pages 3] [--noop 200]

Each worker is a real `consentkit worker --concurrency 1` process on the SQLite queue (and, when
Redis answers at 127.0.0.1:6379, the no-op rows are repeated on Redis). A site is two linked
pages setting a first-party and a third-party cookie, scanned with the default phases. The
queue's overhead is what a job that does nothing costs from `enqueue` to `done` in the jobs table:
per job with a backlog of `--noop` jobs on one worker, and for one job alone on an idle worker
(median of 20; it includes the worker's polling, at most 1 s on SQLite). The fixture server runs
in its own process; the load average is printed, since a shared 2-core machine moves the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from consentkit import migrate  # noqa: E402
from consentkit.db import get_db  # noqa: E402
from consentkit.jobs import get_queue  # noqa: E402
from consentkit.jobs.runner import enqueue_scan  # noqa: E402
from consentkit.models import Job  # noqa: E402
from consentkit.sites import registry as sites  # noqa: E402
from tests.sites.tiny import TinySites  # noqa: E402
from tests.workers import Stack, WorkerProcess  # noqa: E402

SERVER = ("import time\nfrom tests.sites import serve\nfrom tests.sites.tiny import TinySites\n"
          "with serve(TinySites().app()) as s:\n    print(s.port, flush=True)\n    time.sleep(86400)\n")
REDIS = "redis://127.0.0.1:6379/0"
# Production beats (the tests use faster ones): what an installation would run with.
PRODUCTION = {"JOB_HEARTBEAT_SECONDS": "10", "JOB_STALE_SECONDS": "60", "SCHEDULE_CHECK_SECONDS": "60"}


def wait_done(app, job_ids: list[int], timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    with get_db(app).session() as session:
        while time.monotonic() < deadline:
            done = session.query(Job).filter(Job.id.in_(job_ids), Job.status.in_(("done", "failed"))).count()
            if done == len(job_ids):
                return
            session.expire_all()
            time.sleep(0.02)
    raise TimeoutError("jobs did not finish")


def new_stack(folder: Path, queue_url: str | None) -> Stack:
    folder.mkdir(parents=True)
    db_url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(db_url)
    stack = Stack(db_url, queue_url, folder / "instance")
    stack.settings.update(PRODUCTION)
    return stack


def scans_per_hour(folder: Path, port: int, count: int, pages: int, workers: int) -> tuple[float, int]:
    stack = new_stack(folder, None)
    app = stack.app()
    hosts = [f"www.bench{i}.test" for i in range(count)]
    resolve = [f"{h}:127.0.0.1:{port}" for h in TinySites.hosts(*hosts)]
    with get_db(app).session() as session:
        keys = [sites.create_site(session, name=h, origins=[TinySites.origin(h)]).key for h in hosts]
    running = [WorkerProcess(stack, name=f"w{i}").start() for i in range(workers)]
    try:
        started = time.monotonic()
        ids = [enqueue_scan(app, get_queue(app), key, (), {"resolve": resolve, "ignore_https_errors": True,
                                                           "max_pages": pages}).id for key in keys]
        wait_done(app, ids)
        seconds = time.monotonic() - started
    finally:
        for worker in running:
            worker.stop()
    with get_db(app).session() as session:
        failed = session.query(Job).filter(Job.status == "failed").count()
    stack.dispose()
    return count / seconds * 3600, failed


def noop_overhead(folder: Path, queue_url: str | None, backlog: int) -> tuple[float, float]:
    """(ms per job with a backlog, median ms for one job on an idle worker)."""
    stack = new_stack(folder, queue_url)
    app = stack.app()
    with get_db(app).session() as session:
        key = sites.create_site(session, name="noop", origins=["https://noop.test"]).key
    queue = get_queue(app)
    worker = WorkerProcess(stack).start()
    try:
        started = time.monotonic()
        ids = [enqueue_scan(app, queue, key, (), {}, kind="noop").id for _ in range(backlog)]
        wait_done(app, ids)
        per_job = (time.monotonic() - started) / backlog * 1000
        alone = []
        for _ in range(20):
            time.sleep(0.3)  # let the worker go idle and back off, as it does between real jobs
            started = time.monotonic()
            wait_done(app, [enqueue_scan(app, queue, key, (), {}, kind="noop").id])
            alone.append((time.monotonic() - started) * 1000)
    finally:
        worker.stop()
        stack.dispose()
    return per_job, statistics.median(alone)


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=3, help="max pages per site (a site has two)")
    parser.add_argument("--noop", type=int, default=200)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        print(f"{args.sites} small sites; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
        with tempfile.TemporaryDirectory(prefix="consentkit-bench-jobs-") as tmp:
            rows = []
            for workers in (1, 2):
                rate, failed = scans_per_hour(Path(tmp) / f"scan{workers}", port, args.sites, args.pages,
                                              workers)
                rows.append((workers, rate, failed))
            overhead = [("SQLite", *noop_overhead(Path(tmp) / "noop-sqlite", None, args.noop))]
            if redis_up():
                overhead.append(("Redis", *noop_overhead(Path(tmp) / "noop-redis", REDIS, args.noop)))
    finally:
        server.terminate()
        server.wait()
    base = rows[0][1]
    for workers, rate, failed in rows:
        print(f"scans per hour, {workers} worker(s): {rate:8.0f}  ({rate / base:.2f}x of 1 worker; "
              f"{3600 / rate:.1f} s per scan; {failed} failed)")
    for name, per_job, alone in overhead:
        print(f"queue overhead ({name}): {per_job:6.1f} ms per no-op job with a backlog of {args.noop}; "
              f"{alone:6.0f} ms for one on an idle worker; {per_job / (3600 / base * 1000):.2%} of one "
              "scan's time")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
