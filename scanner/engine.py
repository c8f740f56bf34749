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
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Frame, Page, Playwright, Response, Route
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from .browser import launch_options
from .collect import BINDING, INIT_SCRIPT, STORAGE_SCRIPT
from .observe import Observations
from .resolve import resolver_args
from .watch import Activity, interact, pending_script, watch

# Preferences of the throw-away profile: allow third-party cookies, like desktop Chrome does.
PROFILE_PREFERENCES = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}
LINKS_SCRIPT = "els => els.slice(0, 3000).map(e => e.href).filter(h => typeof h === 'string')"
MAX_FRAMES = 20


@dataclass
class Settings:
    """How a tab behaves; the defaults are tuned for ≥150 pages/min on a small machine.

    After the load event and a visitor's interaction, a page is watched until nothing is left that
    could write for `idle_ms`, or storage was quiet for `quiet_ms`, at most `quiet_cap_ms`
    (see scanner.watch)."""

    ignore_https_errors: bool = False
    page_timeout: float = 15.0
    idle_ms: int = 250
    quiet_ms: int = 2000
    quiet_cap_ms: int = 8000
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
    timed_out: bool = False
    watch: str = ""  # how the late-write watch ended: idle, quiet, cap (scanner.watch), or ""
    links: list[str] = field(default_factory=list)


