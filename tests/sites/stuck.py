"""Start pages that never finish: one sends its headers, a cookie, half its HTML (links included)
and then trickles spaces for minutes; the other never answers at all, and its pages are only in
its sitemap. A scan must record what each had set by the page timeout and go on with the rest."""

from __future__ import annotations

import time

from werkzeug.wrappers import Request, Response

from .common import by_host, html

STUCK = "https://www.stuck.test/"
SILENT = "https://www.silent.test/"
HOSTS = ("www.stuck.test", "www.silent.test")
HANG_SECONDS = 120  # far beyond any page timeout; the server thread gives up then at the latest


def trickle(request: Request) -> Response:
    def body():
        yield (b"<!doctype html><html><head><title>Treg</title></head><body><h1>Treg forside</h1>"
               b"<nav><a href='/a/'>A</a> <a href='/b/'>B</a></nav>"
               b"<script>document.cookie = 'stuck_js=1; path=/';</script>")
        deadline = time.monotonic() + HANG_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.2)
            yield b" "  # fails once the browser has hung up, which ends this thread
    return Response(body(), content_type="text/html; charset=utf-8",
                    headers=[("Set-Cookie", "stuck_start=1; Path=/")])


def silence(request: Request) -> Response:
    time.sleep(HANG_SECONDS)
    return html("too late")


def app():
    """The WSGI app of both stuck sites."""
    page = lambda request: html(f"<h1>{request.path}</h1>", cookies=["inner_ok=1; Path=/"])  # noqa: E731
    robots = f"User-agent: *\nSitemap: {SILENT}sitemap.txt\n"
    return by_host({
        "www.stuck.test": {"/": trickle, "/a/": page, "/b/": page},
        "www.silent.test": {
            "/": silence, "/a/": page, "/b/": page,
            "/robots.txt": lambda r: Response(robots, content_type="text/plain"),
            "/sitemap.txt": lambda r: Response(f"{SILENT}a/\n{SILENT}b/\n", content_type="text/plain")},
    })
