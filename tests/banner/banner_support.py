"""What the banner tests share: pages that embed the banner, a browser visit, and reading the log.

A small threaded HTTP server serves `tests/banner/pages/` under /p/, `static/` under /static/, and
`/consent.js` as a self-hosted banner: the bundle followed by `;ConsentKit.init(<config>);`, the
config being whatever the test put in `pages.config`. That lets a test give the banner any cookie
list, host table or broken value. Every consent it records goes to a real `consentkit serve` (one
per module, on SQLite) for a real site whose settings match the config (`pages.use_site`), and the
tests read what the log holds. Chromium maps every *.test host to 127.0.0.1, so pages can live on
www.shop.test and trackers on cdn.tracker.test.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from consentkit import snippet
from consentkit.db import get_db
from consentkit.models import ConsentRecord, Scan
from consentkit.sites.registry import create_site, edit_site, get_site, refresh_revision

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
BUNDLE = ROOT / "static" / "consentkit.js"
NONCE = "r4nd0m"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

COOKIES = [
    {"name": "consentkit", "kind": "cookie", "category": "necessary", "provider": "This site",
     "purpose": {"en": "Remembers your cookie choices", "nb": "Husker valgene dine"},
     "lifetime_seconds": 31536000},
    {"name": "_ga", "kind": "cookie", "category": "analytics", "provider": "Google Analytics",
     "purpose": {"en": "Distinguishes visitors", "nb": "Skiller besøkende fra hverandre"},
     "lifetime_seconds": 63072000},
    {"name": "_ga_", "pattern": "prefix", "kind": "cookie", "category": "analytics",
     "provider": "Google Analytics", "purpose": {"en": "Keeps session state", "nb": "Holder på øktstatus"},
     "lifetime_seconds": 63072000},
    {"name": "_fbp", "kind": "cookie", "category": "marketing", "provider": "Meta",
     "purpose": {"en": "Ad delivery", "nb": "Annonselevering"}, "lifetime_seconds": 7776000},
]
ALL = ["functional", "analytics", "marketing"]


class Pages(ThreadingHTTPServer):
    """The site's own pages; `config` is the banner configuration they embed."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]
        self.config: dict = {}
        self.consent_origin = ""
        self.app = None
        self.site_key = ""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a page closed mid-response is normal here
            super().handle_error(request, client_address)

    def origins(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port}", f"http://www.shop.test:{self.port}"]

    def use_site(self, *, categories: list[str] | None = None, gpc: str = "marketing",
                 **config: object) -> str:
        """A new real site with these settings; the config follows it (key, endpoint, revision)."""
        categories = ALL if categories is None else categories
        with self.app.app_context(), get_db(self.app).session() as session:
            site = create_site(session, name="Banner test", origins=self.origins(), categories=categories,
                               gpc_policy=gpc)
            self.site_key = site.key
        self.config = base_config(self.consent_origin, self.site_key, categories=categories, gpc=gpc,
                                  **config)
        return self.site_key

    def add_scan(self, cookies: list[dict]) -> None:
        """A finished scan of the site that found these cookies (as the scanner reports them)."""
        with self.app.app_context(), get_db(self.app).session() as session:
            site = get_site(session, self.site_key)
            session.add(Scan(site_id=site.id, url=self.origins()[0] + "/", status="done",
                             report={"version": 1, "url": self.origins()[0] + "/", "cookies": cookies}))
            session.flush()
            refresh_revision(session, site)

    def bump_revision(self) -> int:
        """Change what visitors are told; the site's revision rises and the config follows."""
        with self.app.app_context(), get_db(self.app).session() as session:
            site = get_site(session, self.site_key)
            edit_site(session, site, texts={"en": {"title": f"Changed {site.revision}"}})
            self.config["revision"] = site.revision
        return self.config["revision"]

    def use_consent_mode(self) -> None:
        """Turn Consent Mode on for the current site (the snippet then says so too)."""
        with self.app.app_context(), get_db(self.app).session() as session:
            edit_site(session, get_site(session, self.site_key), consent_mode=True)
            self.config["consentMode"] = True

    def snippet(self) -> str:
        """The snippet `site show` prints for the current site, pointing at the real server."""
        with self.app.app_context(), get_db(self.app).session() as session:
            return snippet.for_site(self.consent_origin, get_site(session, self.site_key))

    def records(self) -> list[ConsentRecord]:
        """What the consent log holds for the current site, oldest first."""
        with self.app.app_context(), get_db(self.app).session() as session:
            site = get_site(session, self.site_key)
            return list(session.scalars(select(ConsentRecord).where(ConsentRecord.site_id == site.id)
                                        .order_by(ConsentRecord.id)))


