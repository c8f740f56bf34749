"""The browser side of a scan: one Chromium, and tabs (a context and its page) that visit URLs.

Chromium keeps third-party cookies out of every profile by default here (they show up as blocked
for "UserPreferences"); no `--disable-features` switch changes that. A profile whose preferences
allow them does, and the off-the-record contexts made from it inherit the setting. So the browser
is launched as a persistent context on a throw-away profile, and scans use `browser.new_context()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Playwright, Request, Response, Route
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from .browser import launch_options
from .collect import BINDING, INIT_SCRIPT, STORAGE_SCRIPT
from .observe import Observations
from .resolve import resolver_args

# Preferences of the throw-away profile: allow third-party cookies, like desktop Chrome does.
PROFILE_PREFERENCES = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}
LINKS_SCRIPT = "els => els.slice(0, 3000).map(e => e.href).filter(h => typeof h === 'string')"
SCROLL_SCRIPT = "() => { const h = document.documentElement ? document.documentElement.scrollHeight : 0; " \
                "window.scrollTo(0, h); return h; }"
MAX_FRAMES = 20


@dataclass
class Settings:
    """How a tab behaves; the defaults are tuned for ≥150 pages/min on a small machine."""

    ignore_https_errors: bool = False
    page_timeout: float = 15.0
    idle_ms: int = 500
    quiet_cap_ms: int = 3000
    recycle_every: int = 25


@contextlib.asynccontextmanager
async def launch(pw: Playwright, resolve: tuple[str, ...] = ()) -> AsyncIterator[Browser]:
    """Chromium on a fresh profile that allows third-party cookies; removed again on exit."""
    profile = Path(tempfile.mkdtemp(prefix="consentkit-scan-"))
    (profile / "Default").mkdir()
    (profile / "Default" / "Preferences").write_text(json.dumps(PROFILE_PREFERENCES))
    holder = None
    try:
        holder = await pw.chromium.launch_persistent_context(
            str(profile), **launch_options(resolver_args(resolve)))
        assert holder.browser is not None
        yield holder.browser
    finally:
        if holder is not None:
            with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(holder.close(), 10)
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Visit:
    """The outcome of loading one URL in a tab."""

    url: str
    status: int | None = None
    error: str | None = None
    html: bool = True
    links: list[str] = field(default_factory=list)


class Tab:
    """A browser context with one page, its listeners, and the wait-until-quiet logic.

    The context is recycled every `recycle_every` pages (and after a hung page) so memory stays
    bounded on long crawls; a fresh context is also what "before consent" means.
    """

    def __init__(self, browser: Browser, obs: Observations, settings: Settings, phase: str) -> None:
        self.browser, self.obs, self.settings, self.phase = browser, obs, settings, phase
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.current_url = ""
        self.visits = 0
        self.broken = False
        self.inflight = 0
        self.last_activity = time.monotonic()
        self.pending: set[asyncio.Task] = set()

    async def open(self) -> None:
        context = await self.browser.new_context(
            ignore_https_errors=self.settings.ignore_https_errors, accept_downloads=False,
            viewport={"width": 1280, "height": 900}, locale="nb-NO")
        await context.expose_binding(BINDING, self._on_script_write)
        await context.add_init_script(INIT_SCRIPT)
        context.set_default_timeout(self.settings.page_timeout * 1000)
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_request_done)
        context.on("requestfailed", self._on_request_done)
        context.on("response", self._on_response)
        context.on("page", self._on_page)
        if self.phase != "before":
            await context.route(CONSENT_LOG_PATTERN, _answer_consent_post)
        self.context, self.visits, self.broken, self.inflight = context, 0, False, 0
        self.page = None
        self.page = await context.new_page()

    async def close(self) -> None:
        if self.context is not None:
            context, self.context, self.page = self.context, None, None
            with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(context.close(), 10)
        for task in self.pending:
            task.cancel()
        self.pending.clear()

    async def recycle_if_due(self) -> None:
        if self.broken or self.visits >= self.settings.recycle_every:
            await self.close()
            await self.open()

    # ---- listeners ------------------------------------------------------------------------
    def _on_script_write(self, source: dict[str, Any], kind: Any, text: Any, stack: Any) -> None:
        frame = source.get("frame")
        frame_url = frame.url if frame is not None else self.current_url
        self.obs.setters.from_script(str(kind), str(text), str(stack), frame_url, self.current_url)

    def _on_request(self, request: Request) -> None:
        self.inflight += 1
        self.last_activity = time.monotonic()

    def _on_request_done(self, request: Request) -> None:
        self.inflight = max(0, self.inflight - 1)
        self.last_activity = time.monotonic()

    def _on_response(self, response: Response) -> None:
        self.obs.add_request(response.url, response.request.resource_type, response.headers)
        task = asyncio.ensure_future(self._read_set_cookie(response, self.current_url))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _read_set_cookie(self, response: Response, page_url: str) -> None:
        with contextlib.suppress(PlaywrightError):
            for header in await response.headers_array():
                if header["name"].lower() == "set-cookie":
                    for line in header["value"].split("\n"):
                        self.obs.setters.cookie_from_response(line, response.url, page_url)

    def _on_page(self, page: Page) -> None:
        """Popups (window.open, target=_blank clicks) are closed at once."""
        if self.page is not None and page is not self.page:
            asyncio.ensure_future(_quietly(page.close()))

    # ---- visiting -------------------------------------------------------------------------
    async def visit(self, url: str, collect: bool = True) -> Visit:
        """Load a page, wait for it to settle, scroll, and record what it stored."""
        if self.context is None:
            await self.open()
        assert self.page is not None
        self.visits += 1
        self.current_url = url
        visit = Visit(url)
        deadline = time.monotonic() + self.settings.page_timeout
        try:
            response = await self.page.goto(url, wait_until="domcontentloaded")
        except PlaywrightTimeout:
            visit.error = f"timeout after {self.settings.page_timeout:g}s"
            response = None
        except PlaywrightError as exc:
            visit.error = _short_error(exc)
            response = None
        if response is not None:
            visit.status = response.status
            kind = response.headers.get("content-type", "text/html").lower()
            visit.html = "html" in kind
        if visit.error:
            self.broken = True  # a failed navigation leaves the page in a state not worth trusting
        if visit.error and not visit.error.startswith("timeout"):
            return visit
        await self.settle(deadline)
        if collect:
            await self.collect(url)
        if visit.html and not visit.error:
            visit.links = await self._bounded(
                self.page.eval_on_selector_all("a[href], area[href]", LINKS_SCRIPT), 3) or []
        return visit

    async def settle(self, deadline: float) -> None:
        """Load event, a scroll to the bottom to wake lazy tags, then a bounded quiet period."""
        assert self.page is not None
        remaining = max(0.1, deadline - time.monotonic())
        with contextlib.suppress(PlaywrightError):
            await self.page.wait_for_load_state("load", timeout=remaining * 1000)
        if await self._bounded(self.page.evaluate(SCROLL_SCRIPT), 2) is None:
            return
        await self.wait_quiet(min(self.settings.quiet_cap_ms / 1000, max(0.0, deadline - time.monotonic())))

    async def wait_quiet(self, cap: float) -> None:
        """Until no request has been in flight for `idle_ms`, at most `cap` seconds."""
        idle = self.settings.idle_ms / 1000
        end = time.monotonic() + cap
        while time.monotonic() < end:
            if self.inflight == 0 and time.monotonic() - self.last_activity >= idle:
                break
            await asyncio.sleep(0.05)
        if self.pending:
            await asyncio.wait(set(self.pending), timeout=1)

    async def collect(self, page_url: str) -> None:
        """Record the context's cookies and every frame's storage as seen from `page_url`."""
        assert self.context is not None and self.page is not None
        cookies = await self._bounded(self.context.cookies(), 5) or []
        for raw in cookies:
            self.obs.add_cookie(raw, page_url, self.phase)
        for frame in self.page.frames[:MAX_FRAMES]:
            found = await self._bounded(frame.evaluate(STORAGE_SCRIPT), 2)
            if not isinstance(found, dict) or not str(found.get("origin", "")).startswith("http"):
                continue
            for kind, name in found.get("items") or []:
                self.obs.add_storage(kind, name, found["origin"], page_url, self.phase)

    async def _bounded(self, awaitable: Any, seconds: float) -> Any:
        """Await with a time limit; a page that hangs its main thread marks the tab for recycling.

        The limit is never below a third of the page timeout: a busy machine is not a hung page."""
        try:
            return await asyncio.wait_for(awaitable, max(seconds, self.settings.page_timeout / 3))
        except TimeoutError:
            self.broken = True
        except PlaywrightError:
            pass
        return None


# The scanner's own "accept all" and "reject all" are not a visitor's choice: consentkit's banner
# gets its 201 from here, so the scan never writes records into the site's proof-of-consent log.
CONSENT_LOG_PATTERN = re.compile(r"/v1/sites/[^/]+/consents$")


async def _answer_consent_post(route: Route) -> None:
    if route.request.method != "POST":
        await route.continue_()
        return
    await route.fulfill(status=201, content_type="application/json",
                        body='{"recorded": false, "note": "consentkit scanner"}')


async def _quietly(awaitable: Any) -> None:
    with contextlib.suppress(PlaywrightError):
        await awaitable


def _short_error(exc: PlaywrightError) -> str:
    """`net::ERR_NAME_NOT_RESOLVED at https://…` from Playwright's multi-line message."""
    text = str(exc.message if hasattr(exc, "message") else exc).strip()
    first = text.splitlines()[0] if text else "error"
    if "Download is starting" in text:
        return "download (cancelled)"
    for token in first.split():
        if token.startswith("net::"):
            return token
    return first.removeprefix("Page.goto: ")[:200]


@contextlib.asynccontextmanager
async def fetcher(browser: Browser, settings: Settings,
                  limit: int = 10_000_000) -> AsyncIterator[Callable[[str], Awaitable[str | None]]]:
    """A function fetching text resources (robots.txt, sitemaps) through Chromium, so --resolve
    applies (Playwright's APIRequestContext would ignore it); None when not 2xx. One context."""
    context = await browser.new_context(ignore_https_errors=settings.ignore_https_errors,
                                        accept_downloads=False)
    page = await context.new_page()

    async def fetch(url: str) -> str | None:
        try:
            response = await page.goto(url, wait_until="commit", timeout=settings.page_timeout * 1000)
            if response is None or not response.ok:
                return None
            body = await asyncio.wait_for(response.body(), settings.page_timeout)
        except (PlaywrightError, TimeoutError):
            return None
        return body[:limit].decode("utf-8", "replace")

    try:
        yield fetch
    finally:
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(context.close(), 10)
