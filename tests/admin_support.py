"""What the admin tests share: a scanned site with chosen cookies, and signing in through the
real login page in Chromium. One place, so a change to the scan report or the login form is one
edit."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from consentkit.admin.testing import PASSWORD, USERNAME
from consentkit.models import Scan, Site, utcnow
from consentkit.sites.registry import refresh_revision

ORIGIN = "https://www.example.no"


def scanned_cookie(name: str, origin: str = ORIGIN, script: str = "app.js") -> dict:
    """One first-party cookie as the scan report lists it, set before consent by `script`."""
    host = origin.split("://", 1)[1]
    return {"name": name, "domain": host, "path": "/", "lifetime_seconds": 3600, "party": "first",
            "first_seen_url": f"{origin}/", "set_by": f"{origin}/{script}", "phases": ["before"]}


def add_scan(session: Session, site: Site, cookies: list[dict], violations: list[dict] | None = None,
             origin: str = ORIGIN) -> Scan:
    """A finished scan of `origin` that found `cookies`; the site's revision follows it."""
    scan = Scan(site_id=site.id, url=f"{origin}/", status="done", pages_done=1,
                started_at=utcnow() - timedelta(minutes=5), finished_at=utcnow(),
                report={"version": 1, "url": f"{origin}/", "storage": [], "requests": [],
                        "cookies": cookies, "violations": violations or []})
    session.add(scan)
    session.flush()
    refresh_revision(session, site)
    return scan


def sign_in_page(page: Page, base: str, target: str = "/admin/", user: str = USERNAME) -> None:
    """Open `target`, get sent to the login form, sign in, and land back on `target`."""
    page.goto(base + target)
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + target)
