"""Shared fixtures: a fresh migrated database per test, on SQLite and (when configured) PostgreSQL.

Set CONSENTKIT_TEST_DATABASE_URL=postgresql+psycopg://user@host/db to also run every test that
uses the `db_url` fixture on PostgreSQL: a fresh database is created from that server for the run
and dropped afterwards. Browser tests use SQLite only (they test the browser, not the database).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consentkit import migrate
from consentkit.app import create_app
from consentkit.models import Base
from scanner.browser import LAUNCH_ARGS, find_browser

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "CONSENTKIT_TEST_DATABASE_URL"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        backends = ["sqlite"] + (["postgresql"] if os.environ.get(PG_ENV) else [])
        metafunc.parametrize("db_backend", backends, scope="session")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is what makes this fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated once, dropped at the end."""
    base = make_url(os.environ[PG_ENV])
    name = f"consentkit_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty, fully migrated database of the current backend."""
    if db_backend == "sqlite":
        target = tmp_path / "consentkit.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_server_url")
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis server for tests of what processes share through it (rate limits, lockouts).

    CI names its Redis in CONSENTKIT_TEST_REDIS_URL, and a test must not skip there; elsewhere Redis is
    optional (the product's default storage is in memory), so a machine without one skips them.
    """
    import redis

    url = os.environ.get("CONSENTKIT_TEST_REDIS_URL")
    if url is not None:
        return url
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("needs a Redis server: none at 127.0.0.1:6379 and CONSENTKIT_TEST_REDIS_URL is not set")
    return url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "consentkit.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(db_url: str, tmp_path: Path):
    application = create_app(
        {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret-not-for-production",
         "PUBLIC_URL": "http://consent.test"},
        instance_path=str(tmp_path / "instance"),
    )
    yield application
    from consentkit.db import get_db

    get_db(application).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Runner:
    """Invokes `consentkit …` against the test app, the way a user's shell would."""

    def __init__(self, app) -> None:
        self.app = app
        self.cli = CliRunner()

    def invoke(self, *args: str, input: str | None = None):
        from consentkit.cli import cli

        return self.cli.invoke(cli, list(args), obj=self.app, input=input, catch_exceptions=False)


@pytest.fixture
def runner(app) -> Runner:
    return Runner(app)


# ---- real servers and the browser ---------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing answered on port {port} within {timeout}s")


class LiveServer:
    """`python -m consentkit serve` in a subprocess on a free port, with its own instance folder.

    `public_url`: CONSENTKIT_PUBLIC_URL, by default the server's own address; None leaves it unset,
    as a new user does. `settings` become more CONSENTKIT_* variables (`{"DB_WRITE_TIMEOUT": "1"}`).
    """

    def __init__(self, db_url: str, instance: Path, workers: int = 1, *,
                 public_url: str | None | bool = True, port: int | None = None,
                 settings: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {key: value for key, value in os.environ.items() if key != "CONSENTKIT_PUBLIC_URL"}
        self.env.update({"CONSENTKIT_DATABASE_URL": db_url, "CONSENTKIT_INSTANCE_PATH": str(instance),
                         "CONSENTKIT_SECRET_KEY": "live-test-secret"})
        if public_url is True:
            self.env["CONSENTKIT_PUBLIC_URL"] = self.url
        elif public_url:
            self.env["CONSENTKIT_PUBLIC_URL"] = str(public_url)
        self.env.update({f"CONSENTKIT_{key}": value for key, value in (settings or {}).items()})
        self.workers = workers
        self.log_path = instance / "serve.log"  # stderr: a pipe nobody reads would block the server
        self.process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "consentkit", "serve", "--port", str(self.port),
                 "--workers", str(self.workers)], env=self.env, cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=log)
        wait_for_port(self.port, self.process)
        return self

    def log(self) -> str:
        """What the server printed on stderr (start-up lines, warnings, tracebacks)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def live_server(sqlite_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(sqlite_url, tmp_path / "live-instance").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches the same Chromium, with the same flags, as the product."""
    return {**browser_type_launch_args, "executable_path": find_browser(), "args": LAUNCH_ARGS}