def base_config(consent_origin: str, key: str, **overrides) -> dict:
    config = {
        "siteKey": key, "endpoint": f"{consent_origin}/v1/sites/{key}/consents", "revision": 1,
        "bannerVersion": "0.1.0", "languages": ["nb", "nn", "en"], "defaultLanguage": "nb",
        "categories": ALL, "cookies": COOKIES,
        "hosts": {"analytics": ["tracker.test"], "marketing": ["doubleclick.test"]},
        "consentMode": False, "gpc": "marketing", "cookieName": "consentkit",
        "privacyPolicyUrl": "/p/privacy.html", "declarationUrl": "/p/declaration.html",
    }
    config.update(overrides)
    return config


class Handler(BaseHTTPRequestHandler):
    server: Pages

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
        init = b"ConsentKit.init(" + json.dumps(self.server.config).encode() + b");"
        if url.path == "/favicon.ico":
            return self.reply(204, b"", "image/x-icon")
        if url.path == "/consent.js":
            return self.reply(200, BUNDLE.read_bytes() + b";" + init, TYPES[".js"])
        if url.path == "/consentkit-ui.js":  # the view, which the core loads from beside itself
            return self.reply(200, (ROOT / "static" / "consentkit-ui.js").read_bytes(), TYPES[".js"])
        if url.path == "/p/vendors.html":  # the real served banner of the test's site, then vendor tags
            page = vendors_page(self.server.consent_origin, self.server.site_key)
            return self.reply(200, page, TYPES[".html"])
        if url.path == "/p/stub.html":  # the snippet of the test's site, then the page's own scripts
            held_css = "css" in parse_qs(url.query)
            return self.reply(200, stub_page(self.server, held_css), TYPES[".html"])
        if url.path == "/p/csp-init.js":  # the strict-CSP page starts the banner from its own file
            return self.reply(200, init, TYPES[".js"])
        if url.path.startswith("/static/"):
            path = ROOT / "static" / url.path.removeprefix("/static/")
        elif url.path.startswith("/p/"):
            path = PAGES / url.path.removeprefix("/p/")
        else:
            return self.reply(404, b"not found", "text/plain")
        if not path.is_file() or ROOT not in path.resolve().parents:
            return self.reply(404, b"not found", "text/plain")
        body = path.read_bytes()
        if path.suffix == ".html":
            lang = parse_qs(url.query).get("lang", ["en"])[0]
            body = body.replace(b"__LANG__", lang.encode())
            body = body.replace(b"__PORT__", str(self.server.port).encode())
        headers = {}
        if path.name.startswith("csp"):
            headers["Content-Security-Policy"] = csp(self.server.consent_origin)
        self.reply(200, body, TYPES.get(path.suffix, "application/octet-stream"), headers)


def vendors_page(consent_origin: str, key: str) -> bytes:
    """The one-tag embed from `consentkit serve`, then the snippets of a tag manager, a pixel and a
    session-replay tool, as their vendors document them (reduced to the script they insert)."""
    snippets = "".join(
        "(function(){var s=document.createElement('script');s.async=true;"
        f"s.src='{url}';document.head.appendChild(s);}})();"
        for url in ("https://www.googletagmanager.com/gtm.js?id=GTM-TEST",
                    "https://connect.facebook.net/en_US/fbevents.js",
                    "https://static.hotjar.com/c/hotjar-1.js?sv=6"))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vendors</title>'
            f'<script src="{consent_origin}/v1/sites/{key}/consent.js"></script>'
            f"<script>window.ran = [];{snippets}</script></head><body><main><h1>Vendors</h1></main>"
            f"</body></html>").encode()


