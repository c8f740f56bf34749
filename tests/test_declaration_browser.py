"""The declaration in a real Chromium: accessibility (axe-core), escaping, print, and the embed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sites import FixtureServer
from werkzeug.wrappers import Request, Response

from consentkit import migrate
from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.models import Scan
from consentkit.sites import registry as sites
from scanner.browser import launch_options
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

EVIL = "<script>alert(1)</script>"
OWNER_HOST = "owner.test"


def cookie(name: str, domain: str, lifetime: float | None, party: str = "first") -> dict:
    return {"name": name, "domain": domain, "path": "/", "lifetime_seconds": lifetime, "party": party,
            "http_only": False, "secure": False, "same_site": "Lax", "first_seen_url": "",
            "set_by": "", "phases": ["before_consent"]}


class OwnerSite:
    """The site owner's own web server (on loopback, as Chromium wants for a page loading from us)."""

    def __init__(self) -> None:
        self.html = ""
        self.server = FixtureServer(Request.application(self.respond), tls=False).start()
        self.origin = f"http://{OWNER_HOST}:{self.server.port}"
        self.url = f"{self.origin}/personvern"

    def respond(self, request: Request) -> Response:
        return Response(self.html, content_type="text/html; charset=utf-8")


@pytest.fixture(scope="module")
def owner() -> Iterator[OwnerSite]:
    site = OwnerSite()
    try:
        yield site
    finally:
        site.server.stop()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite file for the module: the server starts once, the tests only read."""
    url = f"sqlite:///{tmp_path_factory.mktemp('declaration-browser') / 'consentkit.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def site_key(database: str, tmp_path_factory: pytest.TempPathFactory, owner: OwnerSite) -> Iterator[str]:
    """A scanned site in the live server's database, written through the library as the scanner does."""
    app = create_app({"DATABASE_URL": database, "SECRET_KEY": "browser-test"},
                     instance_path=str(tmp_path_factory.mktemp("writer")))
    with app.app_context(), get_db(app).session() as session:
        site = sites.create_site(session, name="Eksempel AS", origins=[owner.origin],
                                 privacy_policy_url="https://www.example.no/personvern",
                                 controller_name="Eksempel AS", controller_org_number="920331483",
                                 controller_email="personvern@example.no")
        when = datetime(2026, 3, 12)
        session.add(Scan(site_id=site.id, url=f"{owner.origin}/", status="done", started_at=when,
                         finished_at=when, report={
                             "version": 1,
                             "cookies": [cookie("_ga", "owner.test", 400 * 86400),
                                         cookie("_hjSessionUser_3214567", "owner.test", 365 * 86400),
                                         cookie(EVIL, "owner.test", None),
                                         cookie("fr", "facebook.com", 90 * 86400, "third")],
                             "storage": [{"kind": "localStorage", "name": "lang_pref", "origin": owner.origin,
                                          "party": "first", "set_by": "", "phases": ["before_consent"]}]}))
        session.flush()
        sites.refresh_revision(session, site)
        key = site.key
    yield key
    get_db(app).dispose()


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`consentkit serve` once for the module (each test gets a fresh browser context)."""
    live = LiveServer(database, tmp_path_factory.mktemp("live")).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def chromium(playwright):
    """The product's Chromium (pytest-playwright's own `page` fixture warns under pytest 9)."""
    rules = f"--host-resolver-rules=MAP {OWNER_HOST} 127.0.0.1"
    browser = playwright.chromium.launch(**launch_options([rules]))
    yield browser
    browser.close()


@pytest.fixture
def page(chromium) -> Iterator[Page]:
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def watch(page: Page) -> dict[str, list[str]]:
    """Collect what must not happen: dialogs (an executed alert), CSP violations, page errors."""
    seen: dict[str, list[str]] = {"dialogs": [], "csp": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["csp"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def test_hosted_page_is_accessible_and_shows_hostile_names_as_text(page: Page, server, site_key):
    seen = watch(page)
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Informasjonskapsler og lagring")
    expect(page.get_by_role("rowheader", name=EVIL)).to_be_visible()
    expect(page.locator("main section.ck-category h2")).to_have_text(
        ["Funksjonelle", "Analyse og statistikk", "Markedsføring", "Uklassifiserte"])
    expect(page.get_by_role("table")).to_have_count(4)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert seen["dialogs"] == [] and seen["csp"] == [], seen


def test_language_links_switch_language(page: Page, server, site_key):
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=nb")
    page.get_by_role("link", name="Nynorsk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Informasjonskapslar og lagring")
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("link", name="Nynorsk")).to_have_attribute("aria-current", "page")


def test_print_hides_controls_and_shows_link_targets(page: Page, server, site_key):
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=en")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation")).to_be_hidden()
    after = page.evaluate("""() => getComputedStyle(
        document.querySelector('footer a[href^="http"]'), '::after').content""")
    assert "https://www.example.no/personvern" in after
    overflow = page.evaluate("() => getComputedStyle(document.querySelector('.ck-table-wrap')).overflowX")
    assert overflow == "visible"  # no table cut off at the paper's edge
    assert page.pdf(format="A4")[:4] == b"%PDF"


def owner_page(page: Page, owner: OwnerSite, html: str) -> list[str]:
    """Set the owner's privacy page; return the list that collects every request the page makes."""
    owner.html = html
    requests: list[str] = []
    page.on("request", lambda r: "favicon" not in r.url and requests.append(r.url))
    return requests


