"""The consent banner (issue 6) in a real Chromium, against pages served by the test itself.

A small threaded HTTP server serves `tests/banner_pages/` under /p/, `static/` under /static/, and
`/consent.js` the way the backend will: the bundle followed by `;ConsentKit.init(<config>);`, the
config being whatever the test put in `server.config`. POST /consents records the consent log.
Chromium maps every *.test host to 127.0.0.1, so pages can live on www.shop.test and trackers on
cdn.tracker.test.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from scanner.browser import launch_options

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "banner_pages"
BUNDLE = ROOT / "static" / "consentkit.js"
NONCE = "r4nd0m"
CSP = (
    f"default-src 'self'; script-src 'nonce-{NONCE}'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'"
)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

COOKIES = [
    {
        "name": "consentkit",
        "kind": "cookie",
        "category": "necessary",
        "provider": "This site",
        "purpose": {"en": "Remembers your cookie choices", "nb": "Husker valgene dine"},
        "lifetime_seconds": 31536000,
    },
    {
        "name": "_ga",
        "kind": "cookie",
        "category": "analytics",
        "provider": "Google Analytics",
        "purpose": {"en": "Distinguishes visitors", "nb": "Skiller besøkende fra hverandre"},
        "lifetime_seconds": 63072000,
    },
    {
        "name": "_ga_",
        "pattern": "prefix",
        "kind": "cookie",
        "category": "analytics",
        "provider": "Google Analytics",
        "purpose": {"en": "Keeps session state", "nb": "Holder på øktstatus"},
        "lifetime_seconds": 63072000,
    },
    {
        "name": "_fbp",
        "kind": "cookie",
        "category": "marketing",
        "provider": "Meta",
        "purpose": {"en": "Ad delivery", "nb": "Annonselevering"},
        "lifetime_seconds": 7776000,
    },
]


def base_config(port: int, host: str = "127.0.0.1", run: str = "", **overrides) -> dict:
    config = {
        "siteKey": "abc",
        "endpoint": f"http://{host}:{port}/consents?run={run}",
        "revision": 1,
        "bannerVersion": "0.1.0",
        "languages": ["nb", "nn", "en"],
        "defaultLanguage": "nb",
        "categories": ["functional", "analytics", "marketing"],
        "cookies": COOKIES,
        "hosts": {"analytics": ["tracker.test"], "marketing": ["doubleclick.test"]},
        "consentMode": False,
        "gpc": "marketing",
        "cookieName": "consentkit",
        "privacyPolicyUrl": "/p/privacy.html",
        "declarationUrl": "/p/declaration.html",
    }
    config.update(overrides)
    return config


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a page closed mid-response is normal here
            super().handle_error(request, client_address)

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]
        self.config: dict = {}
        self.consents: list[dict] = []
        self.consent_status = 201
        self.run = ""  # consent POSTs of other runs (late keepalive requests of an earlier test) are ignored
        self.requests: list[str] = []
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def reply(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        with self.server.lock:
            self.server.requests.append(f"{self.headers['Host']}{url.path}")
        if url.path == "/favicon.ico":
            return self.reply(204, b"", "image/x-icon")
        if url.path == "/consent.js":
            body = (
                BUNDLE.read_bytes() + b";ConsentKit.init(" + json.dumps(self.server.config).encode() + b");"
            )
            return self.reply(200, body, TYPES[".js"])
        if url.path.startswith("/static/"):
            path = ROOT / "static" / url.path.removeprefix("/static/")
        elif url.path.startswith("/p/"):
            path = PAGES / url.path.removeprefix("/p/")
        else:
            return self.reply(404, b"not found", "text/plain")
        if (
            not path.is_file()
            or PAGES.parent not in path.resolve().parents
            and ROOT not in path.resolve().parents
        ):
            return self.reply(404, b"not found", "text/plain")
        body = path.read_bytes()
        if path.suffix == ".html":
            lang = parse_qs(url.query).get("lang", ["en"])[0]
            body = body.replace(b"__LANG__", lang.encode())
        headers = {"Content-Security-Policy": CSP} if path.name.startswith("csp") else {}
        self.reply(200, body, TYPES.get(path.suffix, "application/octet-stream"), headers)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if urlsplit(self.path).path != "/consents":
            return self.reply(404, b"{}", "application/json")
        status = self.server.consent_status
        if status == 201 and parse_qs(urlsplit(self.path).query).get("run") == [self.server.run]:
            with self.server.lock:
                self.server.consents.append(
                    {
                        "body": json.loads(raw),
                        "content_type": self.headers["Content-Type"],
                        "host": self.headers["Host"],
                    }
                )
        self.reply(status, json.dumps({"consent_id": "x"}).encode(), "application/json")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(autouse=True)
def fresh_server_state(request: pytest.FixtureRequest) -> None:
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        srv.run = request.node.name
        srv.config = base_config(srv.port, run=srv.run)
        srv.consents.clear()
        srv.requests.clear()
        srv.consent_status = 201


@pytest.fixture(scope="module")
def chromium(playwright):
    browser = playwright.chromium.launch(
        **launch_options(extra_args=["--host-resolver-rules=MAP *.test 127.0.0.1"])
    )
    yield browser
    browser.close()


class Visit:
    """One browser context with console and page-error capture; `open()` navigates a new page."""

    def __init__(self, browser, server: Server, **context_args) -> None:
        self.server = server
        self.context = browser.new_context(**context_args)
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.allowed_errors: list[str] = []
        self.page = None

    def watch(self, page) -> None:
        page.on(
            "console",
            lambda m: (
                self.errors if m.type == "error" else self.warnings if m.type == "warning" else []
            ).append(m.text),
        )
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def open(self, path: str, host: str = "127.0.0.1"):
        self.page = self.context.new_page()
        self.watch(self.page)
        self.page.goto(f"http://{host}:{self.server.port}{path}")
        return self.page

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed_errors)]


@pytest.fixture
def visit(chromium, server) -> Iterator[Visit]:
    v = Visit(chromium, server)
    try:
        yield v
        assert v.unexpected_errors() == [], "console errors"
    finally:
        v.context.close()


def banner(page):
    return page.locator("[data-consentkit-root] [role=dialog]")


def ran(page) -> list[str]:
    return page.evaluate("window.ran")


def cookie_names(visit: Visit) -> set[str]:
    return {c["name"] for c in visit.context.cookies()}


def wait_consents(server: Server, page, count: int) -> list[dict]:
    page.wait_for_function("1", timeout=100)
    for _ in range(100):
        if len(server.consents) >= count:
            break
        page.wait_for_timeout(50)
    assert len(server.consents) == count, [
        (c["body"]["method"], c["body"]["choices"]) for c in server.consents
    ]
    return [c["body"] for c in server.consents]


# ---- the bundle itself -----------------------------------------------------------------------


def test_committed_bundle_is_a_fresh_build():
    result = subprocess.run(
        [sys.executable, str(ROOT / "banner" / "build.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_bundle_gzip_size_within_budget():
    size = len(gzip.compress(BUNDLE.read_bytes(), 9))
    assert size <= 9 * 1024, f"static/consentkit.js is {size} bytes gzipped"


def test_bundle_does_not_start_by_itself(visit):
    page = visit.open("/p/frame.html")
    page.add_script_tag(url="/static/consentkit.js")
    assert page.evaluate("typeof ConsentKit.init") == "function"
    assert page.evaluate("ConsentKit.getConsent()") is None
    assert page.locator("[data-consentkit-root]").count() == 0


# ---- first visit, reject, accept, customize, revisit ----------------------------------------


@pytest.mark.browser
def test_first_visit_shows_banner_and_holds_everything(visit):
    page = visit.open("/p/shop.html")
    dialog = banner(page)
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.get_by_role("dialog", name="We use cookies").is_visible()
    for name in ("Accept all", "Reject all", "Customize"):
        assert dialog.get_by_role("button", name=name).is_visible()
    assert (
        dialog.get_by_role("link", name="Cookie declaration").get_attribute("href") == "/p/declaration.html"
    )
    assert dialog.get_by_role("link", name="Privacy policy").is_visible()
    assert ran(page) == []
    assert cookie_names(visit) == set()
    assert page.locator("iframe[title='Product video']").get_attribute("src") is None
    assert page.get_by_role("button", name="Allow marketing").is_visible()
    assert page.evaluate("ConsentKit.getConsent()") is None
    assert page.evaluate("[ConsentKit.accepted('necessary'), ConsentKit.accepted('analytics')]") == [
        True,
        False,
    ]
    assert page.evaluate("events") == [["ready", None]]


@pytest.mark.browser
def test_accept_and_reject_look_the_same(visit):
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    style = """b => { const s = getComputedStyle(b); const r = b.getBoundingClientRect();
        return [s.backgroundColor, s.color, s.borderColor, s.fontSize, s.fontWeight, Math.round(r.width),
                Math.round(r.height)]; }"""
    accept = banner(page).get_by_role("button", name="Accept all").evaluate(style)
    reject = banner(page).get_by_role("button", name="Reject all").evaluate(style)
    assert accept == reject


@pytest.mark.browser
def test_reject_runs_nothing_sets_no_tracking_cookie_and_logs(visit, server):
    page = visit.open("/p/shop.html?utm_source=x")
    banner(page).get_by_role("button", name="Reject all").click()
    expect_hidden(page)
    page.wait_for_timeout(300)
    assert ran(page) == []
    assert cookie_names(visit) == {"consentkit"}
    [body] = wait_consents(server, page, 1)
    assert UUID.match(body.pop("consent_id"))
    assert body == {
        "choices": {"functional": False, "analytics": False, "marketing": False},
        "method": "reject_all",
        "revision": 1,
        "language": "en",
        "page_url": f"http://127.0.0.1:{server.port}/p/shop.html",
        "banner_version": "0.1.0",
        "gpc": False,
    }
    assert server.consents[0]["content_type"] == "application/json"
    consent = page.evaluate("ConsentKit.getConsent()")
    assert consent["method"] == "reject_all" and consent["revision"] == 1
    assert page.evaluate("events.map(e => e[0])") == ["ready", "change"]
    assert page.locator("[data-consentkit-root]").get_by_role("button", name="Cookie settings").is_visible()


def expect_hidden(page) -> None:
    page.wait_for_function(
        "!document.querySelector('[data-consentkit-root]').shadowRoot.querySelector('[role=dialog]')"
    )


@pytest.mark.browser
def test_accept_runs_each_script_once_in_document_order(visit, server):
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
    page.wait_for_timeout(300)
    assert ran(page) == ["A", "B", "C"]
    [first, *_] = wait_consents(server, page, 3)
    assert first["method"] == "accept_all"
    assert first["choices"] == {"functional": True, "analytics": True, "marketing": True}


@pytest.mark.browser
def test_revisit_shows_no_banner_and_runs_granted_scripts(visit):
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Accept all").click()
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


@pytest.mark.browser
def test_customize_grants_only_what_was_switched_on(visit, server):
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
        "_ga",
        "Google Analytics",
        "Distinguishes visitors",
        "2 years",
    ]
    assert "_ga_*" in table.inner_text()
    dialog.get_by_role("switch", name="Statistics").check()
    dialog.get_by_role("button", name="Save choices").click()
    page.wait_for_function("ran.length === 2")
    page.wait_for_timeout(200)
    assert ran(page) == ["A", "B"]
    [body] = wait_consents(server, page, 1)
    assert body["method"] == "custom"
    assert body["choices"] == {"functional": False, "analytics": True, "marketing": False}
    assert page.get_by_role("button", name="Allow marketing").is_visible()
    page.get_by_role("button", name="Allow marketing").click()
    page.wait_for_function("ran.length === 3")
    assert page.locator("iframe[title='Product video']").get_attribute("src") == "/p/frame.html"


@pytest.mark.browser
def test_revision_bump_asks_again_with_the_same_consent_id(visit, server):
    page = visit.open("/p/shop.html")
    banner(page).get_by_role("button", name="Accept all").click()
    first = page.evaluate("ConsentKit.getConsent()")
    server.config["revision"] = 2
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    page.wait_for_timeout(200)
    assert ran(page) == []
    banner(page).get_by_role("button", name="Reject all").click()
    second = page.evaluate("ConsentKit.getConsent()")
    assert second["revision"] == 2 and second["consentId"] == first["consentId"]


@pytest.mark.browser
@pytest.mark.parametrize("value", ["garbage%%%", "%7B%22i%22%3A1%7D", "%7B%22foreign%22%3Atrue%7D"])
def test_corrupted_or_foreign_cookie_is_discarded(visit, server, value):
    visit.context.add_cookies(
        [{"name": "consentkit", "value": value, "url": f"http://127.0.0.1:{server.port}/"}]
    )
    page = visit.open("/p/shop.html")
    banner(page).wait_for()
    assert page.evaluate("ConsentKit.getConsent()") is None
    banner(page).get_by_role("button", name="Accept all").click()
    assert UUID.match(page.evaluate("ConsentKit.getConsent().consentId"))


@pytest.mark.browser
def test_withdraw_deletes_that_categorys_cookies_on_every_parent_domain(visit, server):
    server.config = base_config(server.port, host="www.shop.test", run=server.run)
    page = visit.open("/p/shop.html", host="www.shop.test")
    banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("ran.length === 3")
    jar = {(c["name"], c["domain"]) for c in visit.context.cookies()}
    assert {
        ("_ga", "www.shop.test"),
        ("_ga", ".shop.test"),
        ("_ga_XYZ", "www.shop.test"),
        ("_fbp", "www.shop.test"),
    } <= jar
    page.get_by_role("link", name="Cookie settings").click()
    dialog = banner(page)
    dialog.get_by_role("switch", name="Statistics").uncheck()
    dialog.get_by_role("button", name="Save choices").click()
    assert cookie_names(visit) == {"consentkit", "_fbp"}
    page.evaluate("ConsentKit.withdraw()")
    assert cookie_names(visit) == {"consentkit"}
    bodies = wait_consents(server, page, 3)
    assert [b["method"] for b in bodies] == ["accept_all", "custom", "withdraw"]
    assert bodies[2]["choices"] == {"functional": False, "analytics": False, "marketing": False}
    assert page.evaluate("ConsentKit.accepted('marketing')") is False
