"""`scan(url, options)`: crawl before consent, then give and refuse consent, and build the report.

The library entry point behind `consentkit scan`. Everything is bounded: pages, depth, a per-page
timeout, the quiet wait, and a total time budget after which the scan stops crawling and reports
what it has. Ctrl-C cancels the crawl and the browser is closed on the way out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from playwright.async_api import Browser, async_playwright
from playwright.async_api import Error as PlaywrightError

from .crawl import Frontier, check_start_url
from .engine import Settings, Tab, Visit, launch
from .errors import ScanTimeout, UnreachableSite
from .observe import Observations
from .phases import give_consent
from .report import build_report, load_classifier
from .resolve import resolver_args
from .sitemaps import add_sitemaps

Progress = Callable[[int, int, int], None]


@dataclass
class ScanOptions:
    """Limits and switches of one scan; the CLI options map one to one onto these."""

    max_pages: int = 50
    max_depth: int | None = None
    concurrency: int = 4
    resolve: tuple[str, ...] = ()
    ignore_https_errors: bool = False
    include_subdomains: bool = False
    page_timeout: float = 15.0
    total_timeout: float = 900.0
    idle_ms: int = 500
    quiet_ms: int = 2000
    quiet_cap_ms: int = 8000
    recycle_every: int = 25
    per_path_queries: int = 3
    phase_pages: int = 3
    consent_phases: bool = True
    sitemaps: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> Settings:
        return Settings(ignore_https_errors=self.ignore_https_errors, page_timeout=self.page_timeout,
                        idle_ms=self.idle_ms, quiet_ms=self.quiet_ms, quiet_cap_ms=self.quiet_cap_ms,
                        recycle_every=self.recycle_every)


def scan(url: str, options: ScanOptions | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Scan a site and return the report (see scanner.report). Raises ScanError subclasses."""
    options = options or ScanOptions()
    start = check_start_url(url)
    resolver_args(options.resolve)  # a malformed --resolve is a usage error, before launching anything
    return run_coroutine(lambda: scan_async(start, options, progress))


def run_coroutine(make: Callable[[], Any]) -> Any:
    """`asyncio.run`, or the same in a worker thread when this thread already runs an event loop
    (Playwright's sync API, Jupyter), where `asyncio.run` refuses to start."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="consentkit-scan") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


async def scan_async(url: str, options: ScanOptions, progress: Progress | None = None) -> dict[str, Any]:
    started = time.time()
    asyncio.get_running_loop().set_exception_handler(_ignore_closed_targets)
    obs = Observations()
    classifier, why = load_classifier()
    if why:
        obs.notes.append(why)
    frontier = Frontier(url, max_pages=options.max_pages, max_depth=options.max_depth,
                        include_subdomains=options.include_subdomains,
                        per_path_queries=options.per_path_queries)
    interaction: dict[str, Any] = {}
    async with async_playwright() as pw, launch(pw, options.resolve) as browser:
        crawler = Crawler(browser, frontier, obs, options, progress)
        try:
            interaction = await asyncio.wait_for(_run_all(crawler, browser, obs, options, url),
                                                 options.total_timeout)
        except TimeoutError:
            obs.notes.append(f"total time budget of {options.total_timeout:g}s used up; "
                             f"{len(frontier.queue)} queued pages were not visited")
    return build_report(obs, url, started, _public(options), interaction, classifier)


async def _run_all(crawler: Crawler, browser: Browser, obs: Observations, options: ScanOptions,
                   url: str) -> dict[str, Any]:
    """The start page first (it decides whether the site is reachable), then the rest of the crawl
    and the two consent phases at the same time, on the pages the start page links to."""
    first = await crawler.start()
    if not options.consent_phases:
        await crawler.run()
        return {}
    links = [u for u, _depth in list(crawler.frontier.queue)[: max(0, options.phase_pages - 1)]]
    pages = [url, *links] if first.status and first.status < 400 else [url]
    results = await asyncio.gather(crawler.run(), *(consent_phase(browser, obs, options, choice, pages)
                                                    for choice in ("accept", "reject")))
    return dict(zip(("accept", "reject"), results[1:], strict=True))


def _ignore_closed_targets(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Calls still pending when a page or the browser closes (Ctrl-C, a recycled tab) fail with
    Playwright errors nobody waits for; they are expected, not worth a traceback on the terminal."""
    if isinstance(context.get("exception"), PlaywrightError):
        return
    loop.default_exception_handler(context)


