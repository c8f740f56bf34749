"""`scan(url, options)`: crawl before consent, then give and refuse consent, and build the report.

The library entry point behind `consentkit scan`. Everything is bounded: pages, depth, a per-page
timeout, the late-write watch, and a total time budget after which the scan stops crawling and
reports what it has. A page that times out is recorded as it stood and the crawl goes on. Ctrl-C
and SIGTERM cancel the crawl, and the browser is closed on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from playwright.async_api import Browser, async_playwright
from playwright.async_api import Error as PlaywrightError

from .crawl import Frontier, check_start_url
from .engine import Settings, Tab, Visit, launch
from .errors import InvalidPhases, ScanCancelled, ScanError, ScanTerminated, ScanTimeout, UnreachableSite
from .observe import PHASES, Observations
from .phases import give_consent
from .report import NO_CLASSIFIER, build_report
from .resolve import resolver_args
from .sitemaps import add_sitemaps

Progress = Callable[[int, int, int], None]


def parse_phases(value: str) -> tuple[str, ...]:
    """`before,accept` → ("before", "accept"), in scan order; InvalidPhases for anything else."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not names or any(name not in PHASES for name in names):
        raise InvalidPhases(value)
    return tuple(phase for phase in PHASES if phase in names)


@dataclass
class ScanOptions:
    """Limits and switches of one scan; the CLI options map one to one onto these.

    `phases` are the crawls to run: `before` (the whole site, before consent), `accept` and `reject`
    (a fresh visitor who accepts or rejects all on the start page, then visits `phase_pages` pages).
    `consent_phases=False` is the older spelling of `phases=("before",)`.

    `concurrency` pages load at once; the crawl has `tabs_per_load` times as many tabs, because a
    tab that is only watching a loaded page for late writes leaves its load slot to another."""

    max_pages: int = 50
    max_depth: int | None = None
    concurrency: int = 4
    tabs_per_load: int = 2
    resolve: tuple[str, ...] = ()
    ignore_https_errors: bool = False
    include_subdomains: bool = False
    page_timeout: float = 15.0
    total_timeout: float = 900.0
    idle_ms: int = 250
    quiet_ms: int = 2000
    quiet_cap_ms: int = 8000
    recycle_every: int = 25
    per_path_queries: int = 3
    phase_pages: int = 3
    phases: tuple[str, ...] = PHASES
    consent_phases: bool = True
    sitemaps: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.phases = parse_phases(",".join(self.phases))
        if not self.consent_phases:
            self.phases = ("before",)

    def settings(self) -> Settings:
        return Settings(ignore_https_errors=self.ignore_https_errors, page_timeout=self.page_timeout,
                        idle_ms=self.idle_ms, quiet_ms=self.quiet_ms, quiet_cap_ms=self.quiet_cap_ms,
                        recycle_every=self.recycle_every)


def scan(url: str, options: ScanOptions | None = None, progress: Progress | None = None, *,
         classifier: Any = None, stop: threading.Event | None = None) -> dict[str, Any]:
    """Scan a site and return the report (see scanner.report). Raises ScanError subclasses;
    ScanTerminated after a SIGTERM, ScanCancelled once `stop` is set (the browser is closed first).

    `classifier` has `classify(name, domain=, setter=, kind=)` and optionally `classify_host(host)`
    (consentkit's classifier fits); the scanner has no knowledge of its own, so without one every
    item is unclassified, which the report says in its notes."""
    options = options or ScanOptions()
    start = check_start_url(url)
    resolver_args(options.resolve)  # a malformed --resolve is a usage error, before launching anything
    return run_coroutine(lambda: _stoppable(scan_async(start, options, progress, classifier), stop))


