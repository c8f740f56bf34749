"""Every choice the banner shows as saved is in the log: real Chromium, the real banner, `consentkit
serve` and the real database (SQLite and PostgreSQL), along each way a record used to get lost.

Each test makes N choices and waits for exactly N rows. The server runs as a new user starts it:
on a port that is not 8000, with no CONSENTKIT_PUBLIC_URL (unless a test says otherwise).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from e2e import CONSENT_HOST, PAGE_HOST, RESOLVER_RULES, Log, Visitor, wait_until
from sites import FixtureServer
from sites.embedding import embedding_site
from sqlalchemy import text

from consentkit.db import get_db
from consentkit.sites.registry import create_site, get_site
from scanner.browser import launch_options
from tests.conftest import ROOT, LiveServer, free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = playwright.chromium.launch(**launch_options(extra_args=[RESOLVER_RULES]))
    yield chromium
    chromium.close()


class Setup:
    """A site, the consent server (`consentkit serve`), the embedding site and the log."""

    def __init__(self, app, db_url: str, tmp_path: Path) -> None:
        self.app, self.db_url, self.tmp_path = app, db_url, tmp_path
        self.server: LiveServer | None = None
        self.log = Log(db_url)
        self.site_key = self.add_site("Kaffebaren", [f"http://{PAGE_HOST}:{{port}}"])
        self.pages = None

    def add_site(self, name: str, origins: list[str], **settings) -> str:
        """Origins may say {port}: the embedding site's port, known once it runs."""
        self._origins = origins
        with self.app.app_context(), get_db(self.app).session() as session:
            return create_site(session, name=name, origins=["https://placeholder.example"],
                               **settings).key

    def start(self, **server_options) -> Setup:
        self.pages = FixtureServer(embedding_site(lambda: f"http://{CONSENT_HOST}:{self.server.port}"),
                                   tls=False).start()
        with self.app.app_context(), get_db(self.app).session() as session:
            site = get_site(session, self.site_key)
            site.origins = [o.format(port=self.pages.port) for o in self._origins]
        return self.restart(**server_options)

    def restart(self, **server_options) -> Setup:
        if self.server is not None:
            self.server.stop()
        options = {"public_url": None, **server_options}
        self.server = LiveServer(self.db_url, self.tmp_path / "instance", **options).start()
        return self

    def visitor(self, browser, **options) -> Visitor:
        return Visitor(browser, self.pages.port, **options)

    def site_id(self) -> int:
        with self.app.app_context(), get_db(self.app).session() as session:
            return get_site(session, self.site_key).id

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.pages is not None:
            self.pages.stop()
        self.log.close()


@pytest.fixture
def setup(app, db_url, tmp_path) -> Iterator[Setup]:
    made = Setup(app, db_url, tmp_path)
    try:
        yield made
    finally:
        made.stop()


def choose(visitors: list[Visitor], key: str, methods: list[str]) -> None:
    for visitor, method in zip(visitors, methods, strict=True):
        visitor.open(key)
        visitor.call(method)


def test_a_server_on_another_port_without_public_url_logs_every_choice(setup, browser):
    setup.start()
    assert "address each request comes to" in setup.server.log()
    visitors = [setup.visitor(browser) for _ in range(4)]
    choose(visitors, setup.site_key, ["acceptAll", "rejectAll", "acceptAll", "rejectAll"])
    setup.log.wait_for(4)
    for visitor in visitors:
        consent = visitor.consent()
        assert setup.log.methods(consent["consentId"]) == [consent["method"]]
        wait_until(lambda v=visitor: v.consent()["receipt"], what="the receipt came back")
        visitor.close()


def test_records_queued_for_a_dead_endpoint_reach_the_server_the_site_uses_now(setup, browser):
    """A PUBLIC_URL that reaches nothing (the old default): choices are kept, tied to the site, and
    sent to wherever the banner is served from once that is fixed."""
    setup.start(public_url=f"http://127.0.0.1:{free_port()}")
    visitor = setup.visitor(browser)
    page = visitor.open(setup.site_key)
    visitor.call("acceptAll")
    visitor.call("rejectAll")
    page.wait_for_function("(localStorage.getItem('consentkit:queue') || '').split('consent_id').length == 3")
    assert setup.log.count() == 0
    setup.restart()
    visitor.open(setup.site_key, path="/p/another-page")
    setup.log.wait_for(2)
    assert setup.log.methods(visitor.consent()["consentId"]) == ["accept_all", "reject_all"]
    page.wait_for_function("localStorage.getItem('consentkit:queue') === null")
    visitor.close()


