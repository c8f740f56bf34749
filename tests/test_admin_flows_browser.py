"""The admin's new flows in real Chromium against `consentkit serve`: every page axe-core clean and
usable 375 px wide; users, roles and sessions; the review queue with a pattern; the banner editor's
live preview of the real banner; the charts; deleting a site. Nothing is loaded from elsewhere."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import insert

from consentkit.admin.testing import PASSWORD, USERNAME, create_admin
from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.models import ConsentRecord
from consentkit.sites.registry import create_site
from tests.admin_support import ORIGIN, add_scan, scanned_cookie
from tests.admin_support import sign_in_page as sign_in

pytestmark = pytest.mark.browser

NAMES = ("zq_visit_a1b2", "zq_visit_c3d4", "mystery_pref")
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def site_key(sqlite_url, tmp_path) -> str:
    """An owner, a viewer, a scanned site with three unknown cookies and 90 days of consents."""
    app = create_app(
        {"DATABASE_URL": sqlite_url, "SECRET_KEY": "setup"}, instance_path=str(tmp_path / "setup")
    )
    create_admin(app)
    create_admin(app, "reader", PASSWORD, "viewer")
    today = datetime.now(UTC).date()
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Example", origins=[ORIGIN], rescan="weekly")
        add_scan(session, site, [scanned_cookie(n) for n in NAMES],
                 [{"kind": "cookie", "name": "zq_visit_a1b2", "category": "analytics", "phase": "before"}])
        rows = [
            {
                "site_id": site.id,
                "consent_id": str(uuid.uuid4()),
                "seq": 1,
                "method": method,
                "created_at": datetime.combine(today - timedelta(days=n), datetime.min.time())
                + timedelta(hours=h),
                "functional": method == "accept_all",
                "analytics": method == "accept_all",
                "marketing": method == "accept_all",
                "revision": site.revision,
                "revision_hash": "x" * 64,
                "language": "nb",
            }
            for n in range(90)
            for h, method in enumerate(("accept_all", "reject_all", "custom"))
        ]
        session.execute(insert(ConsentRecord), rows)
        key = site.key
    get_db(app).dispose()
    return key


@pytest.fixture
def server(live_server):
    return live_server


def watch(page: Page, base: str) -> list[str]:
    """Requests to anything but our server, and page errors: both must stay empty."""
    bad: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base, "data:", "about:")) else bad.append(r.url))
    page.on("pageerror", lambda e: bad.append(f"error: {e}"))
    return bad


def assert_clean(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_fits(page: Page) -> None:
    """Nothing makes the page itself scroll sideways (wide tables scroll inside their box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_every_admin_page_is_axe_clean_and_fits_a_phone(browser: Browser, server, site_key):
    base = server.url
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        outside = watch(page, base)
        sign_in(page, base)
        for path in (
            "/admin/",
            "/admin/sites",
            f"/admin/sites/{site_key}",
            f"/admin/sites/{site_key}/stats",
            f"/admin/sites/{site_key}/stats?last=1096",
            f"/admin/sites/{site_key}/inventory",
            f"/admin/sites/{site_key}/consents",
            f"/admin/sites/{site_key}/scans",
            f"/admin/sites/{site_key}/banner",
            f"/admin/sites/{site_key}/edit",
            f"/admin/sites/{site_key}/delete",
            "/admin/users",
        ):
            page.goto(base + path)
            expect(page.locator("h1").first).to_be_visible()
            assert_clean(page)
            assert_fits(page)
        assert outside == []
        context.close()


def test_users_roles_and_sessions_in_the_browser(browser: Browser, server, site_key):
    base = server.url
    owner = browser.new_context(viewport=PHONE).new_page()
    sign_in(owner, base, "/admin/users")
    owner.get_by_label("Username").fill("kari")
    owner.get_by_label("Password (at least 12 characters)").fill("short")
    owner.get_by_role("button", name="Add user").click()
    expect(owner.locator(".error")).to_contain_text("at least 12")
    owner.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    owner.get_by_label("Role").last.select_option("viewer")
    owner.get_by_role("button", name="Add user").click()
    expect(owner.get_by_role("status")).to_contain_text("Added kari (viewer)")
    expect(owner.locator('tr[data-user="kari"]')).to_be_visible()

    viewer = browser.new_context().new_page()
    sign_in(viewer, base, f"/admin/sites/{site_key}/consents", user="kari")
    expect(viewer.locator("[data-export]")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Users")).to_have_count(0)
    assert viewer.request.get(f"{base}/admin/sites/{site_key}/export.csv").status == 403

    owner.reload()
    session_row = owner.locator("tr[data-session]", has_text="kari")
    expect(session_row).to_have_count(1)
    session_row.get_by_role("button", name=re.compile("End session")).click()
    expect(owner.get_by_role("status")).to_contain_text("Session ended")
    viewer.goto(f"{base}/admin/sites")
    expect(viewer).to_have_url(re.compile(r"/admin/login"))

    row = owner.locator('tr[data-user="kari"]')
    row.get_by_label("New password for kari").fill("a brand new passphrase")
    row.get_by_role("button", name="Reset password").click()
    expect(owner.get_by_role("status")).to_contain_text("New password set for kari")
    owner.locator('tr[data-user="kari"]').get_by_role("button", name="Remove kari").click()
    expect(owner.get_by_role("status")).to_contain_text("Removed kari")
    owner_row = owner.locator(f'tr[data-user="{USERNAME}"]')
    owner_row.get_by_label(f"Role of {USERNAME}", exact=True).select_option("viewer")
    owner_row.get_by_role("button", name=f"Save role of {USERNAME}").click()
    expect(owner.locator(".flash-error")).to_contain_text("only owner")
    assert_clean(owner)


def test_review_queue_with_a_pattern_in_the_browser(page: Page, server, site_key):
    base = server.url
    page.set_viewport_size(PHONE)
    sign_in(page, base, f"/admin/sites/{site_key}/inventory")
    item = page.locator('form[data-queue-item="zq_visit_a1b2"]')
    expect(item.get_by_label("Category")).to_have_value("")
    expect(item.locator(".suggestion")).to_contain_text("Why:")
    item.get_by_label("Purpose (English)").fill("Counts visits")
    item.get_by_role("button", name="Save classification").click()
    expect(page.locator(".flash-error")).to_contain_text("choose a category")
    item = page.locator('form[data-queue-item="zq_visit_a1b2"]')
    expect(item.get_by_label("Purpose (English)")).to_have_value("Counts visits")
    item.get_by_label("Category").select_option("analytics")
    item.get_by_label("Apply to").select_option("prefix")
    expect(item.get_by_label("Pattern (a name ending in *)")).to_have_value("zq_visit_*")
    item.get_by_role("button", name="Save classification").click()
    expect(page.get_by_role("status")).to_contain_text("2 item(s) matching zq_visit_* are now analytics")
    expect(page.locator("[data-queue-count]")).to_have_text("1")
    expect(page.locator('tr[data-event="zq_visit_"]')).to_contain_text(USERNAME)
    assert_clean(page)
    assert_fits(page)


def test_banner_editor_previews_the_real_banner_live_and_guards_reject(page: Page, server, site_key):
    base = server.url
    outside = watch(page, base)
    sign_in(page, base, f"/admin/sites/{site_key}/banner")
    english = page.frame_locator('iframe[data-preview="en"]')
    expect(english.get_by_role("button", name="Reject all")).to_be_visible()
    page.get_by_label("Title (English)", exact=True).fill("Cookies, briefly")
    expect(english.get_by_role("heading", name="Cookies, briefly")).to_be_visible()  # live, unsaved
    bokmal = page.frame_locator('iframe[data-preview="nb"]')
    expect(bokmal.get_by_role("button", name="Avvis alle")).to_be_visible()
    page.locator('iframe[data-preview="en"]').scroll_into_view_if_needed()
    english.get_by_role("button", name="Reject all").click()  # records nothing; the page stays usable
    page.get_by_label("Accent colour (buttons and links)").fill("#fde047")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-problem]").first).to_contain_text("Choose a darker colour")
    expect(page.get_by_label("Title (English)", exact=True)).to_have_value("Cookies, briefly")
    page.get_by_label("Accent colour (buttons and links)").fill("#0f5132")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-confirm-bump]")).to_contain_text("Visitors will be asked again")
    page.get_by_role("button", name="Save and ask every visitor again").click()
    expect(page.get_by_role("status")).to_contain_text("visitors will be asked again")
    script = page.request.get(f"{base}/v1/sites/{site_key}/consent.js").text()
    assert "Cookies, briefly" in script and "#0f5132" in script
    assert outside == []


