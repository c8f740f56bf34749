"""What the end-to-end consent tests share: a real `consentkit serve`, a site that embeds its banner,
a browser whose host names all lead to them, and waits for what the database holds.

Host names: pages live on www.kaffebaren.no (and shop.kaffebaren.no), the consent server answers as
consent.kaffebaren.no: one registrable domain, as README recommends, so the server sets the consent
cookie over HTTP. Chromium maps every *.kaffebaren.no name to 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from consentkit.models import ConsentRecord

DOMAIN = "kaffebaren.no"
PAGE_HOST = f"www.{DOMAIN}"
CONSENT_HOST = f"consent.{DOMAIN}"
RESOLVER_RULES = f"--host-resolver-rules=MAP *.{DOMAIN} 127.0.0.1"
GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
# Every decision the banner reports (it dispatches consentkit:change for each) reaches Python.
WATCH_CHANGES = ("document.addEventListener('consentkit:change', (e) => "
                 "window.ckChanged(e.detail && e.detail.method, e.detail && e.detail.consentId));")


def wait_until(predicate: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    """Poll `predicate` until it returns something true; the last value is in the error."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(0.05)
        value = predicate()
    if not value:
        raise AssertionError(f"{what}: still false after {timeout} s (last: {value!r})")
    return value


class Log:
    """The consent log as the database holds it (read straight from the tables)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url)

    def count(self, site_id: int | None = None) -> int:
        query = select(func.count()).select_from(ConsentRecord)
        if site_id is not None:
            query = query.where(ConsentRecord.site_id == site_id)
        with self.engine.connect() as conn:
            return int(conn.scalar(query) or 0)

    def methods(self, consent_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(select(ConsentRecord.method).where(
                ConsentRecord.consent_id == consent_id).order_by(ConsentRecord.seq)))

    def rows(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(ConsentRecord.consent_id, ConsentRecord.seq,
                                            ConsentRecord.method, ConsentRecord.site_id)
                                     .order_by(ConsentRecord.id)))

    def wait_for(self, count: int, site_id: int | None = None, timeout: float = 20) -> None:
        wait_until(lambda: self.count(site_id) == count, timeout,
                   f"{count} records in the log (found {self.count(site_id)})")

    def close(self) -> None:
        self.engine.dispose()


class Visitor:
    """One browser context (one visitor): opens pages of the site and collects every decision."""

    def __init__(self, browser: Any, site_port: int, *, gpc: bool = False) -> None:
        self.context = browser.new_context()
        self.site_port = site_port
        self.changes: list[tuple[str, str]] = []
        self.context.expose_function("ckChanged", lambda method, cid: self.changes.append((method, cid)))
        self.context.add_init_script(WATCH_CHANGES)
        if gpc:
            self.context.add_init_script(GPC_ON)
        self.page: Any = None

    def open(self, key: str, *, lang: str = "nb", path: str = "/p/shop", host: str = PAGE_HOST,
             **query: str) -> Any:
        extra = "".join(f"&{name}={value}" for name, value in query.items())
        self.page = self.page or self.context.new_page()
        self.page.goto(f"http://{host}:{self.site_port}{path}?key={key}&lang={lang}{extra}")
        self.page.wait_for_function("window.ConsentKit && document.querySelector('[data-consentkit-root]')")
        return self.page

    def call(self, method: str) -> None:
        """ConsentKit.acceptAll() and the like: what the banner's own buttons call."""
        self.page.evaluate(f"ConsentKit.{method}()")

    def save_custom(self) -> None:
        """Open the settings layer, flip the first switch that can be flipped, and save."""
        self.page.evaluate("ConsentKit.show('settings')")
        switch = self.page.locator("[data-consentkit-root] input[data-category]:not([disabled])").first
        switch.click()
        self.page.locator("[data-consentkit-root] [data-ck=save]").click()

    def consent(self) -> dict | None:
        return self.page.evaluate("ConsentKit.getConsent()")

    def close(self) -> None:
        self.context.close()
