"""The site revision rises when what visitors are told changes, and only then."""

from __future__ import annotations

from consentkit.db import get_db
from consentkit.models import Override
from consentkit.scans.store import store_scan
from consentkit.sites import registry as sites


def report(cookies: list[dict], url: str = "https://www.itsworking.no/") -> dict:
    return {"version": 1, "url": url, "started_at": "2026-11-23T10:00:00Z",
            "finished_at": "2026-11-23T10:01:00Z", "pages": [], "cookies": cookies, "storage": [],
            "requests": [], "violations": []}


def cookie(name: str, lifetime: int | None, seen: str = "https://www.itsworking.no/",
           set_by: str = "https://www.itsworking.no/") -> dict:
    return {"name": name, "domain": ".itsworking.no", "path": "/", "lifetime_seconds": lifetime,
            "party": "first", "first_seen_url": seen, "set_by": set_by, "phases": ["before"]}


def test_rescan_of_an_unchanged_site_keeps_the_revision(app):
    with get_db(app).session() as session:
        site = sites.create_site(session, name="S", origins=["https://www.itsworking.no"])
        _, bumped = store_scan(session, site, report([cookie("_ga", 63072000)]))
        assert bumped and site.revision == 2
        # Same cookie, seen first on another page, expiry a few seconds off: nothing visitors see.
        again = report([cookie("_ga", 63071996, seen="https://www.itsworking.no/om-oss",
                               set_by="https://www.googletagmanager.com/gtag/js")])
        _, bumped = store_scan(session, site, again)
        assert not bumped and site.revision == 2


def test_new_cookie_and_owner_override_bump_the_revision(app):
    with get_db(app).session() as session:
        site = sites.create_site(session, name="S", origins=["https://www.itsworking.no"])
        store_scan(session, site, report([cookie("_ga", 63072000)]))
        _, bumped = store_scan(session, site, report([cookie("_ga", 63072000), cookie("_fbp", 7776000)]))
        assert bumped and site.revision == 3
        session.add(Override(site_id=site.id, name="_fbp", match="exact", kind="cookie",
                             category="analytics", provider="Meta", purpose_nb="x", purpose_en="x"))
        session.flush()
        assert sites.refresh_revision(session, site) and site.revision == 4
        assert not sites.refresh_revision(session, site)