class Tab:
    """A browser context with one page, its listeners, and the late-write watch of its page.

    The context is recycled every `recycle_every` pages (and after a hung page) so memory stays
    bounded on long crawls; a fresh context is also what "before consent" means.
    """

    def __init__(self, browser: Browser, obs: Observations, settings: Settings, phase: str,
                 loading: asyncio.Semaphore | None = None) -> None:
        self.browser, self.obs, self.settings, self.phase = browser, obs, settings, phase
        # shared by a crawl's tabs: held while a page loads, let go while it is only watched
        self.loading = loading
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.current_url = ""
        self.visits = 0
        self.broken = False
        self.activity = Activity()
        self.navigation: Response | None = None  # the main frame's latest document response
        self.pending: set[asyncio.Task] = set()

    async def open(self) -> None:
        context = await self.browser.new_context(
            ignore_https_errors=self.settings.ignore_https_errors, accept_downloads=False,
            viewport={"width": 1280, "height": 900}, locale="nb-NO")
        await context.expose_binding(BINDING, self._on_script_write)
        await context.add_init_script(INIT_SCRIPT)
        await context.add_init_script(pending_script(BINDING, self.settings.quiet_cap_ms))
        context.set_default_timeout(self.settings.page_timeout * 1000)
        context.on("request", lambda request: self.activity.request(request, done=False))
        context.on("requestfinished", lambda request: self.activity.request(request, done=True))
        context.on("requestfailed", lambda request: self.activity.request(request, done=True))
        context.on("response", self._on_response)
        context.on("page", self._on_page)
        if self.phase != "before":
            await context.route(CONSENT_LOG_PATTERN, _answer_consent_post)
        self.context, self.visits, self.broken, self.activity = context, 0, False, Activity()
        self.page = None
        self.page = await context.new_page()
        self.page.on("framenavigated", self._on_frame_navigated)
        self.page.on("framedetached", self.activity.forget_frame)

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
        kind, text = str(kind), str(text)
        if kind == "pending":
            self.activity.frame_state(frame, text)
            return
        frame_url = frame.url if frame is not None else self.current_url
        self.obs.setters.from_script(kind, text, str(stack), frame_url, self.current_url)
        self.activity.wrote(kind, text.partition("=")[0].strip() if kind == "cookie" else text)

    def _on_frame_navigated(self, frame: Frame) -> None:
        """A frame with a new document starts with nothing pending (its old timers died with it)."""
        self.activity.forget_frame(frame)

    def _on_response(self, response: Response) -> None:
        request = response.request
        self.obs.add_request(response.url, request.resource_type, response.headers)
        if request.is_navigation_request() and self.page is not None:
            with contextlib.suppress(PlaywrightError):
                if request.frame == self.page.main_frame:
                    self.navigation = response
        task = asyncio.ensure_future(self._read_set_cookie(response, self.current_url))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _read_set_cookie(self, response: Response, page_url: str) -> None:
        with contextlib.suppress(PlaywrightError):
            for header in await response.headers_array():
                if header["name"].lower() == "set-cookie":
                    for line in header["value"].split("\n"):
                        self.obs.setters.cookie_from_response(line, response.url, page_url)
                        self.activity.wrote("cookie", line.partition("=")[0].strip())

    def _on_page(self, page: Page) -> None:
        """Popups (window.open, target=_blank clicks) are closed at once."""
        if self.page is not None and page is not self.page:
            asyncio.ensure_future(_quietly(page.close()))

    # ---- visiting -------------------------------------------------------------------------
    async def visit(self, url: str, collect: bool = True) -> Visit:
        """Load a page, watch it until its storage is quiet, and record what it stored.

        A page that fails still has its cookies recorded: the responses of a redirect loop, a
        download or a page cut off by the timeout may have set some. A timed-out page is recorded
        as it stood at the timeout, links included, and the crawl goes on."""
        if self.context is None:
            await self.open()
        assert self.page is not None
        self.visits += 1
        self.current_url, self.navigation = url, None
        self.activity.reset()
        visit = Visit(url)
        deadline = time.monotonic() + self.settings.page_timeout
        async with self.loading or contextlib.nullcontext():
            response = await self._load(visit)
            ready = visit.error is None and await self._ready(deadline)
        response = response or self.navigation
        if response is not None:
            visit.status = response.status
            visit.html = "html" in response.headers.get("content-type", "text/html").lower()
        if visit.error:
            self.broken = True  # a failed navigation leaves the page in a state not worth trusting
        else:
            visit.watch = await self._watch(deadline) if ready else "unresponsive"
        if collect:
            await self.collect(url)
        if visit.html and visit.status is not None and (not visit.error or visit.timed_out):
            visit.links = await self._bounded(
                self.page.eval_on_selector_all("a[href], area[href]", LINKS_SCRIPT), 3) or []
        return visit

    async def _load(self, visit: Visit) -> Response | None:
        assert self.page is not None
        try:
            return await self.page.goto(visit.url, wait_until="domcontentloaded")
        except PlaywrightTimeout:
            visit.error, visit.timed_out = f"timeout after {self.settings.page_timeout:g}s", True
        except PlaywrightError as exc:
            visit.error = _short_error(exc)
        return None

    async def settle(self, deadline: float) -> str:
        """The load event, a visitor's interaction, then the late-write watch (scanner.watch).

        Returns how the watch ended: idle, quiet, cap, or "unresponsive" (the page stopped
        answering the scanner)."""
        return await self._watch(deadline) if await self._ready(deadline) else "unresponsive"

    async def _ready(self, deadline: float) -> bool:
        """The load event (or the deadline), then a visitor's first moves; False when the page no
        longer answers."""
        assert self.page is not None
        remaining = max(0.1, deadline - time.monotonic())
        with contextlib.suppress(PlaywrightError):
            await self.page.wait_for_load_state("load", timeout=remaining * 1000)
        return bool(await self._bounded(interact(self.page), 3))

    async def _watch(self, deadline: float) -> str:
        end = min(time.monotonic() + self.settings.quiet_cap_ms / 1000, deadline)
        reason = await watch(self.activity, self.settings.idle_ms, self.settings.quiet_ms, end,
                             confirm=self._round_trip)
        if self.pending:
            await asyncio.wait(set(self.pending), timeout=1)
        return reason

    async def _round_trip(self) -> None:
        if self.page is not None:
            await self.page.evaluate("0")

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
