"""Auto-blocking: scripts and iframes from a held host, added later by other scripts, wait for consent."""

from __future__ import annotations

import pytest
from banner_support import banner

pytestmark = pytest.mark.browser


def test_dynamically_inserted_tracker_is_held_until_consent(visit, pages):
    pages.config["hosts"] = {"analytics": ["tracker.test"]}
    visit.context.route("**/*", lambda route: route.continue_())  # lets us see every request below
    requests: list[str] = []
    page = visit.context.new_page()
    visit.watch(page)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"http://www.shop.test:{pages.port}/p/dynamic.html", wait_until="load")
    page.wait_for_function("document.querySelector('script[data-consentkit-auto]')")
    assert page.evaluate("window.trackerRan") is None
    assert not [u for u in requests if "tracker.test" in u]
    held = page.locator("script[data-consentkit-auto]")
    assert held.get_attribute("type") == "text/plain" and held.get_attribute("data-consentkit") == "analytics"
    assert page.locator("iframe[title=Ad]").get_attribute("src") is None
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("window.trackerRan === 1 && window.trackerOnload === true")
    page.wait_for_function("document.querySelector('iframe[title=Ad]').getAttribute('src')")
    page.evaluate("addTracker()")  # granted now: goes straight through
    page.wait_for_function("window.trackerRan === 2")


def test_parser_inserted_tracker_script_after_the_banner_is_held(visit, pages):
    """Best effort (see banner/README.md): the MutationObserver retypes it before Chromium runs it."""
    page = visit.open("/p/untagged.html", host="www.shop.test")
    banner(page).wait_for()
    assert page.evaluate("window.trackerRan") is None
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("window.trackerRan === 1")


def test_trackers_inside_inserted_html_are_held_until_consent(visit, pages):
    """innerHTML, insertAdjacentHTML, outerHTML, createContextualFragment and document.write: the
    scripts and iframes inside the HTML are held like single elements."""
    requests: list[str] = []
    visit.context.on("request", lambda r: requests.append(r.url))
    page = visit.open("/p/subtree.html", host="www.shop.test")
    banner(page).wait_for()
    assert not [u for u in requests if "tracker.test" in u], requests
    assert page.evaluate("window.trackerRan") is None
    for title in ("Inner", "Adjacent", "Outer"):
        frame = page.locator(f"iframe[title={title}]")
        assert frame.get_attribute("src") is None and frame.get_attribute("data-consentkit") == "analytics"
    assert page.locator("script[data-consentkit-auto]").count() == 2
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("window.trackerRan === 2")  # the written one and the fragment's
    for title in ("Inner", "Adjacent", "Outer"):
        page.wait_for_function(f"document.querySelector('iframe[title={title}]').getAttribute('src')")


VENDORS = {"https://www.googletagmanager.com/gtm.js?id=GTM-TEST": "gtm",
           "https://connect.facebook.net/en_US/fbevents.js": "pixel",
           "https://static.hotjar.com/c/hotjar-1.js?sv=6": "replay"}


def test_a_site_never_scanned_holds_every_tracker_the_knowledge_base_knows(visit, pages):
    """The real consent.js of a site with no scan, from `consentkit serve`: a tag manager, a pixel and
    a session-replay loader, added the way their snippets add them, wait for consent."""
    loaded: list[str] = []

    def vendor(route) -> None:
        loaded.append(route.request.url)
        flag = VENDORS.get(route.request.url, "other")
        route.fulfill(status=200, content_type="text/javascript", body=f"window.ran.push('{flag}');")

    visit.context.route("https://*/**", vendor)
    page = visit.open("/p/vendors.html")
    banner(page).wait_for()
    assert loaded == [] and page.evaluate("window.ran") == []
    banner(page).get_by_role("button", name="Reject all").click()
    page.evaluate("new Promise(r => setTimeout(r, 0))")
    assert loaded == []
    page.evaluate("ConsentKit.acceptAll()")
    page.wait_for_function("window.ran.length === 3")
    assert sorted(page.evaluate("window.ran")) == ["gtm", "pixel", "replay"]
