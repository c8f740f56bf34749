"""Small helpers the fixture sites share: pages, scripts and a 1×1 GIF with cookies attached."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from werkzeug.wrappers import Request, Response

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00" \
      b"\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
THIRD_PARTY = "; Path=/; SameSite=None; Secure"
YEAR = 365 * 24 * 3600

Handler = Callable[[Request], Response]


def html(body: str, head: str = "", cookies: Iterable[str] = (), status: int = 200) -> Response:
    page = f"<!doctype html><html lang='nb'><head><meta charset='utf-8'><title>Fixture</title>{head}</head>" \
           f"<body>{body}</body></html>"
    response = Response(page, status=status, content_type="text/html; charset=utf-8")
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie)
    return response


def script(code: str, cookies: Iterable[str] = ()) -> Response:
    response = Response(code, content_type="application/javascript")
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie)
    return response


def pixel(cookies: Iterable[str] = ()) -> Response:
    response = Response(GIF, content_type="image/gif")
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie)
    return response


def not_found() -> Response:
    return Response("not found", status=404, content_type="text/plain")


def by_host(routes: dict[str, dict[str, Handler]]) -> Callable:
    """A WSGI app from {host: {path: handler}}; unknown hosts and paths are 404."""

    @Request.application
    def app(request: Request) -> Response:
        host = request.host.split(":")[0].lower()
        handler = routes.get(host, {}).get(request.path)
        return handler(request) if handler else not_found()

    return app
