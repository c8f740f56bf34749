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