def _public(options: ScanOptions) -> dict[str, Any]:
    shown = asdict(options)
    shown.pop("extra")
    shown["resolve"] = list(options.resolve)
    return shown


class Crawler:
    """The "before consent" crawl: N workers, each with its own recycled tab, sharing one frontier."""

    def __init__(self, browser: Browser, frontier: Frontier, obs: Observations, options: ScanOptions,
                 progress: Progress | None) -> None:
        self.browser, self.frontier, self.obs, self.options = browser, frontier, obs, options
        self.progress = progress or (lambda done, queued, cookies: None)
        self.active = 0
        self.done = 0

    async def start(self) -> Visit:
        """Visit the start page alone; UnreachableSite or ScanTimeout when it does not load."""
        self.first = Tab(self.browser, self.obs, self.options.settings(), "before")
        item = self.frontier.pop()
        assert item is not None
        try:
            return await self._visit(self.first, *item, start=True)
        except BaseException:
            await self.first.close()
            raise

    async def run(self) -> None:
        """The workers, and the sitemap reader feeding them, until the frontier is exhausted."""
        tabs = [self.first, *(Tab(self.browser, self.obs, self.options.settings(), "before")
                              for _ in range(max(1, self.options.concurrency) - 1))]
        self.active += 1  # the sitemap reader counts as busy: it may still add pages
        try:
            await asyncio.gather(self._sitemaps_then_idle(), *(self._worker(tab) for tab in tabs))
        finally:
            await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)

    async def _sitemaps_then_idle(self) -> None:
        try:
            if self.options.sitemaps:
                await add_sitemaps(self.frontier, self.obs, self.options.resolve,
                                   self.options.ignore_https_errors, self.options.page_timeout,
                                   self.browser.version)
        finally:
            self.active -= 1

    async def _worker(self, tab: Tab) -> None:
        while True:
            item = self.frontier.pop()
            if item is None:
                if self.active == 0:
                    return
                await asyncio.sleep(0.02)
                continue
            await tab.recycle_if_due()
            await self._visit(tab, *item)

    async def _visit(self, tab: Tab, url: str, depth: int, start: bool = False) -> Visit:
        self.active += 1
        try:
            visit = await tab.visit(url)
        finally:
            self.active -= 1
        if start and visit.status is None and visit.error:
            if visit.error.startswith("timeout"):
                raise ScanTimeout(url, self.options.page_timeout)
            raise UnreachableSite(url, visit.error)
        error = visit.error or (None if visit.html else "not HTML")
        self.obs.pages.append({"url": url, "status": visit.status, "phase": "before", "error": error,
                               "depth": depth})
        for link in visit.links:
            self.frontier.add(link, depth + 1)
        self.done += 1
        self.progress(self.done, len(self.frontier.queue), self.obs.cookie_count())
        return visit


async def consent_phase(browser: Browser, obs: Observations, options: ScanOptions, choice: str,
                        pages: list[str]) -> dict[str, Any]:
    """A fresh context: open the start page, accept or reject all, then visit a few more pages."""
    tab = Tab(browser, obs, options.settings(), choice)
    try:
        first = await tab.visit(pages[0], collect=False)
        obs.pages.append({"url": pages[0], "status": first.status, "phase": choice, "error": first.error,
                          "depth": 0})
        if tab.page is None or first.status is None:
            return {"method": "none", "ok": False, "detail": f"start page failed: {first.error}"}
        outcome = await give_consent(tab.page, choice)
        await tab.settle(time.monotonic() + options.page_timeout)
        await tab.collect(pages[0])
        for url in pages[1:]:
            visit = await tab.visit(url)
            obs.pages.append({"url": url, "status": visit.status, "phase": choice, "error": visit.error,
                              "depth": None})
        return outcome
    finally:
        await tab.close()
