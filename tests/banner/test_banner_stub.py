"""The snippet as owners paste it: the inline stub, then consent.js async from the real server.

What must hold before the page's own scripts (Consent Mode's default, auto-blocking) is the stub's;
the core arrives later, takes over, holds the trackers and releases the rest. A returning visitor
with a valid choice fetches no view.
"""

from __future__ import annotations

from banner_support import banner, wait_records

VENDORS = ("https://www.googletagmanager.com/", "https://connect.facebook.net/")


def vendors(visit) -> list[str]:
    """Third-party scripts the page loads (answered here: no request leaves the machine)."""
    loaded: list[str] = []

    def answer(route) -> None:
        loaded.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body="window.ran.push('vendor');")

    visit.context.route("https://*/**", answer)
    return loaded


def held_core(visit, pages) -> list:
    """consent.js requests, held until the test lets them go: the page runs on without the core."""
    held: list = []
    visit.context.route(f"{pages.consent_origin}/v1/sites/*/consent.js", lambda route: held.append(route))
    return held


def test_defaults_and_blocking_hold_before_the_pages_own_scripts_run(visit, pages):
    pages.use_consent_mode()
    loaded = vendors(visit)
    held = held_core(visit, pages)
    page = visit.context.new_page()
    visit.watch(page)
    page.goto(f"http://127.0.0.1:{pages.port}/p/stub.html", wait_until="domcontentloaded")
    seen = page.evaluate("window.seen")
    assert seen["core"] is False  # the core is still on its way: what follows is the stub's doing
    (default,) = seen["dataLayer"]
    assert default["0"] == "consent" and default["1"] == "default"
    assert {default["2"][s] for s in ("ad_storage", "analytics_storage", "ad_user_data")} == {"denied"}
    assert seen["gtm"] == "text/plain" and seen["cdn"] == "text/plain"  # every other host waits
    assert page.evaluate("document.querySelector('script[src*=facebook]').type") == "text/plain"
    # The preload scanner may fetch the pixel the parser meets (it did with a blocking tag too); what
    # counts is that nothing runs, and that the tag manager, added by script, is not even requested.
    assert page.evaluate("window.ran") == [] and not any("googletagmanager" in u for u in loaded)
    for route in held:
        route.continue_()
    banner(page).wait_for()
    page.wait_for_function("window.ran.includes('B')")  # the CDN's script is no tracker: released
    assert page.evaluate("window.ran") == ["B"]  # the tag manager and the pixel still wait for consent
    assert not any("googletagmanager" in u for u in loaded)
    defaults = page.evaluate("dataLayer.filter((e) => e[0] === 'consent' && e[1] === 'default').length")
    assert defaults == 1  # the core saw the stub's default and did not push another
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("window.ran.filter((r) => r === 'vendor').length === 2")
    assert {u.split("/")[2] for u in loaded} == {"connect.facebook.net", "www.googletagmanager.com"}


def test_a_returning_visitor_with_a_choice_fetches_no_view(visit, pages):
    vendors(visit)
    views: list[str] = []
    visit.context.on("request", lambda r: "consentkit-ui.js" in r.url and views.append(r.url))
    page = visit.open("/p/stub.html")
    banner(page).get_by_role("button", name="Reject all").click()
    wait_records(pages, page, 1)
    assert len(views) == 1
    page = visit.open("/p/stub.html")
    page.wait_for_function("window.ran.includes('B')")
    reopen = page.locator("[data-consentkit-root]").get_by_role("button", name="Cookie settings")
    reopen.wait_for()
    assert views == [views[0]] and banner(page).count() == 0
    reopen.click()  # the settings are one click away: the view comes now
    assert banner(page).get_by_role("heading").inner_text() == "Cookie settings"
    assert len(views) == 2


def test_a_settings_link_opens_the_settings_before_the_view_was_fetched(visit, pages):
    vendors(visit)
    page = visit.open("/p/stub.html")
    banner(page).get_by_role("button", name="Accept all").click()
    wait_records(pages, page, 1)
    page = visit.open("/p/stub.html")
    page.wait_for_function("window.ConsentKit && ConsentKit.getConsent()")
    page.get_by_role("link", name="Cookie settings").click()
    assert banner(page).get_by_role("heading").inner_text() == "Cookie settings"


def test_the_core_boots_after_the_first_paint_and_keeps_what_was_asked_before(visit, pages):
    """The core waits for the page's first paint (held here by a stylesheet the test holds): until
    then the stub's hooks hold every other host, and an acceptAll() asked meanwhile is carried out
    at boot, logged like any choice."""
    loaded = vendors(visit)
    css: list = []
    visit.context.route("**/p/held.css", lambda route: css.append(route))
    page = visit.context.new_page()
    visit.watch(page)
    page.goto(f"http://127.0.0.1:{pages.port}/p/stub.html?css=1", wait_until="commit")
    page.wait_for_function("!!window.ConsentKit && window.ran", polling=50)  # the core has run
    assert css and page.evaluate("performance.getEntriesByType('paint').length") == 0
    assert page.evaluate("!!document.querySelector('[data-consentkit-root]')") is False  # not booted
    assert page.evaluate("document.querySelector('script[src*=googletagmanager]').type") == "text/plain"
    page.evaluate("ConsentKit.acceptAll()")
    assert pages.records() == [] and page.evaluate("ConsentKit.getConsent()") is None
    for route in css:
        route.fulfill(status=200, content_type="text/css", body="h1 { color: #123 }")
    (record,) = wait_records(pages, page, 1)
    assert record.method == "accept_all"
    page.wait_for_function("window.ran.filter((r) => r === 'vendor').length === 2")
    assert {u.split("/")[2] for u in loaded} == {"connect.facebook.net", "www.googletagmanager.com"}
