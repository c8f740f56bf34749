"""The address visitors reach this server at: for snippets, the banner's endpoint and links.

`PUBLIC_URL` is the owner's statement of that address (`https://consent.example.no`) and, when
set, wins everywhere. When it is not set, an answer to a request uses the address the request
came to (scheme and host as the browser saw them, behind `PROXY_COUNT` trusted proxies too), so a
banner always posts back to the server that served it: `consentkit serve --port 9000` needs no
setting. Only a command with no request to go by (`site add` printing a snippet) falls back to
the default address, and says so.
"""

from __future__ import annotations

from flask import Flask, Request

DEFAULT = "http://127.0.0.1:8000"


def configured(app: Flask) -> str | None:
    """PUBLIC_URL without a trailing slash, or None when the owner did not set it."""
    value = app.config.get("PUBLIC_URL")
    return str(value).rstrip("/") if value else None


def for_request(app: Flask, request: Request) -> str:
    """PUBLIC_URL, else the origin this request was made to."""
    return configured(app) or f"{request.scheme}://{request.host}"


def for_snippets(app: Flask) -> str:
    """PUBLIC_URL, else the default address `consentkit serve` listens on."""
    return configured(app) or DEFAULT


def declaration_url(base: str, key: str, lang: str) -> str:
    """The hosted declaration page of a site, in one language."""
    return f"{base.rstrip('/')}/v1/sites/{key}/declaration?lang={lang}"
