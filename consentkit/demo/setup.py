"""Setting up the demo: database, site, admin user; and finding (or installing) a browser."""

from __future__ import annotations

import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import delete

from scanner.browser import BrowserNotFound, find_browser

from .. import migrate
from ..accounts import users
from ..app import create_app
from ..db import get_db
from ..models import User
from ..sites import registry as sites
from .hosts import DemoHosts

ADMIN_USER = "admin"


@dataclass
class DemoSetup:
    app: Flask
    hosts: DemoHosts
    site_key: str
    admin_password: str
    data_dir: Path


def set_up(data_dir: Path, hosts: DemoHosts) -> DemoSetup:
    """A fresh demo database in `data_dir` with the shop's site and an admin user."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'demo.db'}"
    app = create_app({"DATABASE_URL": url, "PUBLIC_URL": hosts.consent_url},
                     instance_path=str(data_dir))
    migrate.upgrade(url)
    password = secrets.token_urlsafe(12)
    with get_db(app).session() as session:
        existing = [s for s in sites.list_sites(session) if s.name == "Fjellbutikken"]
        site = existing[0] if existing else sites.create_site(
            session, name="Fjellbutikken", origins=[hosts.shop_url], default_language="nb",
            consent_mode=True, privacy_policy_url=hosts.url(hosts.shop, "/personvern"))
        if site.origins != [hosts.shop_url]:  # a reused --data-dir with another --port
            sites.edit_site(session, site, origins=[hosts.shop_url])
        key = site.key
        _reset_admin(session, password)
    return DemoSetup(app, hosts, key, password, data_dir)


def _reset_admin(session, password: str) -> None:
    session.execute(delete(User).where(User.username == ADMIN_USER))
    users.create_user(session, ADMIN_USER, password)


def ensure_browser(echo) -> str:
    """A Chromium for the scan; installs Playwright's own when the machine has none."""
    try:
        return find_browser()
    except BrowserNotFound:
        echo("No Chromium found; installing Playwright's Chromium (one time, about 150 MB)…")
    result = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"])
    if result.returncode != 0:
        raise BrowserNotFound("could not install Chromium: install one with "
                              "`sudo apt-get install chromium` and run `consentkit demo` again")
    return find_browser()
