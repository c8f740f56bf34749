"""First visit, reject, accept, customize, revisit, a new revision, withdrawal: what runs, which
cookies stay, and what the real consent log holds afterwards."""

from __future__ import annotations

import re

import pytest
from banner_support import banner, choices, cookie_names, expect_hidden, ran, wait_records

pytestmark = pytest.mark.browser
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_first_visit_shows_banner_and_holds_everything(visit):
    page = visit.open("/p/shop.html")
    dialog = banner(page)
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.get_by_role("dialog", name="We use cookies").is_visible()
    for name in ("Accept all", "Reject all", "Customize"):
        assert dialog.get_by_role("button", name=name).is_visible()
    link = dialog.get_by_role("link", name="Cookie declaration")
    assert link.get_attribute("href") == "/p/declaration.html?lang=en"  # the visitor's language
    assert dialog.get_by_role("link", name="Privacy policy").is_visible()
    assert ran(page) == []
    assert cookie_names(visit) == set()
    assert page.locator("iframe[title='Product video']").get_attribute("src") is None
    assert page.get_by_role("button", name="Allow marketing").is_visible()
    assert page.evaluate("ConsentKit.getConsent()") is None
    granted = page.evaluate("[ConsentKit.accepted('necessary'), ConsentKit.accepted('analytics')]")
    assert granted == [True, False]
    assert page.evaluate("events") == [["ready", None]]


def test_accept_and_reject_look_the_same(visit):
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    style = """b => { const s = getComputedStyle(b); const r = b.getBoundingClientRect();
        return [s.backgroundColor, s.color, s.borderColor, s.fontSize, s.fontWeight, Math.round(r.width),
                Math.round(r.height)]; }"""
    accept = banner(page).get_by_role("button", name="Accept all").evaluate(style)
    reject = banner(page).get_by_role("button", name="Reject all").evaluate(style)
    assert accept == reject


def test_reject_runs_nothing_sets_no_tracking_cookie_and_logs(visit, pages):
    page = visit.open("/p/shop.html?utm_source=x")
    banner(page).get_by_role("button", name="Reject all").click()
    expect_hidden(page)
    [record] = wait_records(pages, page, 1)
    assert ran(page) == []
    assert cookie_names(visit) == {"consentkit"}
    consent = page.evaluate("ConsentKit.getConsent()")
    assert UUID.match(record.consent_id) and record.consent_id == consent["consentId"]
    assert choices(record) == {"functional": False, "analytics": False, "marketing": False}
    fields = (record.method, record.revision, record.language, record.banner_version, record.gpc, record.seq)
    assert fields == ("reject_all", 1, "en", "0.1.0", False, 1)
    assert record.page_url == f"http://127.0.0.1:{pages.port}/p/shop.html"  # no query: it can carry data
    assert consent["method"] == "reject_all" and consent["revision"] == 1
    page.wait_for_function("ConsentKit.getConsent().receipt")  # the server's proof came back
    assert page.evaluate("events.map(e => e[0])") == ["ready", "change"]
    assert page.locator("[data-consentkit-root]").get_by_role("button", name="Cookie settings").is_visible()


def test_accept_runs_each_script_once_in_document_order(visit, pages):
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("ran.length === 3")
    assert ran(page) == ["A", "B", "C"]
    assert {"_ga", "_ga_XYZ", "_fbp", "consentkit"} <= cookie_names(visit)
    frame = page.locator("iframe[title='Product video']")
    assert frame.get_attribute("src") == "/p/frame.html" and frame.is_visible()
    assert page.locator(".consentkit-ph").count() == 0
    page.evaluate("ConsentKit.acceptAll()")
    page.evaluate("ConsentKit.show()")
    banner(page).get_by_role("button", name="Save choices").click()
    records = wait_records(pages, page, 3)
    assert ran(page) == ["A", "B", "C"]
    assert [r.method for r in records] == ["accept_all", "accept_all", "custom"]
    assert choices(records[0]) == {"functional": True, "analytics": True, "marketing": True}
    assert [r.seq for r in records] == [1, 2, 3] and len({r.consent_id for r in records}) == 1


def test_revisit_shows_no_banner_and_runs_granted_scripts(visit, pages):
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Accept all").click()
    wait_records(pages, page, 1)
    page.wait_for_function("ConsentKit.getConsent().receipt")
    consent = page.evaluate("ConsentKit.getConsent()")
    page = visit.open("/p/shop.html")
    page.wait_for_function("ran.length === 3")
    assert ran(page) == ["A", "B", "C"]
    assert banner(page).count() == 0
    assert page.evaluate("ConsentKit.getConsent()") == consent
    assert page.evaluate("events") == [["ready", consent]]
    page.locator("[data-consentkit-root]").get_by_role("button", name="Cookie settings").click()
    dialog = banner(page)
    assert dialog.get_by_role("heading").inner_text() == "Cookie settings"
    assert consent["consentId"] in dialog.inner_text()


