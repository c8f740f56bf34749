"""Scans in the admin UI: history, a scan's inventory and violations, the queue of unclassified items,
reclassification (an Override that bumps the revision) and a scan started in the background."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from consentkit.admin.testing import csrf_token, signed_in_client
from consentkit.db import get_db
from consentkit.models import Job, Override, Scan, Site, utcnow
from consentkit.sites.registry import add_origins, create_site, get_site, refresh_revision
from tests.workers import Stack, WorkerProcess, wait_until

HOSTILE = "<img src=x onerror=alert(1)>"
ORIGIN = "https://www.example.no"


def report(*names: str, violations: tuple[str, ...] = ()) -> dict:
    cookies = [{"name": n, "domain": "www.example.no", "path": "/", "lifetime_seconds": 86400 * 400,
                "party": "first", "first_seen_url": f"{ORIGIN}/", "set_by": f"{ORIGIN}/app.js",
                "phases": ["before"]} for n in names]
    return {"version": 1, "url": f"{ORIGIN}/", "cookies": cookies, "storage": [], "requests": [],
            "violations": [{"kind": "cookie", "name": n, "domain": "www.example.no", "category": "analytics",
                            "phase": "before", "page": f"{ORIGIN}/", "set_by": f"{ORIGIN}/app.js"}
                           for n in violations]}


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Example", origins=[ORIGIN])
        session.add(Scan(site_id=site.id, url=f"{ORIGIN}/", status="done", pages_done=3,
                         started_at=utcnow() - timedelta(minutes=5), finished_at=utcnow(),
                         report=report("_ga", HOSTILE, "mystery_pref", violations=("_ga",))))
        session.flush()
        refresh_revision(session, site)
        return site.key


@pytest.fixture
def admin(app):
    return signed_in_client(app)


def served_revision(client, key: str) -> int:
    """The revision in the consent.js this process serves for the site."""
    script = client.get(f"/v1/sites/{key}/consent.js").get_data(as_text=True)
    return int(re.search(r'ConsentKit\.init\(\{.*?"revision":(\d+)', script, re.S).group(1))


def scan_id(app, key: str) -> int:
    with app.app_context(), get_db(app).session() as session:
        return session.scalar(select(Scan.id).join(Site).where(Site.key == key))


def test_history_and_a_scan_with_its_violations(app, admin, site_key):
    history = admin.get(f"/admin/sites/{site_key}/scans").get_data(as_text=True)
    assert f'data-scan="{scan_id(app, site_key)}"' in history and 'http-equiv="refresh"' not in history
    page = admin.get(f"/admin/sites/{site_key}/scans/{scan_id(app, site_key)}").get_data(as_text=True)
    assert "Consent violations (1)" in page
    assert re.search(r'<tr data-item="_ga" class="cat-analytics violation">', page)
    assert 'data-category="unclassified"' in page and 'data-category="analytics"' in page
    assert "13 months" in page or "1 year" in page
    assert admin.get(f"/admin/sites/{site_key}/scans/999").status_code == 404


@pytest.mark.parametrize("page", ["scans/{id}", "inventory", "scans", "consents"])
def test_a_hostile_cookie_name_is_only_ever_text(app, admin, site_key, page):
    html = admin.get(f"/admin/sites/{site_key}/" + page.format(id=scan_id(app, site_key))).get_data(
        as_text=True)
    assert HOSTILE not in html
    if page.startswith("scans/") or page == "inventory":
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_reclassifying_an_unknown_cookie_stores_an_override_and_bumps_the_revision(app, admin, site_key):
    page = admin.get(f"/admin/sites/{site_key}/inventory").get_data(as_text=True)
    assert 'data-queue-item="mystery_pref"' in page
    form = re.search(r'<form[^>]*data-queue-item="mystery_pref".*?</form>', page, re.S).group(0)
    prefix = re.search(r'name="prefix" value="(\w+)"', form).group(1)
    with app.app_context(), get_db(app).session() as session:
        before = get_site(session, site_key).revision
    assert served_revision(admin, site_key) == before  # now in this process's site cache
    response = admin.post(f"/admin/sites/{site_key}/overrides", data={
        "prefix": prefix, f"{prefix}-csrf_token": csrf_token(admin, f"/admin/sites/{site_key}/inventory"),
        f"{prefix}-name": "mystery_pref", f"{prefix}-kind": "cookie", f"{prefix}-match": "exact",
        f"{prefix}-category": "functional", f"{prefix}-provider": "Example AS",
        f"{prefix}-purpose_en": "Remembers the chosen theme", f"{prefix}-purpose_nb": "Husker valgt tema"})
    assert response.status_code == 302
    with app.app_context(), get_db(app).session() as session:
        site = get_site(session, site_key)
        [override] = session.scalars(select(Override).where(Override.site_id == site.id))
        assert (override.name, override.category, override.purpose_nb) == (
            "mystery_pref", "functional", "Husker valgt tema")
        assert site.revision == before + 1
    assert served_revision(admin, site_key) == before + 1  # at once, not after the cache expires
    after = admin.get(f"/admin/sites/{site_key}/inventory").get_data(as_text=True)
    assert 'data-queue-item="mystery_pref"' not in after
    assert re.search(r'data-item="mystery_pref" class="cat-functional', after)
    assert 'data-override="mystery_pref"' in after


def test_an_override_without_csrf_or_with_a_bad_category_is_refused(app, admin, site_key):
    response = admin.post(f"/admin/sites/{site_key}/overrides", data={"name": "x", "category": "necessary"})
    assert response.status_code == 400
    token = csrf_token(admin, f"/admin/sites/{site_key}/inventory")
    response = admin.post(f"/admin/sites/{site_key}/overrides", data={
        "csrf_token": token, "name": "x", "kind": "cookie", "match": "exact", "category": "harmless",
        "purpose_en": "p"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context(), get_db(app).session() as session:
        assert session.scalars(select(Override)).all() == []


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"<!doctype html><title>t</title><p>hello</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Set-Cookie", "bg_test=1; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_scan_now_without_a_worker_says_none_is_running(app, admin, site_key):
    token = csrf_token(admin, f"/admin/sites/{site_key}/scans")
    response = admin.post(f"/admin/sites/{site_key}/scans",
                          data={"csrf_token": token, "url": "", "max_pages": "1"})
    assert response.status_code == 302
    page = admin.get(response.location).get_data(as_text=True)
    assert "queued as job" in page and "data-no-worker" in page and 'http-equiv="refresh"' in page
    with app.app_context(), get_db(app).session() as session:
        (job,) = session.scalars(select(Job)).all()
    assert (job.status, job.trigger, job.urls) == ("queued", "admin", [f"{ORIGIN}/"])


def test_scan_now_refuses_a_url_on_another_origin(app, admin, site_key):
    token = csrf_token(admin, f"/admin/sites/{site_key}/scans")
    response = admin.post(f"/admin/sites/{site_key}/scans",
                          data={"csrf_token": token, "url": "https://elsewhere.example/", "max_pages": "1"})
    page = admin.get(response.location).get_data(as_text=True)
    assert "is not on an origin of site" in page and "--add-origin https://elsewhere.example" in page
    with app.app_context(), get_db(app).session() as session:
        assert session.scalars(select(Job)).all() == []


@pytest.mark.slow
@pytest.mark.browser
def test_scan_now_is_a_job_that_a_worker_runs(app, admin, site_key):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    worker = WorkerProcess(Stack.of(app)).start()
    try:
        with app.app_context(), get_db(app).session() as session:
            add_origins(get_site(session, site_key), [origin])
        token = csrf_token(admin, f"/admin/sites/{site_key}/scans")
        response = admin.post(f"/admin/sites/{site_key}/scans",
                              data={"csrf_token": token, "url": origin + "/", "max_pages": "1"})
        assert response.status_code == 302
        assert 'http-equiv="refresh"' in admin.get(response.location).get_data(as_text=True)
        wait_until(lambda: scans_of(app, origin) and scans_of(app, origin)[0].status != "running",
                   worker, what="the scan finished")
    finally:
        worker.stop()
        server.shutdown()
        server.server_close()
    (scan,) = scans_of(app, origin)
    assert scan.status == "done", scan.error
    page = admin.get(f"/admin/sites/{site_key}/scans/{scan.id}").get_data(as_text=True)
    assert "bg_test" in page and "data-diff" in page and "The first scan of this origin" in page
    history = admin.get(f"/admin/sites/{site_key}/scans").get_data(as_text=True)
    assert "data-no-worker" not in history and 'class="status-done"' in history


def scans_of(app, origin: str) -> list[Scan]:
    with app.app_context(), get_db(app).session() as session:
        rows = session.scalars(select(Scan).where(Scan.url == origin + "/")).all()
        session.expunge_all()
        return list(rows)
