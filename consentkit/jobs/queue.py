"""The app's task queue: a Huey instance on SQLite (a file in the instance folder, nothing to
install) or on Redis (`CONSENTKIT_QUEUE_URL=redis://…`, for workers on several machines).

Huey carries only job IDs; a job's state is its row (consentkit.jobs.records). Messages are
signed with the app's SECRET_KEY (Huey's SignedSerializer), so whoever can write to a shared
Redis still cannot make a worker unpickle a message of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from huey import Huey, PriorityRedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.serializer import SignedSerializer

from ..errors import ConfigError

EXTENSION = "consentkit.jobs"


def make_huey(app: Flask) -> Huey:
    """Huey for the configured QUEUE_URL: unset or sqlite:///PATH for SQLite, redis://… for Redis."""
    url = app.config.get("QUEUE_URL") or ""
    name = app.config.get("QUEUE_NAME") or "consentkit"
    common: dict[str, Any] = {"results": False, "utc": True,
                              "serializer": SignedSerializer(secret=app.config["SECRET_KEY"],
                                                             salt="consentkit-queue")}
    if not url or url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):] if url else str(Path(app.instance_path) / "queue.db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=path, timeout=10, **common)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return PriorityRedisHuey(name, url=url, **common)
    raise ConfigError(f"QUEUE_URL {url!r}: use redis://host:6379/0, or leave it unset for a SQLite "
                      "queue in the instance folder")


def describe(app: Flask) -> str:
    """The queue's storage for printing, without a password."""
    url = app.config.get("QUEUE_URL")
    if not url:
        return f"SQLite {Path(app.instance_path) / 'queue.db'}"
    parts = urlsplit(url)
    if parts.password:
        url = url.replace(f":{parts.password}@", ":***@", 1)
    return url


@dataclass(frozen=True)
class Tasks:
    """The Huey tasks a queue sends messages to (registered by `consentkit.jobs.tasks.register`)."""

    run_job: TaskWrapper
    check_schedules: TaskWrapper
    send_notification: TaskWrapper


class JobQueue:
    """The Huey instance with consentkit's tasks, made on first use (a command that never queues
    anything creates no queue file), and the jobs this process is running.

    `register` puts the tasks on the Huey instance. It is passed in (by `consentkit.jobs.init_app`)
    rather than imported, because the tasks call back into this queue (to enqueue a rescan or a
    notification): the queue knows nothing of them, they know the queue.
    """

    def __init__(self, app: Flask, register: Callable[[Huey, JobQueue], Tasks]) -> None:
        self.app = app
        self.running = Running()
        self._register = register
        self._huey: Huey | None = None
        self._tasks: Tasks | None = None
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        self._ensure()
        assert self._huey is not None
        return self._huey

    @property
    def tasks(self) -> Tasks:
        self._ensure()
        assert self._tasks is not None
        return self._tasks

    def _ensure(self) -> None:
        with self._lock:
            if self._huey is None:
                huey = make_huey(self.app)
                self._tasks = self._register(huey, self)
                self._huey = huey

    def enqueue_job(self, job_id: int) -> str:
        """Put a job's ID on the queue; returns Huey's task ID (kept to revoke it)."""
        task = self.tasks.run_job.s(job_id)
        self.huey.enqueue(task)
        return task.id

    def enqueue_notification(self, site_key: str, scan_ids: list[int], channel: str) -> None:
        """Send one channel's notification again later, with Huey's retries and backoff."""
        delay = float(self.app.config.get("NOTIFY_RETRY_SECONDS") or 60)
        self.huey.enqueue(self.tasks.send_notification.s(site_key, scan_ids, channel, delay=delay))

    def revoke(self, task_id: str | None) -> None:
        if task_id:
            self.huey.revoke_by_id(task_id, revoke_once=True)

    def pending(self) -> int:
        """Messages waiting on the queue (jobs, checks and notifications)."""
        return self.huey.pending_count()


class StopEvent(threading.Event):
    """Stops a job's scan; `reason` says why (the scan row records it)."""

    reason: str | None = None


class Running:
    """The jobs this process runs, each with the event that stops its scan and why it was set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[int, StopEvent] = {}
        self._why: dict[int, str] = {}

    def add(self, job_id: int) -> StopEvent:
        with self._lock:
            event = self._events[job_id] = StopEvent()
            self._why.pop(job_id, None)
            return event

    def remove(self, job_id: int) -> None:
        with self._lock:
            self._events.pop(job_id, None)

    def ids(self) -> list[int]:
        with self._lock:
            return list(self._events)

    def stop(self, job_id: int, why: str) -> None:
        with self._lock:
            if job_id in self._events:
                self._why.setdefault(job_id, why)
                event = self._events[job_id]
                event.reason = event.reason or why
                event.set()

    def stop_all(self, why: str) -> None:
        for job_id in self.ids():
            self.stop(job_id, why)

    def why(self, job_id: int) -> str | None:
        with self._lock:
            return self._why.get(job_id)


def get_queue(app: Flask) -> JobQueue:
    return app.extensions[EXTENSION]
