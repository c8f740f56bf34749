"""Sitemaps are data: fetched with one request each (never rendered in a tab), gzip read, large
files and indexes streamed with a cap. The parser on its own first, then a scan of the fixture."""

from __future__ import annotations

import contextlib
import gzip
import io
import socket
import threading
import time

import pytest

from scanner.crawl import read_sitemap
from scanner.fetch import Cut, FetchError, FetchOptions, decoded, fetch_text
from scanner.resolve import ResolveMap
from scanner.run import ScanOptions, scan
from tests.conftest import free_port
from tests.sites import maps, serve


class Counting(io.RawIOBase):
    """The 50,000-URL sitemap as a stream that counts what the reader took from it."""

    def __init__(self) -> None:
        self.chunks, self.given, self.buffer = maps.big_sitemap(), 0, b""
        self.total = sum(len(chunk) for chunk in maps.big_sitemap())

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.buffer:
            try:
                self.buffer = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self.buffer))
        target[:size], self.buffer = self.buffer[:size], self.buffer[size:]
        self.given += size
        return size


def test_a_large_sitemap_is_streamed_and_cut_at_its_cap():
    source = Counting()
    found = read_sitemap(io.BufferedReader(source), max_urls=1000)
    assert len(found.pages) == 1000 and found.cut
    assert found.pages[:2] == [f"{maps.SITE}/stor/0/", f"{maps.SITE}/stor/1/"]
    assert source.given < source.total / 10  # stopped reading, not parsed whole and trimmed


def test_a_whole_50000_url_sitemap_can_be_read():
    found = read_sitemap(io.BufferedReader(Counting()))
    assert len(found.pages) == maps.BIG_URLS and not found.cut


def test_index_text_and_broken_sitemaps():
    assert read_sitemap(io.BytesIO(maps.index(["a.xml", "b.xml.gz"]))).nested == [
        f"{maps.SITE}/a.xml", f"{maps.SITE}/b.xml.gz"]
    text = read_sitemap(io.BytesIO(b"\xef\xbb\xbfhttps://www.maps.test/a\n\nhttps://www.maps.test/b\r\n"))
    assert text.pages == ["https://www.maps.test/a", "https://www.maps.test/b"]
    truncated = maps.urlset(["/x", "/y", "/z"])[:-40]  # cut inside the last <url>
    assert read_sitemap(io.BytesIO(truncated)).pages == [f"{maps.SITE}/x", f"{maps.SITE}/y"]
    assert read_sitemap(io.BytesIO(b"<html><body>not a sitemap</body></html>")).pages == []
    assert read_sitemap(io.BytesIO(b"\x00\x01binary")).pages == []


@pytest.mark.parametrize("encoding, body", [
    ("", gzip.compress(maps.urlset(["/g"]))),  # a .xml.gz file, served as it is
    ("gzip", gzip.compress(maps.urlset(["/g"]))),  # Content-Encoding
    ("gzip", gzip.compress(gzip.compress(maps.urlset(["/g"])))),  # both
    ("", maps.urlset(["/g"])),
])
def test_gzip_is_undone_however_it_is_sent(encoding, body):
    stream = decoded(io.BytesIO(body), encoding, 10_000, time.monotonic() + 10, Cut())
    assert read_sitemap(stream).pages == [f"{maps.SITE}/g"]


def test_a_gzip_bomb_is_cut_at_the_byte_limit():
    bomb = gzip.compress(maps.urlset([f"/{i}" for i in range(20_000)]))
    cut = Cut()
    found = read_sitemap(decoded(io.BytesIO(bomb), "", 100_000, time.monotonic() + 10, cut))
    assert cut.hit and 0 < len(found.pages) < 20_000


@pytest.fixture(scope="module")
def scanned():
    log: list = []
    with serve(maps.app(log)) as server:
        options = ScanOptions(resolve=server.resolve(maps.HOSTS), ignore_https_errors=True,
                              consent_phases=False, max_pages=8)
        return scan(maps.START, options), log


@pytest.mark.browser
def test_gzipped_sitemaps_named_in_robots_are_crawled(scanned):
    report, _log = scanned
    crawled = {page["url"] for page in report["pages"]}
    assert {f"{maps.SITE}{path}" for path in (*maps.GZ_PAGES, *maps.ENCODED_PAGES)} <= crawled
    assert f"{maps.SITE}/stor/0/" in crawled and len(crawled) == 8


@pytest.mark.browser
def test_sitemaps_are_fetched_as_data_through_resolve_not_in_a_tab(scanned):
    _report, log = scanned
    assert {"/robots.txt", "/sitemap_index.xml.gz", "/pages.xml.gz", "/encoded.xml", "/big.xml"} == {
        path for path, _headers in log}
    for _path, headers in log:
        assert "Sec-Fetch-Mode" not in headers  # a tab's navigation sends "navigate"
        assert "HeadlessChrome/" in headers["User-Agent"]  # the browser's own name, as for the crawl


@pytest.mark.browser
def test_the_large_sitemap_was_read_only_as_far_as_useful(scanned):
    report, _log = scanned
    cut = f"sitemap {maps.SITE}/big.xml read up to its limit"
    assert any(note.startswith(cut) for note in report["notes"])


class ConnectProxy:
    """A tiny HTTP CONNECT proxy on 127.0.0.1 that sends every tunnel to `target_port` (its "DNS")
    and remembers the CONNECT lines it was asked for."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.asked, self.sockets = target_port, [], []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        self.asked.append(head.split(b"\r\n", 1)[0].decode())
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        self.sockets += [client, upstream]
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.server.close()
        for sock in self.sockets:
            sock.close()


def test_sitemaps_go_through_the_proxy_the_environment_names_like_chromium(monkeypatch):
    """Chromium on Linux honours https_proxy; so do the scanner's own requests (and then the proxy,
    not --resolve, resolves the site's name, as it does for the browser)."""
    with serve(maps.app([])) as server:
        proxy = ConnectProxy(server.port)
        try:
            monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{proxy.port}")
            monkeypatch.delenv("no_proxy", raising=False)
            options = FetchOptions(ResolveMap(), ignore_https_errors=True, timeout=10)
            robots = fetch_text(f"{maps.SITE}/robots.txt", options)
        finally:
            proxy.close()
    assert robots.startswith("User-agent: *")
    assert [line.rsplit(" ", 1)[0] for line in proxy.asked] == ["CONNECT www.maps.test:443"]


def test_an_unreachable_sitemap_is_a_fetch_error_with_the_url():
    options = FetchOptions(ResolveMap.parse([f"www.maps.test:127.0.0.1:{free_port()}"]), timeout=5)
    with pytest.raises(FetchError, match=r"https://www.maps.test/sitemap.xml: .*refused"):
        fetch_text(f"{maps.SITE}/sitemap.xml", options)