class FlakyProxy(ThreadingHTTPServer):
    """A reverse proxy in front of the real server, as nginx is: it answers `fail_with` to the
    first `failures` consent POSTs (a restarting upstream), then forwards everything."""

    daemon_threads = True

    def __init__(self, upstream: int, failures: int, fail_with: int) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream, self.failures, self.fail_with = upstream, failures, fail_with
        self.refused = 0
        self.lock = threading.Lock()


class ProxyHandler(BaseHTTPRequestHandler):
    server: FlakyProxy

    def log_message(self, *args) -> None:
        pass

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "POST":
            with self.server.lock:
                refuse = self.server.refused < self.server.failures
                self.server.refused += refuse
            if refuse:
                self.send_response(self.server.fail_with)
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
                self.send_header("Access-Control-Allow-Credentials", "true")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        url = f"http://127.0.0.1:{self.server.upstream}{self.path}"
        request = urllib.request.Request(url, data=body or None, method=self.command,
                                         headers=dict(self.headers))
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, headers, data = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, headers, data = error.code, error.headers, error.read()
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_OPTIONS = _forward


@pytest.mark.parametrize("status", [502, 500])
def test_a_failing_upstream_costs_no_record(setup, browser, status):
    setup.start()
    proxy = FlakyProxy(setup.server.port, failures=3, fail_with=status)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        visitor = setup.visitor(browser)
        visitor.open(setup.site_key, server=f"http://{CONSENT_HOST}:{proxy.server_address[1]}")
        visitor.call("acceptAll")
        visitor.call("rejectAll")
        setup.log.wait_for(2, timeout=30)
        assert proxy.refused == 3
        assert setup.log.methods(visitor.consent()["consentId"]) == ["accept_all", "reject_all"]
        visitor.close()
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_rate_limits_cost_no_visitor_behind_one_address_their_record(setup, browser):
    """Six visitors behind one NAT (all 127.0.0.1) against a limit of 2 per 2 s: 429s with
    Retry-After, and every record arrives."""
    setup.start(settings={"CONSENT_RATE_LIMIT": "2 per 2 seconds"})
    visitors = [setup.visitor(browser) for _ in range(6)]
    choose(visitors, setup.site_key, ["acceptAll"] * 6)
    setup.log.wait_for(6, timeout=40)
    for visitor in visitors:
        visitor.close()


def test_a_stalled_database_answers_503_fast_and_the_banner_sends_again(setup, browser, db_backend):
    setup.start(settings={"DB_WRITE_TIMEOUT": "1"})
    visitor = setup.visitor(browser)
    page = visitor.open(setup.site_key)
    with stalled(setup.db_url, db_backend):
        with page.expect_response(lambda r: r.request.method == "POST", timeout=15_000) as answer:
            visitor.call("acceptAll")
        assert answer.value.status == 503 and int(answer.value.headers["retry-after"]) >= 1
        assert setup.log.count() == 0
    with page.expect_response(lambda r: r.request.method == "POST", timeout=30_000) as answer:
        pass
    assert answer.value.status == 201
    setup.log.wait_for(1)
    visitor.close()


class stalled:  # noqa: N801 - used as a context manager
    """Hold the consent table's write lock from another connection, as a stuck batch job would
    (readers still read: only writes wait)."""

    def __init__(self, url: str, backend: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url)
        self.backend = backend

    def __enter__(self) -> None:
        self.conn = self.engine.connect()
        if self.backend == "sqlite":
            self.conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            self.conn.begin()
            self.conn.execute(text("LOCK TABLE consent_records IN EXCLUSIVE MODE"))

    def __exit__(self, *_exc: object) -> None:
        self.conn.rollback()
        self.conn.close()
        self.engine.dispose()


def test_no_network_keeps_the_record_across_page_loads(setup, browser):
    setup.start()
    visitor = setup.visitor(browser)
    visitor.context.route("**/consents", lambda route: route.abort("internetdisconnected"))
    visitor.open(setup.site_key)
    visitor.call("acceptAll")
    visitor.page.wait_for_function("localStorage.getItem('consentkit:queue')")
    visitor.open(setup.site_key, path="/p/cart")  # a new page load, still offline
    visitor.call("withdraw")
    visitor.page.wait_for_function("localStorage.getItem('consentkit:queue').split('consent_id').length == 3")
    assert setup.log.count() == 0
    visitor.context.unroute("**/consents")
    visitor.open(setup.site_key, path="/p/checkout")
    setup.log.wait_for(2)
    assert setup.log.methods(visitor.consent()["consentId"]) == ["accept_all", "withdraw"]
    visitor.close()