def test_embedded_declaration_renders_into_the_owners_page(page: Page, server, owner, site_key):
    seen = watch(page)
    script = f"{server.url}/v1/sites/{site_key}/declaration.js"
    requests = owner_page(page, owner, f"""<!doctype html><html lang="nn-NO"><title>Personvern</title>
        <h1>Personvern</h1><div id="consentkit-declaration"></div><script src="{script}"></script>""")
    page.goto(owner.url)
    root = page.locator("#consentkit-declaration")
    expect(root.get_by_role("heading", level=2)).to_have_text("Informasjonskapslar og lagring")
    expect(root.get_by_role("heading", name="Marknadsføring", level=3)).to_be_visible()
    expect(root.get_by_role("rowheader", name=EVIL)).to_be_visible()
    # Google documents 2 years for _ga; the browser keeps it 400 days. Both are said, in nynorsk (CLDR).
    lifetime = root.locator("td.ck-lifetime", has_text="13 månadar")
    expect(lifetime).to_be_visible()
    expect(lifetime).to_contain_text("2 år")
    # The legal part comes along: the controller, the withdraw link, Datatilsynet.
    expect(root.locator(".ck-controller")).to_contain_text("Eksempel AS er behandlingsansvarleg")
    expect(root.get_by_role("link", name="Endre eller trekk attende samtykket")).to_have_attribute(
        "href", "#consentkit")
    expect(root.get_by_role("link", name="Datatilsynet")).to_have_attribute("href", "https://www.datatilsynet.no/")
    assert requests == [owner.url, script]  # no other requests
    assert seen["dialogs"] == [] and seen["errors"] == [], seen
    assert page.locator("#consentkit-declaration script, #consentkit-declaration [onerror]").count() == 0


def test_embedded_declaration_follows_data_lang_and_waits_for_the_div(page: Page, server, owner, site_key):
    script = f"{server.url}/v1/sites/{site_key}/declaration.js"
    owner_page(page, owner, f"""<!doctype html><html lang="nb"><title>Privacy</title>
        <script src="{script}"></script><main><div id="consentkit-declaration" data-lang="en"
        data-heading-level="3"></div></main>""")
    page.goto(owner.url)
    expect(page.get_by_role("heading", level=3)).to_have_text("Cookies and storage")
    expect(page.get_by_role("cell", name="First party").first).to_be_visible()


def test_consent_panel_shows_state_and_changes_it_through_the_banner(page: Page, server, site_key):
    seen = watch(page)
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=en")
    panel = page.get_by_role("region", name="Your consent")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("You have not made a choice")
    expect(panel.get_by_role("button", name="Withdraw consent")).to_be_disabled()
    page.evaluate("() => window.ConsentKit.acceptAll()")
    consent_id = page.evaluate("() => window.ConsentKit.getConsent().consentId")
    expect(panel).to_contain_text(consent_id)
    expect(panel.locator("dd", has_text="Accepted")).to_have_count(3)
    panel.get_by_role("button", name="Withdraw consent").click()
    expect(panel.get_by_role("status")).to_have_text("Your consent has been withdrawn.")
    expect(panel.locator("dd", has_text="Accepted")).to_have_count(0)
    assert page.evaluate("() => window.ConsentKit.accepted('marketing')") is False
    panel.get_by_role("button", name="Change consent").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert seen["dialogs"] == [] and seen["csp"] == [], seen


def test_embedded_panel_appears_when_the_banner_is_on_the_owners_page(page: Page, server, owner, site_key):
    base = f"{server.url}/v1/sites/{site_key}"
    owner_page(page, owner, f"""<!doctype html><html lang="nb"><title>Personvern</title>
        <script src="{base}/consent.js"></script>
        <div id="consentkit-declaration"></div><script src="{base}/declaration.js"></script>""")
    page.goto(owner.url)
    panel = page.locator("#consentkit-declaration").get_by_role("region", name="Ditt samtykke")
    expect(panel).to_be_visible()
    page.evaluate("() => window.ConsentKit.rejectAll()")
    expect(panel.locator("dd", has_text="Avslått")).to_have_count(3)
    expect(panel.get_by_role("heading", level=3)).to_have_text("Ditt samtykke")


