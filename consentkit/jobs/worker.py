"""A worker: Huey's consumer running jobs in threads, and a heartbeat thread beside it.

Each scan runs its own Chromium, so threads are enough: the browser does the work, and a thread
is what the demo can run inside its own process. The heartbeat writes, every
JOB_HEARTBEAT_SECONDS, that this worker and each of its jobs are alive; stops the jobs that were
cancelled; and takes over the jobs of workers that stopped beating (retried once, then failed).

SIGTERM and Ctrl-C stop the worker within seconds: scans under way are cancelled (their browsers
closed) and go back on the queue for another worker, without counting as an attempt.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from huey.consumer import Consumer, Scheduler

from ..db import get_db
from ..models import utcnow
from . import records, schedules
from .queue import JobQueue, get_queue
from .runner import SHUTDOWN

log = logging.getLogger(__name__)
# What one scan needs at its peak (Chromium and its renderers; bench/bench_scan.py: 0.8–1.4 GB).
SCAN_PEAK_BYTES = int(1.2 * 1024**3)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def default_concurrency(memory: int | None = None, cpus: int | None = None) -> int:
    """Scans at once that fit in three quarters of the memory, at most two per core (a scan spends
    much of its time waiting for pages to go quiet), at least one."""
    if memory is None:
        try:
            memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            memory = 4 * 1024**3
    cpus = cpus or os.cpu_count() or 1
    return max(1, min(int(memory * 0.75) // SCAN_PEAK_BYTES, 2 * cpus))


def reap(app: Flask, queue: JobQueue) -> list[tuple[int, str]]:
    """Take over the jobs whose worker died: queue each once more, or fail it; returns
    [(job ID, "retry" | "failed")]."""
    stale = float(app.config.get("JOB_STALE_SECONDS") or 60)
    taken = []
    with get_db(app).session() as session:
        for job in records.dead_jobs(session, utcnow(), stale):
            outcome = records.take_dead(session, job)
            if outcome:
                taken.append((job.id, outcome))
    for job_id, outcome in taken:
        log.warning("job %s: its worker stopped; %s", job_id, outcome)
        if outcome == "retry":
            queue.enqueue_job(job_id)
    return taken


class Heartbeat:
    """Beats for the jobs in `queue.running` (and, for a worker, for the worker itself)."""

    def __init__(self, app: Flask, queue: JobQueue, worker_id: str, concurrency: int | None = None,
                 reaper: bool = True) -> None:
        self.app, self.queue, self.id = app, queue, worker_id
        self.concurrency, self.reaper = concurrency, reaper
        self.period = float(app.config.get("JOB_HEARTBEAT_SECONDS") or 10)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="consentkit-heartbeat")

    def start(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.period + 5)

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the beating
                log.exception("heartbeat failed; trying again in %ss", self.period)

    def beat(self) -> None:
        with get_db(self.app).session() as session:
            if self.concurrency is not None:
                records.seen_worker(session, self.id, self.concurrency)
            lost = records.beat(session, self.queue.running.ids(), self.id)
        for job_id, why in lost.items():
            self.queue.running.stop(job_id, why)
        if self.reaper:
            reap(self.app, self.queue)


def consumer_class(check_seconds: float) -> type[Consumer]:
    """Huey's consumer whose scheduler asks periodic tasks every `check_seconds` (Huey's own
    default is a minute; the tests and the demo use less)."""
    scheduler = type("ConsentKitScheduler", (Scheduler,), {"periodic_task_seconds": check_seconds})
    return type("ConsentKitConsumer", (Consumer,), {"scheduler_class": scheduler})


class Worker:
    """`start()` from the main thread, `stop()` when done; or `run()` until SIGTERM or Ctrl-C."""

    def __init__(self, app: Flask, concurrency: int, schedule: bool = True,
                 shutdown_timeout: float = 30) -> None:
        self.app, self.queue, self.concurrency = app, get_queue(app), concurrency
        self.id = records.process_id()
        check = float(app.config.get("SCHEDULE_CHECK_SECONDS") or 60)
        self.consumer = consumer_class(check)(
            self.queue.huey, workers=concurrency, worker_type="thread", periodic=schedule,
            initial_delay=0.05, backoff=1.2, max_delay=1.0, scheduler_interval=1,
            health_check_interval=5, shutdown_timeout=shutdown_timeout, extra_locks=schedules.LOCK)
        self.heartbeat = Heartbeat(app, self.queue, self.id, concurrency)
        self.stopping = threading.Event()
        self.stopped = False

    def start(self) -> Worker:
        """Recover dead workers' jobs, then start the consumer's threads and the heartbeat. The
        process's own signal handlers are left as they were (Huey's consumer would take them)."""
        handlers = {sig: signal.getsignal(sig) for sig in (*STOP_SIGNALS, signal.SIGHUP)}
        self.heartbeat.start()
        self.consumer.start()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        return self

    def run(self, ready: Callable[[Worker], Any] | None = None) -> None:
        """Work until SIGTERM or SIGINT, then stop cleanly."""
        previous = {sig: signal.signal(sig, lambda *_: self.stopping.set()) for sig in STOP_SIGNALS}
        try:
            self.start()
            if ready is not None:
                ready(self)
            health = time.monotonic()
            while not self.stopping.is_set():
                health = self.consumer.loop(health)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self) -> None:
        """Cancel the scans under way (they go back on the queue), wait for the threads, say goodbye."""
        if self.stopped:
            return
        self.stopped = True
        self.stopping.set()
        self.queue.running.stop_all(SHUTDOWN)
        self.consumer.stop(graceful=True)
        self.queue.huey.notify_interrupted_tasks()
        self.heartbeat.stop()
        with get_db(self.app).session() as session:
            records.forget_worker(session, self.id)
