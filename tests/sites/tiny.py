"""Small sites for the job tests: each host serves two pages that set a first-party cookie named
after the host's first label, and load a pixel from a shared tracker host that sets a third-party
cookie (`trk` on shared-tracker.test). More cookies can be switched on per host between scans, as
a site that adds a tracker does (`TinySites.extra`).

    sites = TinySites()
    with serve(sites.app()) as server:
        resolve = server.resolve(sites.hosts("www.alpha.test", "www.beta.test"))
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from .common import THIRD_PARTY, YEAR, html, not_found, pixel

TRACKER = "px.shared-tracker.test"


class TinySites:
    def __init__(self) -> None:
        # host -> names of extra first-party cookies its pages set
        self.extra: dict[str, list[str]] = {}

    @staticmethod
    def url(host: str) -> str:
        return f"https://{host}/"

    @staticmethod
    def origin(host: str) -> str:
        return f"https://{host}"

    @staticmethod
    def hosts(*hosts: str) -> tuple[str, ...]:
        return (*hosts, TRACKER)

    @staticmethod
    def cookie_name(host: str) -> str:
        return host.split(".")[1] + "_pref" if host.startswith("www.") else host.split(".")[0] + "_pref"

    def page(self, request: Request, title: str) -> Response:
        host = request.host.split(":")[0].lower()
        cookies = [f"{self.cookie_name(host)}=1; Path=/; Max-Age={YEAR}"]
        cookies += [f"{name}=1; Path=/; Max-Age={YEAR}" for name in self.extra.get(host, [])]
        body = f"<h1>{title}</h1><a href='/om/'>Om oss</a><img src='https://{TRACKER}/p.gif' alt=''>"
        return html(body, cookies=cookies)

    def app(self) -> Callable:
        @Request.application
        def app(request: Request) -> Response:
            host = request.host.split(":")[0].lower()
            if host == TRACKER and request.path == "/p.gif":
                return pixel([f"trk=abc; Domain=.shared-tracker.test; Max-Age={YEAR}{THIRD_PARTY}"])
            if host.endswith(".test") and request.path in ("/", "/om/"):
                return self.page(request, "Forside" if request.path == "/" else "Om oss")
            return not_found()

        return app