def run_coroutine(make: Callable[[], Any]) -> Any:
    """`asyncio.run`, or the same in a worker thread when this thread already runs an event loop
    (Playwright's sync API, Jupyter), where `asyncio.run` refuses to start."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_terminable(make))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="consentkit-scan") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


async def _terminable(make: Callable[[], Any]) -> Any:
    """Run `make()` so that SIGTERM cancels it the way asyncio turns Ctrl-C into a cancellation:
    every `finally` and `async with` runs (the browser is closed), then ScanTerminated is raised.
    Only the main thread can take signals; elsewhere SIGTERM keeps its usual meaning."""
    if threading.current_thread() is not threading.main_thread():
        return await make()
    loop, task, terminated = asyncio.get_running_loop(), asyncio.current_task(), []
    assert task is not None
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm() -> None:
        terminated.append(True)
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        return await make()
    except asyncio.CancelledError:
        if terminated:
            raise ScanTerminated() from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        signal.signal(signal.SIGTERM, previous)


async def _stoppable(scanning: Any, stop: threading.Event | None) -> Any:
    """Await the scan; once `stop` is set (from another thread), cancel it: its `finally` and
    `async with` blocks close the browser, then ScanCancelled is raised. The event is polled, since
    waiting on it in a thread would keep that thread alive after the scan."""
    if stop is None:
        return await scanning
    task = asyncio.ensure_future(scanning)
    try:
        while not task.done():
            if stop.is_set():
                await _cancelled(task)
                raise ScanCancelled()
            await asyncio.wait({task}, timeout=0.2)
    except asyncio.CancelledError:  # SIGTERM or Ctrl-C: the scan is cancelled with us
        await _cancelled(task)
        raise
    return task.result()


async def _cancelled(task: asyncio.Future) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, ScanError, PlaywrightError):
        await task


async def scan_async(url: str, options: ScanOptions, progress: Progress | None = None,
                     classifier: Any = None) -> dict[str, Any]:
    started = time.time()
    asyncio.get_running_loop().set_exception_handler(_ignore_closed_targets)
    obs = Observations()
    if classifier is None:
        obs.notes.append(NO_CLASSIFIER)
    frontier = Frontier(url, max_pages=options.max_pages, max_depth=options.max_depth,
                        include_subdomains=options.include_subdomains,
                        per_path_queries=options.per_path_queries)
    interaction: dict[str, Any] = {}
    async with async_playwright() as pw, launch(pw, options.resolve) as browser:
        crawler = Crawler(browser, frontier, obs, options, progress)
        try:
            await asyncio.wait_for(_run_all(crawler, browser, obs, options, url, interaction),
                                   options.total_timeout)
        except TimeoutError:
            obs.notes.append(f"total time budget of {options.total_timeout:g}s used up; "
                             f"{len(frontier.queue)} queued pages were not visited")
    _check_reached(obs, url, options)
    return build_report(obs, url, started, _public(options), interaction, classifier)


async def _run_all(crawler: Crawler, browser: Browser, obs: Observations, options: ScanOptions,
                   url: str, interaction: dict[str, Any]) -> None:
    """The start page first (it decides whether the site is reachable), then the rest of the crawl
    and the consent phases at the same time, on the pages the start page links to. Without the
    "before" crawl, each consent phase follows its own start page's links."""
    choices = [phase for phase in options.phases if phase != "before"]
    pages: list[str] | None = None
    crawl: list[Any] = []
    if "before" in options.phases:
        first = await crawler.start()
        links = [u for u, _depth in list(crawler.frontier.queue)[: max(0, options.phase_pages - 1)]]
        pages = [url, *links] if first.status and first.status < 400 else [url]
        crawl.append(crawler.run())
    await asyncio.gather(*crawl, *(consent_phase(browser, obs, options, choice, url, pages, interaction)
                                   for choice in choices))


def _check_reached(obs: Observations, url: str, options: ScanOptions) -> None:
    """A scan in which no page answered at all has nothing to report: say why, as for the start page."""
    if any(page["status"] is not None for page in obs.pages):
        return
    first = next((page for page in obs.pages if page["url"] == url), None)
    if first is None or first.get("timed_out"):
        raise ScanTimeout(url, options.page_timeout)
    raise UnreachableSite(url, first.get("error") or "no answer")


