"""What to visit: URL normalisation, the same-site rule, crawler-trap limits, robots.txt and sitemaps.

Pure functions and one small class (`Frontier`), no browser: robots.txt and sitemaps are fetched as
data (scanner.fetch) and their streams read here, with caps, as they arrive.
"""

from __future__ import annotations

import io
import re
import zlib
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from xml.etree import ElementTree

from .domains import registrable_domain
from .errors import InvalidScanUrl

# Query parameters that only say where a visitor came from: the same page either way.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|igshid|twclid|li_fat_id|"
    r"mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|ref_src|spm)$", re.I)

# Links to files that are never HTML pages; skipped before the browser spends time on them.
NON_HTML = re.compile(
    r"\.(pdf|zip|gz|tgz|rar|7z|exe|dmg|msi|apk|iso|jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|"
    r"mp3|mp4|m4a|webm|ogg|wav|mov|avi|mkv|woff2?|ttf|otf|eot|css|js|json|xml|rss|atom|txt|csv|"
    r"docx?|xlsx?|pptx?|odt|ods)$", re.I)


def check_start_url(url: str) -> str:
    """The start URL normalised, or InvalidScanUrl (a usage error) when it is not http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url.strip():
        raise InvalidScanUrl(url)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidScanUrl(url) from None
    return normalise(url.strip()) or url


def normalise(url: str, base: str | None = None) -> str | None:
    """Canonical form used to de-duplicate pages, or None when the URL is not a web page link."""
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = parts.hostname + (f":{port}" if port and port != default else "")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", urlencode(sorted(query)), ""))


@dataclass
class Frontier:
    """The queue of pages to visit, with every limit that keeps a crawl finite.

    Same site only (registrable domain, or the exact host unless `include_subdomains`), each page
    once, at most `max_pages`, `max_depth` link hops, and `per_path_queries` variants of one path
    that differ only by query — the defence against infinite calendars and faceted search.
    """

    start: str
    max_pages: int = 50
    max_depth: int | None = None
    include_subdomains: bool = False
    per_path_queries: int = 3
    seen: set[str] = field(default_factory=set)
    queue: deque[tuple[str, int]] = field(default_factory=deque)
    _per_path: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        host = urlsplit(self.start).hostname or ""
        self.host = host
        self.site = registrable_domain(host)
        self.add(self.start, 0)

    def in_scope(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        if host == self.host:
            return True
        return self.include_subdomains and registrable_domain(host) == self.site

    def add(self, raw: str, depth: int, base: str | None = None) -> bool:
        """Queue a link if it is new, in scope and within the limits; True when queued."""
        if self.full():
            return False
        if self.max_depth is not None and depth > self.max_depth:
            return False
        url = normalise(raw, base)
        if url is None or url in self.seen or not self.in_scope(url):
            return False
        parts = urlsplit(url)
        if NON_HTML.search(parts.path):
            return False
        if parts.query:
            key = (parts.netloc, parts.path)
            if self._per_path[key] >= self.per_path_queries:
                return False
            self._per_path[key] += 1
        self.seen.add(url)
        self.queue.append((url, depth))
        return True

    def full(self) -> bool:
        return len(self.seen) >= self.max_pages

    def pop(self) -> tuple[str, int] | None:
        return self.queue.popleft() if self.queue else None


def robots_sitemaps(text: str, base: str) -> list[str]:
    """The `Sitemap:` lines of a robots.txt."""
    found = []
    for line in text.splitlines()[:5000]:
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            found.append(urljoin(base, value.strip()))
    return found


@dataclass
class Sitemap:
    """What one sitemap gave: page URLs, nested sitemaps (of an index), and whether it was cut."""

    pages: list[str] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)
    cut: bool = False


def read_sitemap(stream: BinaryIO, max_urls: int = 50_000) -> Sitemap:
    """Read a sitemap, sitemap index or plain-text sitemap from a stream, up to `max_urls` URLs.

    XML is parsed as it streams (`iterparse`, each `<url>` dropped once read), so a 50,000-URL file
    never sits in memory as a tree. A broken or truncated file still gives the URLs read before the
    break; a file that is neither XML nor a list of URLs gives none."""
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]
    try:
        head = buffered.peek(512)[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    except (OSError, EOFError, zlib.error):
        return Sitemap()
    if head.startswith(b"<"):
        return _read_xml(buffered, max_urls)
    if head[:8].lower().startswith((b"http://", b"https://")):
        return _read_lines(buffered, max_urls)
    return Sitemap()


def _read_xml(stream: BinaryIO, max_urls: int) -> Sitemap:
    found = Sitemap()
    root = None
    is_index = False
    try:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
            if event == "start":
                if root is None:
                    root, is_index = element, tag == "sitemapindex"
                continue
            if tag == "loc" and (element.text or "").strip():
                if len(found.pages) + len(found.nested) >= max_urls:
                    found.cut = True
                    break
                (found.nested if is_index else found.pages).append(element.text.strip())
            elif tag in ("url", "sitemap") and root is not None:
                root.clear()  # what was read is kept in `found`; the tree stays small
    except (ElementTree.ParseError, OSError, EOFError, zlib.error):
        pass
    return found


def _read_lines(stream: BinaryIO, max_urls: int) -> Sitemap:
    found = Sitemap()
    try:
        for raw in stream:
            line = raw.decode("utf-8", "replace").strip().lstrip("\ufeff")
            if line.startswith(("http://", "https://")):
                if len(found.pages) >= max_urls:
                    found.cut = True
                    break
                found.pages.append(line)
    except (OSError, EOFError, zlib.error):
        pass
    return found


def parse_sitemap(text: str | bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or sitemap index held in memory."""
    found = read_sitemap(io.BytesIO(text.encode() if isinstance(text, str) else text))
    return found.pages, found.nested
