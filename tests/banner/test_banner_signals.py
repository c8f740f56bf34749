"""Google Consent Mode v2 and Global Privacy Control, with what the real log records for GPC."""

from __future__ import annotations

import pytest
from banner_support import banner, choices, ran, wait_records

pytestmark = pytest.mark.browser

DATALAYER = """() => dataLayer.map(e => (e && typeof e.length === 'number' && typeof e !== 'string')
    ? Array.from(e) : e)"""
DENIED = {"ad_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
          "analytics_storage": "denied", "functionality_storage": "denied",
          "personalization_storage": "denied"}
GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"


def test_consent_mode_default_comes_before_any_tag_and_update_after_each_choice(visit, pages):
    pages.config["consentMode"] = True
    page = visit.open("/p/gtag.html")
    banner(page).wait_for()
    layer = page.evaluate(DATALAYER)
    default = {**DENIED, "security_storage": "granted", "wait_for_update": 500}
    assert layer[0] == ["consent", "default", default]
    assert [e[0] for e in layer] == ["consent", "js", "config"]
    banner(page).get_by_role("button", name="Customize").click()
    banner(page).get_by_role("switch", name="Statistics").check()
    banner(page).get_by_role("button", name="Save choices").click()
    update, event = page.evaluate(DATALAYER)[3:]
    assert update == ["consent", "update", {**DENIED, "analytics_storage": "granted"}]
    assert event == {"event": "consentkit_consent",
                     "consentkit": {"functional": False, "analytics": True, "marketing": False}}
    wait_records(pages, page, 1)
    page = visit.open("/p/gtag.html")  # revisit: the stored choice is applied before the tags too
    layer = page.evaluate(DATALAYER)
    assert [(e["event"] if isinstance(e, dict) else e[:2] if e[0] == "consent" else e[0]) for e in layer] == [
        ["consent", "default"], ["consent", "update"], "consentkit_consent", "js", "config"]


def test_gpc_denies_marketing_without_asking(visit, pages):
    visit.context.add_init_script(GPC_ON)
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Customize").click()
    marketing = banner(page).get_by_role("switch", name="Marketing")
    assert marketing.is_disabled() and not marketing.is_checked()
    assert "Global Privacy Control" in banner(page).inner_text()
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("ran.length === 2")
    [record] = wait_records(pages, page, 1)  # the server took it: an accept_all under GPC
    assert ran(page) == ["A", "B"]
    assert record.gpc is True and record.method == "accept_all"
    assert choices(record) == {"functional": True, "analytics": True, "marketing": False}


def test_gpc_covering_every_category_records_without_a_banner(visit, pages):
    pages.use_site(gpc="marketing_analytics", categories=["analytics", "marketing"])
    visit.context.add_init_script(GPC_ON)
    page = visit.open("/p/shop.html")
    page.wait_for_function("events.length === 1")
    assert banner(page).count() == 0
    [record] = wait_records(pages, page, 1)
    assert record.method == "gpc" and record.gpc is True
    assert choices(record) == {"analytics": False, "marketing": False}
    assert ran(page) == []


def test_gpc_ignored_when_the_site_says_so(visit, pages):
    pages.use_site(gpc="ignore")
    visit.context.add_init_script(GPC_ON)
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("ran.length === 3")
    [record] = wait_records(pages, page, 1)
    assert record.gpc is True
    assert choices(record) == {"functional": True, "analytics": True, "marketing": True}
