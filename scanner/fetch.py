"""Fetching robots.txt and sitemaps as data: one HTTP GET each, never a browser tab.

A 3 MB sitemap took 15 s when Chromium rendered it as an XML document; read as data it streams into
the parser (scanner.crawl.read_sitemap), which stops at its cap. The request follows the browser's
rules, since Playwright's own request API would not: host names go through the `--resolve` map
(Chromium applies the same values itself), the proxy environment variables Chromium reads on Linux
(`https_proxy`, `http_proxy`, `no_proxy`) are honoured, and `--ignore-https-errors` turns off the
certificate check. gzip, as `Content-Encoding` or as a `.xml.gz` file, is undone, and the body is cut
at `max_bytes` (after decompression too, so a small gzip bomb cannot fill the memory) and at a
deadline.

Blocking (http.client): the crawler calls it in a worker thread.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import io
import socket
import ssl
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

from .resolve import ResolveMap

MAX_REDIRECTS = 5
GZIP_MAGIC = b"\x1f\x8b"


class FetchError(Exception):
    """A robots.txt or sitemap could not be fetched; the message says which and why."""


@dataclass(frozen=True)
class FetchOptions:
    resolve: ResolveMap = field(default_factory=ResolveMap)
    ignore_https_errors: bool = False
    timeout: float = 15.0
    user_agent: str = "Mozilla/5.0 (compatible; consentkit-scanner)"
    max_bytes: int = 50 * 1024 * 1024


class MappedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to `address` that speaks to `host` (Host header, TLS SNI, certificate)."""

    def __init__(self, host: str, port: int, address: tuple[str, int], tls: ssl.SSLContext | None,
                 timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, tls

    def connect(self) -> None:
        sock = socket.create_connection(self.address, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host) if self.tls else sock
        except (OSError, ssl.SSLError):
            sock.close()
            raise


@dataclass
class Cut:
    """Set when a body was cut at its byte limit or deadline (shared by the layers of one body)."""

    hit: bool = False


class Capped(io.RawIOBase):
    """A reader that ends at `limit` bytes or at `deadline`, and says so in `cut`."""

    def __init__(self, source: BinaryIO, limit: int, deadline: float, cut: Cut) -> None:
        self.source, self.left, self.deadline, self.cut = source, limit, deadline, cut

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.left <= 0 or time.monotonic() > self.deadline:
            self.cut.hit = self.cut.hit or time.monotonic() > self.deadline or bool(self.source.read(1))
            return 0
        data = self.source.read(min(len(buffer), self.left, 65536))
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def tls_context(ignore_https_errors: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ignore_https_errors:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _connection(url: str, options: FetchOptions) -> tuple[http.client.HTTPConnection, str]:
    """A connection for `url` and the request target to send on it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: not an http(s) URL")
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    tls = tls_context(options.ignore_https_errors) if parts.scheme == "https" else None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        proxy_host, proxy_port = proxy_parts.hostname or "", proxy_parts.port or 8080
        if tls is None:
            return http.client.HTTPConnection(proxy_host, proxy_port, timeout=options.timeout), url
        connection = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=options.timeout,
                                                 context=tls)
        connection.set_tunnel(host, port)
        return connection, target
    address = options.resolve.lookup(host, port)
    return MappedConnection(host, port, address, tls, options.timeout), target


@contextlib.contextmanager
def open_data(url: str, options: FetchOptions) -> Iterator[tuple[io.BufferedReader, Cut]]:
    """The decoded, capped body of a 2xx answer to GET `url` (redirects followed), as a stream,
    and the flag that tells whether it was cut. Raises FetchError for anything else."""
    deadline = time.monotonic() + options.timeout
    for _ in range(MAX_REDIRECTS + 1):
        connection, target = _connection(url, options)
        try:
            connection.request("GET", target, headers={
                "User-Agent": options.user_agent, "Accept-Encoding": "gzip",
                "Accept": "application/xml, text/xml, text/plain, */*"})
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise FetchError(f"{url}: {exc or type(exc).__name__}") from exc
        location = response.getheader("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            connection.close()
            url = urljoin(url, location)
            continue
        if not 200 <= response.status < 300:
            connection.close()
            raise FetchError(f"{url}: HTTP {response.status}")
        try:
            cut = Cut()
            yield decoded(response, response.getheader("Content-Encoding", ""), options.max_bytes,
                          deadline, cut), cut
        finally:
            connection.close()
        return
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def decoded(body: BinaryIO, encoding: str, limit: int, deadline: float, cut: Cut) -> io.BufferedReader:
    """`body` with gzip undone (as Content-Encoding, then as a gzip file, e.g. `sitemap.xml.gz`),
    at most `limit` bytes before and after decompression."""
    raw: BinaryIO = io.BufferedReader(Capped(body, limit, deadline, cut))
    if "gzip" in encoding.lower():
        raw = gzip.GzipFile(fileobj=raw)
    buffered = io.BufferedReader(Capped(raw, limit, deadline, cut))
    with contextlib.suppress(OSError, EOFError):
        if buffered.peek(2)[:2] == GZIP_MAGIC:
            buffered = io.BufferedReader(Capped(gzip.GzipFile(fileobj=buffered), limit, deadline, cut))
    return buffered


def fetch_text(url: str, options: FetchOptions, limit: int = 512 * 1024) -> str:
    """A small text resource (robots.txt), decoded as UTF-8; FetchError when it cannot be had."""
    with open_data(url, options) as (stream, _cut):
        try:
            return stream.read(limit).decode("utf-8", "replace")
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise FetchError(f"{url}: {exc}") from exc
