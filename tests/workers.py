"""Real `consentkit worker` processes on a real queue, for the job tests.

`stack` is the database and the queue the test and its workers share: SQLite for both, and (when
CONSENTKIT_TEST_DATABASE_URL and CONSENTKIT_TEST_REDIS_URL are set) PostgreSQL with Redis, as in
production. Each stack gets its own queue name, so Redis holds nothing of another test's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.jobs import get_queue
from consentkit.models import Base, Job
from tests.conftest import PG_ENV, ROOT

SECRET = "jobs-test-secret"
REDIS_ENV = "CONSENTKIT_TEST_REDIS_URL"
# Fast beats, so a dead worker is noticed within seconds rather than a minute.
FAST = {"JOB_HEARTBEAT_SECONDS": "0.5", "JOB_STALE_SECONDS": "5", "SCHEDULE_CHECK_SECONDS": "1",
        "NOTIFY_RETRY_SECONDS": "1"}


@dataclass
class Stack:
    db_url: str
    queue_url: str | None
    instance: Path
    settings: dict[str, str] = field(default_factory=dict)
    queue_name: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:10]}")
    secret: str = SECRET
    _app: Any = field(default=None, repr=False)

    @classmethod
    def of(cls, app) -> Stack:
        """The stack of an app made by the `app` fixture, for workers that serve it."""
        return cls(app.config["DATABASE_URL"], app.config.get("QUEUE_URL"), Path(app.instance_path),
                   queue_name=app.config.get("QUEUE_NAME") or "consentkit", secret=app.config["SECRET_KEY"])

    def config(self) -> dict[str, object]:
        return {"TESTING": True, "DATABASE_URL": self.db_url, "SECRET_KEY": self.secret,
                "QUEUE_URL": self.queue_url, "QUEUE_NAME": self.queue_name,
                **{key: _value(value) for key, value in {**FAST, **self.settings}.items()}}

    def app(self):
        """The test's own app on this stack: one per stack, so `dispose()` closes its connections."""
        if self._app is None:
            self._app = create_app(self.config(), instance_path=str(self.instance))
        return self._app

    def dispose(self) -> None:
        if self._app is not None:
            if self.queue_url:
                get_queue(self._app).huey.flush()  # this stack's queue name only
            get_db(self._app).dispose()
            self._app = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTKIT_")}
        env.update({"CONSENTKIT_DATABASE_URL": self.db_url, "CONSENTKIT_INSTANCE_PATH": str(self.instance),
                    "CONSENTKIT_SECRET_KEY": self.secret, "CONSENTKIT_QUEUE_NAME": self.queue_name})
        if self.queue_url:
            env["CONSENTKIT_QUEUE_URL"] = self.queue_url
        env.update({f"CONSENTKIT_{k}": v for k, v in {**FAST, **self.settings}.items()})
        return env


def _value(text: str) -> object:
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


class WorkerProcess:
    """`python -m consentkit worker` in a subprocess, its output in a log file."""

    def __init__(self, stack: Stack, concurrency: int = 1, name: str = "worker") -> None:
        self.stack, self.concurrency = stack, concurrency
        self.log_path = stack.instance / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "consentkit", "worker", "--concurrency", str(self.concurrency),
                 "--no-migrate"], env=self.stack.env(), cwd=ROOT, stdout=log, stderr=log)
        wait_until(lambda: "ready" in self.log(), self, timeout=60)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine's OOM killer strikes."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> int | None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None


def wait_until(condition: Callable[[], object], worker: WorkerProcess | None = None,
               timeout: float = 180, what: str = "condition") -> None:
    """Poll `condition` until it is true; fail early if the worker process exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker is not None and worker.process is not None and worker.process.poll() is not None:
            raise AssertionError(f"the worker exited ({worker.process.returncode}):\n{worker.log()[-3000:]}")
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} not met within {timeout}s"
                         + (f"; worker log:\n{worker.log()[-3000:]}" if worker else ""))


def job(app, job_id: int) -> Job:
    with get_db(app).session() as session:
        row = session.get(Job, job_id)
        assert row is not None
        session.expunge(row)
        return row


def stack_kinds() -> list[str]:
    """SQLite alone always; PostgreSQL with Redis, or SQLite with Redis, when those are set up."""
    kinds = ["sqlite"]
    if os.environ.get(REDIS_ENV):
        kinds.append("postgresql+redis" if os.environ.get(PG_ENV) else "sqlite+redis")
    return kinds


def make_stack(kind: str, request, tmp_path: Path) -> Stack:
    if kind.startswith("postgresql"):
        db_url = request.getfixturevalue("postgres_server_url")
        engine = create_engine(db_url)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        db_url = request.getfixturevalue("sqlite_url")
    queue_url = os.environ[REDIS_ENV] if kind.endswith("redis") else None
    return Stack(db_url, queue_url, tmp_path / "instance")
