"""The pages a site names in its sitemaps, read as data while the crawl runs.

robots.txt's `Sitemap:` lines (else `/sitemap.xml`), indexes followed, each file fetched with one HTTP
request (scanner.fetch: `--resolve`, proxies and `--ignore-https-errors` apply as in the browser)
and parsed as it streams (scanner.crawl.read_sitemap). The limits are the sitemap protocol's own
(50,000 URLs and 50 MB per file) and a count of files, and reading stops as soon as the frontier is
full: a 50,000-URL sitemap of a 50-page scan is read only as far as it is useful.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

from .crawl import Frontier, Sitemap, read_sitemap, robots_sitemaps
from .fetch import FetchError, FetchOptions, fetch_text, open_data
from .observe import Observations
from .resolve import ResolveMap

MAX_SITEMAPS = 20
MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def user_agent(browser_version: str) -> str:
    """The browser's own User-Agent, so a site answers these requests as it answers the crawl."""
    return (f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"HeadlessChrome/{browser_version} Safari/537.36")


def read_one(url: str, options: FetchOptions, max_urls: int) -> Sitemap:
    """One sitemap file, fetched and parsed; FetchError when it cannot be had."""
    with open_data(url, options) as (stream, cut):
        found = read_sitemap(stream, max_urls)
    found.cut = found.cut or cut.hit
    return found


async def add_sitemaps(frontier: Frontier, obs: Observations, resolve: tuple[str, ...],
                       ignore_https_errors: bool, timeout: float, browser_version: str) -> None:
    """Add the sitemaps' pages to the frontier at depth 1; notes say what was cut or failed."""
    options = FetchOptions(ResolveMap.parse(resolve), ignore_https_errors, timeout,
                           user_agent(browser_version), MAX_SITEMAP_BYTES)
    try:
        robots = await asyncio.to_thread(fetch_text, urljoin(frontier.start, "/robots.txt"), options)
    except FetchError:
        robots = ""
    named = robots_sitemaps(robots, frontier.start)
    todo = named or [urljoin(frontier.start, "/sitemap.xml")]
    # more than the frontier can take: some entries are duplicates, off-site or not HTML
    want = min(MAX_SITEMAP_URLS, max(1000, 10 * frontier.max_pages))
    done: set[str] = set()
    while todo and len(done) < MAX_SITEMAPS and not frontier.full():
        url = todo.pop(0)
        if url in done:
            continue
        done.add(url)
        try:
            found = await asyncio.to_thread(read_one, url, options, want)
        except FetchError as exc:
            if url in named:
                obs.notes.append(f"sitemap not read: {exc}")
            continue
        if found.cut:
            obs.notes.append(f"sitemap {url} read up to its limit ({want} URLs or "
                             f"{MAX_SITEMAP_BYTES // 2**20} MB or {timeout:g}s)")
        todo.extend(found.nested)
        for page in found.pages:
            frontier.add(page, 1)
    if todo and len(done) >= MAX_SITEMAPS:
        obs.notes.append(f"only the first {MAX_SITEMAPS} sitemaps were read; {len(todo)} more were named")