def stub_page(server: Pages, held_css: bool = False) -> bytes:
    """The snippet as `site show` prints it, then an inline script that notes what is in force when
    it runs (Consent Mode's dataLayer, whether the core is here) and adds a tag manager and a script
    from a CDN the way their snippets do, then a pixel the parser inserts. With `held_css`, a
    stylesheet (/p/held.css, which a test holds) blocks the page's first paint."""
    cdn = f"http://cdn.shop.test:{server.port}/p/b.js"
    own = ("window.ran = []; window.seen = {core: !!window.ConsentKit,"
           " dataLayer: JSON.parse(JSON.stringify(window.dataLayer || []))};"
           "var g = document.createElement('script'); g.src = 'https://www.googletagmanager.com/gtm.js?id=GTM-TEST';"
           "document.head.appendChild(g); seen.gtm = g.type;"
           f"var c = document.createElement('script'); c.src = '{cdn}'; document.head.appendChild(c);"
           "seen.cdn = c.type;")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stub</title>'
            f"{server.snippet()}"
            f'<script>{own}</script><script src="https://connect.facebook.net/en_US/fbevents.js"></script>'
            f'{"<link rel=stylesheet href=/p/held.css>" if held_css else ""}</head>'
            f'<body><main><h1>Stub</h1><a href="#" data-consentkit-open>Cookie settings</a></main>'
            f"</body></html>").encode()


def csp(consent_origin: str) -> str:
    """A strict policy: scripts by nonce only, no inline styles, connections to ourselves and the
    consent server (which a site with such a policy lists, as for any API it calls)."""
    return (f"default-src 'self'; script-src 'nonce-{NONCE}'; style-src 'self'; img-src 'self'; "
            f"connect-src 'self' {consent_origin}; frame-src 'self'; object-src 'none'; base-uri 'none'")


class Visit:
    """One browser context with console and page-error capture; `open()` navigates a new page."""

    def __init__(self, browser, pages: Pages, **context_args) -> None:
        self.pages = pages
        self.context = browser.new_context(**context_args)
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.allowed_errors: list[str] = []
        self.page = None

    def watch(self, page) -> None:
        page.on("console", lambda m: (self.errors if m.type == "error" else self.warnings
                                      if m.type == "warning" else []).append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def open(self, path: str, host: str = "127.0.0.1"):
        self.page = self.context.new_page()
        self.watch(self.page)
        self.page.goto(f"http://{host}:{self.pages.port}{path}")
        return self.page

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed_errors)]


def banner(page):
    return page.locator("[data-consentkit-root] [role=dialog]")


def ran(page) -> list[str]:
    return page.evaluate("window.ran")


def cookie_names(visit: Visit) -> set[str]:
    return {c["name"] for c in visit.context.cookies()}


def wait_records(pages: Pages, page, count: int, timeout: float = 10) -> list[ConsentRecord]:
    """Wait (driving the page's event loop) until the log holds `count` records of the test's site."""
    for _ in range(int(timeout / 0.05)):
        if len(pages.records()) >= count:
            break
        page.wait_for_timeout(50)
    records = pages.records()
    assert len(records) == count, [(r.method, r.functional, r.analytics, r.marketing) for r in records]
    return records


def choices(record: ConsentRecord) -> dict[str, bool]:
    return {c: getattr(record, c) for c in ALL if getattr(record, c) is not None}


def expect_hidden(page) -> None:
    page.wait_for_function(
        "!document.querySelector('[data-consentkit-root]').shadowRoot.querySelector('[role=dialog]')")


def poll(page, expression: str, timeout: float = 5) -> None:
    """Waits for a JS expression without eval (page.evaluate goes through the DevTools protocol)."""
    for _ in range(int(timeout / 0.05)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"still false after {timeout}s: {expression}")