def _ignore_closed_targets(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Calls still pending when a page or the browser closes (Ctrl-C, a recycled tab) fail with
    Playwright errors nobody waits for; they are expected, not worth a traceback on the terminal."""
    if isinstance(context.get("exception"), PlaywrightError):
        return
    loop.default_exception_handler(context)


def _public(options: ScanOptions) -> dict[str, Any]:
    shown = asdict(options)
    shown.pop("extra")
    shown.pop("consent_phases")
    shown["resolve"] = list(options.resolve)
    shown["phases"] = list(options.phases)
    return shown


def page_record(visit: Visit, phase: str, depth: int | None) -> dict[str, Any]:
    """A visited page as the report lists it (see scanner.report)."""
    error = visit.error or (None if visit.html or visit.status is None else "not HTML")
    return {"url": visit.url, "status": visit.status, "phase": phase, "error": error, "depth": depth,
            "timed_out": visit.timed_out, "watch": visit.watch or None}


class Crawler:
    """The "before consent" crawl: N workers, each with its own recycled tab, sharing one frontier."""

    def __init__(self, browser: Browser, frontier: Frontier, obs: Observations, options: ScanOptions,
                 progress: Progress | None) -> None:
        self.browser, self.frontier, self.obs, self.options = browser, frontier, obs, options
        self.progress = progress or (lambda done, queued, cookies: None)
        self.active = 0
        self.done = 0
        self.loading = asyncio.Semaphore(max(1, options.concurrency))

    def tab(self) -> Tab:
        return Tab(self.browser, self.obs, self.options.settings(), "before", self.loading)

    async def start(self) -> Visit:
        """Visit the start page alone; UnreachableSite when it cannot be loaded at all (DNS, refused,
        TLS, a redirect loop). A start page that times out is recorded and the crawl goes on."""
        self.first = self.tab()
        item = self.frontier.pop()
        assert item is not None
        try:
            return await self._visit(self.first, *item, start=True)
        except BaseException:
            await self.first.close()
            raise

    async def run(self) -> None:
        """The workers, and the sitemap reader feeding them, until the frontier is exhausted."""
        count = max(1, self.options.concurrency) * max(1, self.options.tabs_per_load)
        tabs = [self.first, *(self.tab() for _ in range(count - 1))]
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
        if start and visit.error and not visit.timed_out:
            raise UnreachableSite(url, visit.error)
        self.obs.pages.append(page_record(visit, "before", depth))
        for link in visit.links:
            self.frontier.add(link, depth + 1)
        self.done += 1
        self.progress(self.done, len(self.frontier.queue), self.obs.cookie_count())
        return visit


async def consent_phase(browser: Browser, obs: Observations, options: ScanOptions, choice: str,
                        start: str, pages: list[str] | None, interaction: dict[str, Any]) -> None:
    """A fresh context: open the start page, accept or reject all, then visit a few more pages.

    The outcome goes into `interaction[choice]` at once (so a scan cut by its time budget still
    says it). When the choice could not be made the phase did not happen, and nothing it saw is
    recorded as seen "after accept" or "after reject"."""
    tab = Tab(browser, obs, options.settings(), choice)
    try:
        first = await tab.visit(start, collect=False)
        obs.pages.append(page_record(first, choice, 0))
        if tab.page is None or first.status is None:
            interaction[choice] = {"method": "none", "ok": False,
                                   "detail": f"start page failed: {first.error}"}
            return
        outcome = interaction[choice] = await give_consent(tab.page, choice)
        if not outcome["ok"]:
            return
        await tab.settle(time.monotonic() + options.page_timeout)
        await tab.collect(start)
        for url in _phase_pages(options, start, pages, first.links):
            obs.pages.append(page_record(await tab.visit(url), choice, None))
    finally:
        await tab.close()


def _phase_pages(options: ScanOptions, start: str, pages: list[str] | None, links: list[str]) -> list[str]:
    """The pages a consent phase visits after the start page: the crawl's first links, or (without
    the "before" crawl) the phase's own start page's links, under the same scope rules."""
    if pages is not None:
        return pages[1:]
    frontier = Frontier(start, max_pages=options.phase_pages, include_subdomains=options.include_subdomains)
    for link in links:
        frontier.add(link, 1)
    return [url for url, _depth in list(frontier.queue)[1:]]