def test_the_hosted_declaration_page_logs_its_own_choices(setup, browser):
    setup.start()
    visitor = setup.visitor(browser)
    page = visitor.context.new_page()
    page.goto(f"http://{CONSENT_HOST}:{setup.server.port}/v1/sites/{setup.site_key}/declaration?lang=nb")
    page.wait_for_function("window.ConsentKit && document.querySelector('[data-consentkit-root]')")
    page.evaluate("ConsentKit.rejectAll()")
    setup.log.wait_for(1)
    page.locator("[data-consentkit-action=withdraw]").click()
    setup.log.wait_for(2)
    visitor.close()


def test_an_added_origin_keeps_the_old_one(setup, browser):
    setup.start()
    old = setup.visitor(browser)
    old.open(setup.site_key)
    old.call("acceptAll")
    setup.log.wait_for(1)
    cli = [sys.executable, "-m", "consentkit", "site", "edit", setup.site_key, "--add-origin",
           f"http://shop.kaffebaren.no:{setup.pages.port}"]
    done = subprocess.run(cli, env=setup.server.env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    new = setup.visitor(browser)
    new.open(setup.site_key, host="shop.kaffebaren.no")
    new.call("acceptAll")
    old.open(setup.site_key, path="/p/again")
    old.call("rejectAll")
    setup.log.wait_for(3)
    for visitor in (old, new):
        visitor.close()


def test_one_cookie_format_on_both_sides_keeps_the_consent_id(setup, browser):
    """The API on consent.kaffebaren.no sets the consent cookie for kaffebaren.no over HTTP; when the
    cookie the script wrote is gone (Safari drops them after 7 days), the banner reads the server's,
    asks nothing, and the next change joins the same history with its receipt."""
    setup.start()
    visitor = setup.visitor(browser)
    visitor.open(setup.site_key)
    visitor.call("acceptAll")
    setup.log.wait_for(1)
    first = wait_until(lambda: (c := visitor.consent()) and c["receipt"] and c, what="a receipt")
    cookies = [c for c in visitor.context.cookies() if c["name"] == "consentkit"]
    assert {c["domain"] for c in cookies} == {PAGE_HOST, ".kaffebaren.no"}
    server_cookie = next(c for c in cookies if c["domain"] == ".kaffebaren.no")
    value = json.loads(urllib.parse.unquote(server_cookie["value"]))
    assert value["i"] == first["consentId"] and value["x"] == first["receipt"]
    visitor.context.clear_cookies(domain=PAGE_HOST)  # the script's cookie expired
    page = visitor.open(setup.site_key, path="/p/next-week")
    assert page.locator("[data-consentkit-root] [role=dialog]").count() == 0  # not asked again
    assert visitor.consent()["consentId"] == first["consentId"]
    visitor.call("withdraw")
    setup.log.wait_for(2)
    assert setup.log.methods(first["consentId"]) == ["accept_all", "withdraw"]
    visitor.close()


def test_a_forged_consent_id_cannot_join_another_visitors_history(setup, browser):
    setup.start()
    victim = setup.visitor(browser)
    victim.open(setup.site_key)
    victim.call("rejectAll")
    setup.log.wait_for(1)
    stolen = victim.consent()["consentId"]
    forger = setup.visitor(browser)
    forged = json.dumps({"i": stolen, "c": {"functional": True, "analytics": True, "marketing": True},
                         "r": 1, "t": 1, "m": "custom"})
    forger.context.add_cookies([{"name": "consentkit", "value": urllib.parse.quote(forged),
                                 "domain": PAGE_HOST, "path": "/"}])
    forger.open(setup.site_key)
    forger.call("acceptAll")
    setup.log.wait_for(2)
    assert setup.log.methods(stolen) == ["reject_all"]
    wait_until(lambda: forger.consent()["consentId"] != stolen, what="the forger got an ID of its own")
    assert setup.log.methods(forger.consent()["consentId"]) == ["accept_all"]
    for visitor in (victim, forger):
        visitor.close()
