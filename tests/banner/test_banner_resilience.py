"""Bad input and a missing server: an unknown category stays blocked, a choice made while the server
cannot be reached applies at once and reaches the real log later, a broken config never throws."""

from __future__ import annotations

import pytest
from banner_support import banner, ran, wait_records

pytestmark = pytest.mark.browser


def test_unknown_category_stays_blocked_with_one_warning(visit, pages):
    page = visit.open("/p/unknown.html")
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("ran.length === 1")
    wait_records(pages, page, 1)
    assert ran(page) == ["A"]
    warnings = [w for w in visit.warnings if "statistics" in w]
    assert len(warnings) == 1 and "stays blocked" in warnings[0]


def test_server_down_still_applies_the_choice_and_sends_it_later(visit, pages, consent_server):
    visit.allowed_errors.append("ERR_CONNECTION_REFUSED")
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    consent_server.stop()
    try:
        banner(page).get_by_role("button", name="Accept all").click()
        page.wait_for_function("ran.length === 3")
        page.wait_for_function("localStorage.getItem('consentkit:queue')")
        assert pages.records() == []
        page.locator("[data-consentkit-root]").get_by_role("button", name="Cookie settings").click()
        assert "Not recorded by the server yet" in banner(page).inner_text()
    finally:
        consent_server.start()
    page = visit.open("/p/shop.html")  # next load: the queued record goes out
    [record] = wait_records(pages, page, 1)
    assert record.method == "accept_all"
    page.wait_for_function("localStorage.getItem('consentkit:queue') === null")


def test_offline_choice_is_sent_once_back_online(visit, pages):
    visit.allowed_errors.append("ERR_INTERNET_DISCONNECTED")
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    visit.context.set_offline(True)
    banner(page).get_by_role("button", name="Reject all").click()
    page.wait_for_function("localStorage.getItem('consentkit:queue')")
    visit.context.set_offline(False)
    [record] = wait_records(pages, page, 1, timeout=20)
    assert record.method == "reject_all"


def test_no_endpoint_sends_nothing_and_bad_config_does_not_throw(visit, pages):
    pages.config = {"categories": ["analytics"], "endpoint": None, "lifetimeDays": "x", "languages": "en",
                    "hosts": None, "cookies": [None, 3]}
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("ran.length === 2")
    assert pages.records() == [] and page.evaluate("localStorage.length") == 0
    assert page.evaluate("ConsentKit.init({}) === undefined")  # a second init is ignored with a warning
    assert any("called twice" in w for w in visit.warnings)
