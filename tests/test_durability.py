"""No acknowledged consent is lost: SIGKILL the server mid-load, then find every 201 in the database."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.models import ConsentRecord
from consentkit.sites.registry import create_site
from tests.conftest import ROOT, LiveServer, wait_for_port

ORIGIN = "https://www.example.no"
pytestmark = pytest.mark.slow


class KillableServer(LiveServer):
    """The real `consentkit serve` (gunicorn, 2 workers) in its own process group, to SIGKILL whole."""

    def start(self) -> KillableServer:
        self.env["CONSENTKIT_CONSENT_RATE_LIMIT"] = "1000000 per minute"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "consentkit", "serve", "--port", str(self.port),
             "--workers", str(self.workers), "--no-migrate"], env=self.env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.port, self.process)
        return self

    def kill_group(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def _site(db_url: str, tmp_path: Path) -> str:
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "k"}, instance_path=str(tmp_path / "setup"))
    with app.app_context(), get_db(app).session() as session:
        key = create_site(session, name="Durable", origins=[ORIGIN]).key
    get_db(app).dispose()
    return key


def _post_until_stopped(port: int, key: str, stop: threading.Event, acked: list[str],
                        failed: list[int]) -> int:
    """POST fresh consents until told to stop; returns how many requests failed (also counted in
    `failed`, so the test can wait until the kill has been felt)."""
    failures = 0
    while not stop.is_set() and failures < 20:
        consent_id = str(uuid.uuid4())
        body = json.dumps({"consent_id": consent_id, "choices": {"functional": True, "analytics": True,
                           "marketing": False}, "method": "custom", "revision": 1, "language": "nb"})
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", f"/v1/sites/{key}/consents", body,
                         {"Content-Type": "application/json", "Origin": ORIGIN})
            status = conn.getresponse().status
            conn.close()
        except OSError:
            failures += 1
            failed.append(1)
            time.sleep(0.01)  # pace the retries against a dead port
            continue
        if status == 201:
            acked.append(consent_id)
    return failures


def test_sigkill_mid_load_loses_no_acknowledged_consent(db_url, tmp_path):
    key = _site(db_url, tmp_path)
    server = KillableServer(db_url, tmp_path / "instance", workers=2).start()
    acked: list[str] = []
    failed: list[int] = []
    stop = threading.Event()
    try:
        with ThreadPoolExecutor(16) as pool:
            futures = [pool.submit(_post_until_stopped, server.port, key, stop, acked, failed)
                       for _ in range(16)]
            deadline = time.monotonic() + 20
            while len(acked) < 300 and time.monotonic() < deadline:
                time.sleep(0.02)
            server.kill_group()
            deadline = time.monotonic() + 20
            while not failed and time.monotonic() < deadline:  # clients felt the kill
                time.sleep(0.02)
            stop.set()
            failures = sum(f.result() for f in futures)
    finally:
        stop.set()
        if server.process and server.process.poll() is None:
            server.kill_group()
    assert len(acked) >= 300, "the load never got going"
    assert failures > 0, "the server was not killed mid-load"
    engine = create_engine(db_url)
    with engine.connect() as conn:
        stored = set(conn.scalars(select(ConsentRecord.consent_id)))
    engine.dispose()
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged consents were lost"
