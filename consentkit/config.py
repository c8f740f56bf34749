"""Layered configuration: defaults, then the instance file, then `CONSENTKIT_*`, then a test dict.

Nothing here runs at import time; `load_config(app)` is called by the application factory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import platformdirs
from flask import Flask

DEFAULTS: dict[str, Any] = {
    # None means: a SQLite file `consentkit.db` in the instance folder.
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    # limits storage: "memory://" per process, or "redis://127.0.0.1:6379/0" when shared.
    "RATELIMIT_STORAGE_URI": "memory://",
    "CONSENT_RATE_LIMIT": "120 per minute",
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Failed sign-ins per username (any client) before that account is locked for the window.
    "LOGIN_LOCKOUT": "10 per 15 minutes",
    # Admin sessions end after this long without a request, and this long after signing in.
    "ADMIN_SESSION_IDLE_MINUTES": 60,
    "ADMIN_SESSION_MAX_HOURS": 12,
    # Trust X-Forwarded-For from this many proxies in front of us (0: use the socket address).
    "PROXY_COUNT": 0,
    # The address visitors reach the server at ("https://consent.example.no"). Unset, answers use
    # the address each request came to, and printed snippets say http://127.0.0.1:8000.
    "PUBLIC_URL": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Strict",
    "MAX_CONSENT_BODY": 4096,
    # The consent POST keeps a site's settings this many seconds per process (0: read every time).
    "SITE_CACHE_SECONDS": 2,
    # Seconds to wait for the database (see consentkit.db.Timeouts): then 503 with Retry-After.
    "DB_CONNECT_TIMEOUT": 5,
    "DB_STATEMENT_TIMEOUT": 10,
    "DB_WRITE_TIMEOUT": 3,
    # The job queue (consentkit.jobs): None is a SQLite file `queue.db` in the instance folder;
    # "redis://host:6379/0" when workers on several machines share it. QUEUE_NAME keeps two
    # installations on one Redis apart.
    "QUEUE_URL": None,
    "QUEUE_NAME": "consentkit",
    # A running job's worker beats every JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_SECONDS
    # is taken for dead: its job is retried once, then failed.
    "JOB_HEARTBEAT_SECONDS": 10,
    "JOB_STALE_SECONDS": 60,
    # How often workers look for sites due for a rescan, and wait before resending a notification.
    "SCHEDULE_CHECK_SECONDS": 60,
    "NOTIFY_RETRY_SECONDS": 60,
    # Scan notifications by e-mail: SMTP_SECURITY is "starttls" (port 587), "ssl" (465) or "none".
    "SMTP_HOST": None,
    "SMTP_PORT": None,
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_FROM": None,
}

SECRET_FILE = "secret_key"
CONFIG_FILE = "config.py"


def load_config(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    """Fill `app.config` from the layers, then make sure a secret key and a database URL exist."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile(CONFIG_FILE, silent=True)
    app.config.from_prefixed_env("CONSENTKIT")
    if test_config:
        app.config.from_mapping(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'consentkit.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(instance)


def instance_secret(instance: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first start.

    A generated key survives restarts so that sessions and CSRF tokens stay valid, and it is
    never part of the repository or the package.
    """
    path = instance / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def instance_path_from_env() -> str:
    """The instance folder: `CONSENTKIT_INSTANCE_PATH`, else the user's data folder.

    Never inside the virtualenv (Flask's default for an installed package is `<venv>/var/…`):
    recreating the venv would delete the consent log and the secret key with it. The data folder
    is `~/.local/share/consentkit` on Linux (`$XDG_DATA_HOME` respected), `~/Library/Application
    Support/consentkit` on macOS, `%LOCALAPPDATA%\\consentkit` on Windows.
    """
    value = os.environ.get("CONSENTKIT_INSTANCE_PATH")
    if value:
        return os.path.abspath(value)
    return platformdirs.user_data_dir("consentkit", appauthor=False)