def test_customize_grants_only_what_was_switched_on(visit, pages):
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Customize").click()
    dialog = banner(page)
    necessary = dialog.get_by_role("switch", name="Necessary")
    assert necessary.is_checked() and necessary.is_disabled()
    for name in ("Functional", "Statistics", "Marketing"):
        assert not dialog.get_by_role("switch", name=name).is_checked()
    dialog.get_by_text("Show cookies (2)").click()
    table = dialog.locator("details[open] table")
    assert table.locator("tbody tr").first.inner_text().split("\t") == [
        "_ga", "Google Analytics", "Distinguishes visitors", "2 years"]
    assert "_ga_*" in table.inner_text()
    dialog.get_by_role("switch", name="Statistics").check()
    dialog.get_by_role("button", name="Save choices").click()
    page.wait_for_function("ran.length === 2")
    [record] = wait_records(pages, page, 1)
    assert ran(page) == ["A", "B"]
    assert record.method == "custom"
    assert choices(record) == {"functional": False, "analytics": True, "marketing": False}
    assert page.get_by_role("button", name="Allow marketing").is_visible()
    page.get_by_role("button", name="Allow marketing").click()
    page.wait_for_function("ran.length === 3")
    assert page.locator("iframe[title='Product video']").get_attribute("src") == "/p/frame.html"
    records = wait_records(pages, page, 2)
    assert choices(records[1]) == {"functional": False, "analytics": True, "marketing": True}


def test_revision_bump_asks_again_with_the_same_consent_id(visit, pages):
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Accept all").click()
    wait_records(pages, page, 1)
    page.wait_for_function("ConsentKit.getConsent().receipt")
    first = page.evaluate("ConsentKit.getConsent()")
    assert pages.bump_revision() == 2
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    assert ran(page) == []
    banner(page).get_by_role("button", name="Reject all").click()
    second = page.evaluate("ConsentKit.getConsent()")
    assert second["revision"] == 2 and second["consentId"] == first["consentId"]
    records = wait_records(pages, page, 2)
    assert [(r.consent_id, r.seq, r.revision) for r in records] == [
        (first["consentId"], 1, 1), (first["consentId"], 2, 2)]


@pytest.mark.parametrize("value", ["garbage%%%", "%7B%22i%22%3A1%7D", "%7B%22foreign%22%3Atrue%7D"])
def test_corrupted_or_foreign_cookie_is_discarded(visit, pages, value):
    visit.context.add_cookies([{"name": "consentkit", "value": value, "url": f"http://127.0.0.1:{pages.port}/"}])
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    assert page.evaluate("ConsentKit.getConsent()") is None
    banner(page).get_by_role("button", name="Accept all").click()
    assert UUID.match(page.evaluate("ConsentKit.getConsent().consentId"))
    wait_records(pages, page, 1)


def test_withdraw_deletes_that_categorys_cookies_on_every_parent_domain(visit, pages):
    page = visit.open("/p/shop.html", host="www.shop.test")
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("ran.length === 3")
    jar = {(c["name"], c["domain"]) for c in visit.context.cookies()}
    assert {("_ga", "www.shop.test"), ("_ga", ".shop.test"), ("_ga_XYZ", "www.shop.test"),
            ("_fbp", "www.shop.test")} <= jar
    page.get_by_role("link", name="Cookie settings").click()
    dialog = banner(page)
    dialog.get_by_role("switch", name="Statistics").uncheck()
    dialog.get_by_role("button", name="Save choices").click()
    assert cookie_names(visit) == {"consentkit", "_fbp"}
    page.evaluate("ConsentKit.withdraw()")
    assert cookie_names(visit) == {"consentkit"}
    records = wait_records(pages, page, 3)
    assert [r.method for r in records] == ["accept_all", "custom", "withdraw"]
    assert choices(records[2]) == {"functional": False, "analytics": False, "marketing": False}
    assert page.evaluate("ConsentKit.accepted('marketing')") is False


def test_unclassified_items_are_listed_under_the_strictest_category_and_deleted(visit, pages):
    pages.config["cookies"] = [*pages.config["cookies"],
                               {"name": "zq_mystery", "kind": "cookie", "category": "marketing",
                                "unclassified": True, "provider": "", "purpose": {}}]
    visit.context.add_cookies([{"name": "zq_mystery", "value": "1", "url": f"http://127.0.0.1:{pages.port}/"}])
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Customize").click()
    dialog = banner(page)
    dialog.get_by_text("Show cookies (2)").last.click()
    row = dialog.locator("details[open] tr", has_text="zq_mystery")
    assert "Not yet classified, so it waits for your consent." in row.inner_text()
    dialog.get_by_role("button", name="Reject all").click()
    assert "zq_mystery" not in cookie_names(visit)
    wait_records(pages, page, 1)
