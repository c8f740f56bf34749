"""A generated site of N pages for benchmarks and memory tests: realistic weight, every collector busy.

Each page links to a handful of others, loads a first-party script and stylesheet, an analytics
script from another host that writes cookies and storage, fires a pixel, and writes one more
cookie a second after the load event (as trackers that wait for an engagement timer do: the
scanner's late-write watch has to wait for it on every page; a sessionStorage key named after the
page tells on how many pages it was seen), and an image.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .common import GIF, by_host, html, not_found, pixel, script

SITE = "https://www.generated.test"
START = f"{SITE}/"
HOSTS = ("www.generated.test", "static.generated-cdn.test", "*.analytics.test")

APP_JS = """
document.cookie = 'session_pref=' + location.pathname.length + '; path=/; max-age=86400';
try { sessionStorage.setItem('last_page', location.pathname); } catch (e) {}
"""
TRACKER_JS = """
document.cookie = '_trk=1.2.3; path=/; max-age=' + 400 * 86400;
try { localStorage.setItem('_trk_visits', String(Number(localStorage.getItem('_trk_visits') || 0) + 1)); }
catch (e) {}
new Image().src = 'https://collect.analytics.test/hit.gif?p=' + encodeURIComponent(location.pathname);
window.addEventListener('load', function () {
  setTimeout(function () {
    document.cookie = '_trk_engaged=1; path=/; max-age=1800';
    try { sessionStorage.setItem('_trk_engaged:' + location.pathname, '1'); } catch (e) {}
  }, 1000);
});
"""
CSS = "body { font: 16px/1.4 sans-serif; margin: 2rem; } nav a { margin-right: .5rem; }"


def links(i: int, pages: int) -> list[int]:
    return sorted({(i + 1) % pages, (i * 2) % pages, (i * 7 + 3) % pages, (i + pages // 2) % pages,
                   max(0, i - 1)})


def page_html(i: int, pages: int) -> Response:
    nav = " ".join(f'<a href="/p/{j}/">Side {j}</a>' for j in links(i, pages))
    filler = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40 + "</p>"
    head = ('<link rel="stylesheet" href="https://static.generated-cdn.test/site.css">'
            '<script src="/app.js"></script>'
            '<script async src="https://tag.analytics.test/tracker.js"></script>')
    body = f"<h1>Side {i}</h1><nav>{nav}</nav>{filler * 3}<img src='/logo.gif' alt='logo' width=40 height=40>"
    return html(body, head, cookies=["srv_session=abc; Path=/; HttpOnly"])


def app(pages: int = 200):
    """The WSGI app for a site of `pages` pages: / is page 0, /p/<n>/ the others."""

    def page(request: Request) -> Response:
        if request.path == "/":
            return page_html(0, pages)
        parts = request.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "p" and parts[1].isdigit() and int(parts[1]) < pages:
            return page_html(int(parts[1]), pages)
        return not_found()

    routes = {"/": page, "/app.js": lambda r: script(APP_JS),
              "/logo.gif": lambda r: Response(GIF * 20, content_type="image/gif")}
    routes.update({f"/p/{i}/": page for i in range(pages)})
    return by_host({
        "www.generated.test": routes,
        "static.generated-cdn.test": {"/site.css": lambda r: Response(CSS, content_type="text/css")},
        "tag.analytics.test": {"/tracker.js": lambda r: script(TRACKER_JS)},
        "collect.analytics.test": {"/hit.gif": lambda r: pixel()},
    })
