"""The banner as people see and use it: strict CSP, keyboard only, axe, no layout shift, languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from banner_support import Visit, banner, choices, expect_hidden, poll, ran, wait_records

pytestmark = pytest.mark.browser


def test_strict_csp_with_nonce(visit, pages):
    pages.use_site(categories=["analytics", "marketing"], appearance={"accent": "#7c2d12"})
    page = visit.open("/p/csp.html")
    dialog = banner(page)
    dialog.wait_for()
    accept = dialog.get_by_role("button", name="Accept all")
    assert accept.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(124, 45, 18)"
    assert dialog.evaluate("d => getComputedStyle(d).position") == "fixed"
    accept.click()
    poll(page, "ran.length === 2")  # wait_for_function would need unsafe-eval
    assert ran(page) == ["inline", "external"]
    wait_records(pages, page, 1)
    assert page.evaluate("violations") == []
    assert not [w for w in visit.warnings + visit.errors if "Content Security Policy" in w]


def focused(page) -> str:
    return page.evaluate("""() => { let a = document.activeElement;
        while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
        return (a.getAttribute('role') || a.tagName.toLowerCase()) + ':' +
               (a.getAttribute('aria-label') || (a.labels && a.labels[0] || a).textContent.trim()); }""")


def tab_to(page, target: str, limit: int = 30) -> list[str]:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(focused(page))
        if seen[-1] == target:
            return seen
    raise AssertionError(f"never reached {target}: {seen}")


def test_keyboard_only(visit, pages):
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    assert focused(page).startswith("dialog:")
    cycle = tab_to(page, "button:Customize")
    assert cycle == ["a:Cookie declaration", "a:Privacy policy", "button:Accept all", "button:Reject all",
                     "button:Customize"]
    page.keyboard.press("Tab")
    assert focused(page) == "a:Cookie declaration"  # focus stays in the banner until a choice
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "button:Customize"
    page.keyboard.press("Enter")
    assert banner(page).get_by_role("heading").inner_text() == "Cookie settings"
    tab_to(page, "switch:Statistics")
    page.keyboard.press("Space")
    assert banner(page).get_by_role("switch", name="Statistics").is_checked()
    tab_to(page, "button:Save choices")
    page.keyboard.press("Enter")
    expect_hidden(page)
    [record] = wait_records(pages, page, 1)
    assert choices(record) == {"functional": False, "analytics": True, "marketing": False}
    page.wait_for_function("ran.length === 2")
    tab_to(page, "button:Cookie settings")
    page.keyboard.press("Enter")
    assert banner(page).get_by_role("switch", name="Statistics").is_checked()
    page.keyboard.press("Escape")
    expect_hidden(page)
    assert focused(page) == "button:Cookie settings"


def axe_violations(page) -> list:
    import axe_playwright_python

    source = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    page.evaluate(source + "\n;0")
    return page.evaluate("() => axe.run(document).then(r => r.violations.map(v => [v.id, v.nodes.length]))")


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_reports_no_violation_on_either_layer(chromium, pages, width):
    v = Visit(chromium, pages, viewport={"width": width, "height": 640})
    try:
        page = v.open("/p/shop.html")
        banner(page).wait_for()
        assert axe_violations(page) == []
        box = banner(page).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        banner(page).get_by_role("button", name="Customize").click()
        for summary in banner(page).locator("summary").all():
            summary.click()
        assert axe_violations(page) == []
    finally:
        v.context.close()


def test_banner_causes_no_layout_shift(visit):
    visit.context.add_init_script("""window.cls = 0; new PerformanceObserver(l => l.getEntries()
        .forEach(e => { if (!e.hadRecentInput) window.cls += e.value; }))
        .observe({type: 'layout-shift', buffered: true});""")
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.evaluate("window.cls") == 0


@pytest.mark.parametrize(("lang", "locale", "accept", "save"), [
    ("nb", "en-US", "Godta alle", "Lagre valg"),
    ("nn", "en-US", "Godta alle", "Lagre val"),
    ("nb-NO", "en-US", "Godta alle", "Lagre valg"),
    ("no", "en-US", "Godta alle", "Lagre valg"),
    ("en-GB", "nb-NO", "Accept all", "Save choices"),
    ("de", "nn-NO", "Godta alle", "Lagre val"),  # not offered: the browser's language
    ("de", "de-DE", "Godta alle", "Lagre valg"),  # neither: the site default, nb
])
def test_language_from_html_lang_then_browser_then_site_default(chromium, pages, lang, locale, accept, save):
    v = Visit(chromium, pages, locale=locale)
    try:
        page = v.open(f"/p/shop.html?lang={lang}")
        banner(page).get_by_role("button", name=accept, exact=True).wait_for()
        banner(page).get_by_role("button", name="Tilpass" if accept != "Accept all" else "Customize").click()
        assert banner(page).get_by_role("button", name=save, exact=True).is_visible()
        assert v.unexpected_errors() == []
    finally:
        v.context.close()


def test_site_texts_override_and_missing_ones_fall_back(visit, pages):
    pages.config["texts"] = {"nb": {"title": "Småkaker?", "accept": None}, "en": "not an object"}
    page = visit.open("/p/shop.html?lang=nb")
    assert banner(page).get_by_role("heading").inner_text() == "Småkaker?"
    assert banner(page).get_by_role("button", name="Avvis alle").is_visible()


def test_the_served_banner_lists_each_cookies_details_from_the_server(visit, pages):
    """consent.js from `consentkit serve` carries names only; the view fetches the details."""
    pages.add_scan([{"name": "_ga", "domain": ".127.0.0.1", "party": "first", "lifetime_seconds": 63072000},
                    {"name": "_fbp", "domain": ".127.0.0.1", "party": "first", "lifetime_seconds": 7776000}])
    visit.context.route("https://*/**", lambda route: route.abort())
    page = visit.open("/p/vendors.html")
    banner(page).get_by_role("button", name="Customize").click()
    dialog = banner(page)
    dialog.locator("details").filter(has_text="Show cookies").first.locator("summary").click()
    row = dialog.locator("details[open] tbody tr").first
    assert row.locator("td").nth(1).inner_text() == "Google Analytics"
    assert row.locator("td").nth(2).inner_text()  # its purpose, in English
