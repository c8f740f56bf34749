"""A website that embeds the real banner from a real `consentkit serve`, as owners do.

Every page is `<script src="{server}/v1/sites/{key}/consent.js"></script>` in the `<head>` of a
page in the language the query names; nothing else. The consent server and the site key come from
the query, so one fixture server stands for any number of sites: `/p/any/path?key=…&lang=nb`.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from werkzeug.wrappers import Request, Response

from .common import html


def embedding_site(consent_server: Callable[[], str]) -> Callable:
    """A WSGI app; `consent_server()` gives the base URL pages load consent.js from."""

    def app(environ, start_response):
        request = Request(environ)
        if request.path == "/favicon.ico":
            return Response(status=204)(environ, start_response)
        key = escape(request.args.get("key", ""))
        lang = escape(request.args.get("lang", "nb"))
        base = escape(request.args.get("server") or consent_server())
        tag = f'<script src="{base}/v1/sites/{key}/consent.js"></script>'
        page = html(f"<main><h1>Butikk</h1><p>{escape(request.path)}</p>"
                    "<button data-consentkit-open>Cookies</button></main>", head=tag)
        page.set_data(page.get_data().replace(b"<html lang='nb'>", f"<html lang='{lang}'>".encode()))
        return page(environ, start_response)

    return app
