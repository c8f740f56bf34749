"""A site that does everything a crawler fears: hangs, loops, 50 MB pages, dialogs, popups, downloads,
an endless calendar, error pages, 200 cookies and cookie names made of HTML and rich markup."""

from __future__ import annotations

import time

from werkzeug.wrappers import Request, Response

from .common import THIRD_PARTY, by_host, html, pixel

SITE = "https://www.hostile.test"
START = f"{SITE}/"
HOSTS = ("www.hostile.test", "tracker.crowd.test")
HANG_SECONDS = 25
BIG_BYTES = 50 * 1024 * 1024
EVIL_NAMES = ("<script>alert(1)</script>", "[bold red]boom[/bold red]", "\"><svg onload=alert(2)>")
EVIL_VALUE = "<img src=x onerror=alert(3)>"

LINKS = ["/slow-load", "/never", "/loop", "/big", "/dialogs", "/popup", "/download", "/calendar?m=0",
         "/missing", "/broken", "/many-cookies", "/evil-names"]


def index(request: Request) -> Response:
    nav = " ".join(f'<a href="{link}">{link}</a>' for link in LINKS)
    return html(f"<h1>Hostile</h1><nav>{nav}</nav>")


def hang(request: Request) -> Response:
    time.sleep(HANG_SECONDS)
    return Response("late", content_type="text/plain")


def big(request: Request) -> Response:
    chunk = ("<p>" + "x" * 1017 + "</p>\n") * 1024  # 1 MiB

    def body():
        yield "<!doctype html><html><body><h1>big</h1><a href='/after-big'>after</a>"
        for _ in range(BIG_BYTES // len(chunk)):
            yield chunk
        yield "</body></html>"

    return Response(body(), content_type="text/html", headers=[("Set-Cookie", "big_seen=1; Path=/")])


def calendar(request: Request) -> Response:
    month = int(request.args.get("m", "0"))
    return html(f"<a href='/calendar?m={month - 1}'>prev</a> <a href='/calendar?m={month + 1}'>next</a>")


def many_cookies(request: Request) -> Response:
    headers = [f"http_{i}=v{i}; Path=/; Max-Age=3600" for i in range(75)]
    script = "for (let i = 0; i < 75; i++) document.cookie = 'js_' + i + '=v; path=/; max-age=3600';"
    frame = '<img src="https://tracker.crowd.test/many.gif" width=1 height=1>'
    return html(f"<script>{script}</script>{frame}", cookies=headers)


def evil_names(request: Request) -> Response:
    headers = [f"{name}={EVIL_VALUE}; Path=/" for name in EVIL_NAMES[:2]]
    script = f"<script>document.cookie = {EVIL_NAMES[2]!r} + '=' + 'js' + '; path=/';</script>"
    return html(script, cookies=headers)


def app():
    """The WSGI app of the hostile site."""
    third = f"Max-Age=3600{THIRD_PARTY}"
    routes = {
        "/": index,
        "/slow-load": lambda r: html("<img src='/hang.gif'>"
                                     "<script>document.cookie='slow_ok=1; path=/'</script>"),
        "/hang.gif": hang, "/never": hang,
        "/loop": lambda r: Response("", status=302, headers=[("Location", "/loop2"),
                                                             ("Set-Cookie", "loop_seen=1; Path=/")]),
        "/loop2": lambda r: Response("", status=302, headers={"Location": "/loop"}),
        "/big": big, "/after-big": lambda r: html("<p>after big</p>"),
        "/dialogs": lambda r: html("<script>alert('a'); confirm('b'); prompt('c');"
                                   "document.cookie = 'after_dialogs=1; path=/';</script>"),
        "/popup": lambda r: html("<script>window.open('/popup-target', '_blank');"
                                 "document.cookie = 'opened_popup=1; path=/';</script>"),
        "/popup-target": lambda r: html("<p>popup</p>"),
        "/download": lambda r: Response(b"\0" * 1024, content_type="application/octet-stream",
                                        headers=[("Content-Disposition", "attachment; filename=x.bin"),
                                                 ("Set-Cookie", "download_seen=1; Path=/")]),
        "/calendar": calendar,
        "/missing": lambda r: html("<p>gone</p>", status=404),
        "/broken": lambda r: html("<p>oops</p>", status=500),
        "/many-cookies": many_cookies,
        "/evil-names": evil_names,
    }
    crowd = [f"crowd_{i}=v; Domain=.crowd.test; {third}" for i in range(50)]
    return by_host({"www.hostile.test": routes, "tracker.crowd.test": {"/many.gif": lambda r: pixel(crowd)}})
