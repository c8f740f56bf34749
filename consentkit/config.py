"""Layered configuration: defaults, then the instance file, then `CONSENTKIT_*`, then a test dict.

Nothing here runs at import time; `load_config(app)` is called by the application factory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    # None means: a SQLite file `consentkit.db` in the instance folder.
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    # Flask-Limiter storage: "memory://" per process, or "redis://127.0.0.1:6379/0" when shared.
    "RATELIMIT_STORAGE_URI": "memory://",
    "CONSENT_RATE_LIMIT": "120 per minute",
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Trust X-Forwarded-For from this many proxies in front of us (0: use the socket address).
    "PROXY_COUNT": 0,
    # Public URL the server is reached at, used in embed snippets ("https://consent.example.no").
    "PUBLIC_URL": "http://127.0.0.1:8000",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Strict",
    "MAX_CONSENT_BODY": 4096,
    # The consent POST keeps a site's settings this many seconds per process (0: read every time).
    "SITE_CACHE_SECONDS": 2,
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


def instance_path_from_env() -> str | None:
    """The instance folder chosen by `CONSENTKIT_INSTANCE_PATH`, if any."""
    value = os.environ.get("CONSENTKIT_INSTANCE_PATH")
    return os.path.abspath(value) if value else None
