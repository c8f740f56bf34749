"""A site found mostly through its sitemaps: a gzipped index named in robots.txt, a gzipped urlset,
a plain one sent with `Content-Encoding: gzip`, and a 50,000-URL sitemap that only a capped,
streaming reader gets through quickly.

`app(log)` appends `(path, headers)` of every robots.txt and sitemap request to `log`, so a test can
tell a data fetch from a browser navigation (which sends `Sec-Fetch-Mode: navigate`).
"""

from __future__ import annotations

import gzip

from werkzeug.wrappers import Request, Response

from .common import by_host, html

SITE = "https://www.maps.test"
START = f"{SITE}/"
HOSTS = ("www.maps.test",)
BIG_URLS = 50_000
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# only in sitemaps: the start page links nowhere
GZ_PAGES = ("/fra-gz-1/", "/fra-gz-2/")
ENCODED_PAGES = ("/fra-encoded/",)


def urlset(paths) -> bytes:
    body = "".join(f"<url><loc>{SITE}{path}</loc></url>" for path in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{NS}">{body}</urlset>'.encode()


def index(names) -> bytes:
    body = "".join(f"<sitemap><loc>{SITE}/{name}</loc></sitemap>" for name in names)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{NS}">{body}</sitemapindex>'.encode()


def big_sitemap():
    """50,000 URLs streamed in chunks: the reader may hang up once it has read enough."""
    yield f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{NS}">'.encode()
    for start in range(0, BIG_URLS, 1000):
        yield "".join(f"<url><loc>{SITE}/stor/{i}/</loc></url>" for i in range(start, start + 1000)).encode()
    yield b"</urlset>"


def app(log: list):
    """The WSGI app of the sitemap site; sitemap requests are logged into `log`."""

    def logged(handler):
        def handle(request: Request) -> Response:
            log.append((request.path, dict(request.headers)))
            return handler(request)
        return handle

    def page(request: Request) -> Response:
        return html(f"<h1>{request.path}</h1>")

    encoded = Response(gzip.compress(urlset(ENCODED_PAGES)), content_type="application/xml",
                       headers={"Content-Encoding": "gzip"})
    data = {
        "/robots.txt": Response(f"User-agent: *\nSitemap: {SITE}/sitemap_index.xml.gz\n",
                                content_type="text/plain"),
        "/sitemap_index.xml.gz": Response(gzip.compress(index(["pages.xml.gz", "encoded.xml", "big.xml"])),
                                          content_type="application/x-gzip"),
        "/pages.xml.gz": Response(gzip.compress(urlset(GZ_PAGES)), content_type="application/octet-stream"),
    }
    routes = {path: logged(lambda r, response=response: response) for path, response in data.items()}
    routes["/encoded.xml"] = logged(lambda r: encoded)
    routes["/big.xml"] = logged(lambda r: Response(big_sitemap(), content_type="application/xml"))
    routes.update({path: page for path in ("/", *GZ_PAGES, *ENCODED_PAGES)})
    routes.update({f"/stor/{i}/": page for i in range(10)})
    return by_host({"www.maps.test": routes})