MONTHS_NN = ("januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember")

# For every text node in the article: where a line wraps, the character before the wrap must be a
# space or a hyphen, or the one after it a space. Anything else is a word broken in the middle.
BROKEN_WORDS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector("article"), NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    let top = null;
    for (let i = 0; i < text.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect || rect.width === 0) continue;
      if (top !== null && rect.top > top + 2 && i > 0 && !/[\\s\\-\u2013\\/]/.test(text[i - 1])
          && !/\\s/.test(text[i])) {
        found.push(text.slice(Math.max(0, i - 12), i) + "|" + text.slice(i, i + 12));
      }
      top = rect.top;
    }
  }
  return found;
}"""


def test_on_a_375px_phone_each_row_is_a_readable_card(chromium, server, site_key):
    context = chromium.new_context(viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=nb")
        rows = page.locator("main tbody tr")
        expect(rows.first).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375  # no sideways scroll
        cards = page.evaluate("""() => [...document.querySelectorAll("main tbody tr")].map(tr => ({
            display: getComputedStyle(tr).display, right: tr.getBoundingClientRect().right,
            labels: [...tr.querySelectorAll("td")].map(td => [getComputedStyle(td, "::before").content,
                                                              td.dataset.label])}))""")
        assert len(cards) == 5 and all(c["display"] == "block" and c["right"] <= 375 for c in cards)
        for card in cards:  # every value under its column's name
            assert [content for content, _ in card["labels"]] == [f'"{label}"' for _, label in card["labels"]]
        assert page.locator("main thead").first.bounding_box()["height"] <= 1  # kept for screen readers
        name = page.get_by_role("rowheader", name="_hjSessionUser_3214567")
        assert name.bounding_box()["height"] < 40  # the whole name on one line
        assert page.evaluate(BROKEN_WORDS) == []
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_the_wide_table_breaks_no_word_either(page: Page, server, site_key):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=nn")
    expect(page.locator("main thead").first).to_be_visible()
    assert page.evaluate(BROKEN_WORDS) == []


@pytest.mark.parametrize(("locale", "title"), [
    ("nn-NO", "Informasjonskapslar og lagring"), ("en-GB", "Cookies and storage"),
    ("de-DE", "Informasjonskapsler og lagring")])  # no German: the site's default language
def test_the_hosted_page_speaks_the_browsers_language(chromium, server, site_key, locale, title):
    context = chromium.new_context(locale=locale)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/v1/sites/{site_key}/declaration")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
    finally:
        context.close()


def test_the_banner_links_to_the_declaration_in_the_visitors_language(page: Page, server, owner, site_key):
    base = f"{server.url}/v1/sites/{site_key}"
    owner_page(page, owner, f"""<!doctype html><html lang="nn"><title>Heim</title>
        <script src="{base}/consent.js"></script><p>Velkomen</p>""")
    page.goto(owner.url)
    link = page.get_by_role("dialog").get_by_role("link", name="Erklæring om informasjonskapslar")
    expect(link).to_have_attribute("href", f"{base}/declaration?lang=nn")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Informasjonskapslar og lagring")


def test_consent_dates_and_lifetimes_are_nynorsk_without_intl(page: Page, server, site_key):
    """Chromium has no nynorsk locale data: the panel and the banner use CLDR's, from the server."""
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=nn")
    page.evaluate("() => window.ConsentKit.acceptAll()")
    panel = page.get_by_role("region", name="Samtykket ditt")
    date = panel.locator("dt", has_text="Dato").locator("xpath=following-sibling::dd[1]")
    expect(date).to_have_text(re.compile(rf"^\d{{1,2}}\. ({MONTHS_NN}) \d{{4}} kl\. \d{{2}}:\d{{2}}$"))
    page.evaluate("() => window.ConsentKit.show('settings')")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(re.compile(rf"Dato: \d{{1,2}}\. ({MONTHS_NN}) \d{{4}} kl\. "))
    dialog.get_by_text("Vis informasjonskapslar").nth(1).click()  # the analytics category
    expect(dialog.get_by_role("cell", name="2 år")).to_be_visible()


def test_the_withdraw_link_opens_the_banner_settings(page: Page, server, site_key):
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=en")
    page.evaluate("() => window.ConsentKit.acceptAll()")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.get_by_role("link", name="Change or withdraw your consent").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("switch", name="Marketing")).to_be_checked()
    dialog.get_by_role("button", name="Reject all").click()
    assert page.evaluate("() => window.ConsentKit.accepted('marketing')") is False
    # The same link in a Markdown export is a plain #consentkit: arriving with it opens the settings.
    page.goto(f"{server.url}/v1/sites/{site_key}/declaration?lang=en#consentkit")
    expect(page.get_by_role("dialog").get_by_role("switch", name="Marketing")).not_to_be_checked()