def test_charts_and_deleting_a_site_in_the_browser(page: Page, server, site_key, tmp_path):
    base = server.url
    sign_in(page, base, f"/admin/sites/{site_key}/stats?last=1")
    expect(page.locator("[data-unit]")).to_have_attribute("data-unit", "day")
    expect(page.locator('figure[data-chart="methods"] rect')).to_have_count(3)
    expect(page.locator('figure[data-chart="rates"] circle')).to_have_count(3)
    page.get_by_role("link", name="90 days").click()
    expect(page.locator("[data-unit]")).to_have_attribute("data-unit", "week")
    with page.expect_download() as download:
        page.locator('[data-csv="rates"]').click()
    path = tmp_path / "rates.csv"
    download.value.save_as(path)
    assert path.read_text().startswith("start,end,unit,functional_asked")

    page.goto(f"{base}/admin/sites/{site_key}")
    expect(page.locator("[data-overview] [data-violations]").first).to_have_attribute("data-violations", "1")
    page.get_by_role("link", name=re.compile("Delete Example")).click()
    with page.expect_download() as download:
        page.locator('[data-export="csv"]').click()
    exported = tmp_path / "log.csv"
    download.value.save_as(exported)
    assert len(exported.read_text().splitlines()) == 1 + 270
    page.get_by_label("Type the site's key to confirm").fill("wrong")
    page.get_by_role("button", name="Delete Example for good").click()
    expect(page.locator(".error")).to_contain_text("type the site key")
    page.get_by_label("Type the site's key to confirm").fill(site_key)
    page.get_by_role("button", name="Delete Example for good").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted Example and its 270 consent record(s)")
    expect(page.locator(f'tr[data-site="{site_key}"]')).to_have_count(0)
