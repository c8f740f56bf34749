"""Start a scan without blocking the web process: `python -m consentkit scan URL --site KEY` in a
child process of its own session. The scan command records its progress in the `scans` table
(status, pages_done, pages_queued), which is what the admin's progress page reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask


def scan_command(url: str, site_key: str, max_pages: int) -> list[str]:
    return [sys.executable, "-m", "consentkit", "scan", url, "--site", site_key,
            "--max-pages", str(max_pages)]


def start_scan(app: Flask, url: str, site_key: str, max_pages: int) -> Path:
    """Launch the scan and return its log file. A thread reaps the child so it never lingers as a zombie."""
    logs = Path(app.instance_path) / "scan-logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{site_key}-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}.log"
    env = {**os.environ, "CONSENTKIT_DATABASE_URL": app.config["DATABASE_URL"],
           "CONSENTKIT_INSTANCE_PATH": app.instance_path}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(scan_command(url, site_key, max_pages), env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    threading.Thread(target=process.wait, name=f"scan-{process.pid}", daemon=True).start()
    return log_path
