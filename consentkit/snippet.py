"""The embed snippet a site owner pastes into `<head>`: an inline stub, then consent.js `async`.

Why two parts: a blocking `<script src>` to another origin holds the page's first paint until it is
fetched and run (a new connection, then ~10 KB). What must be in force before any other script of
the page runs is small — Consent Mode's default and the auto-blocking hooks — so that part is
inline (`static/consentkit-stub.js`, built from `banner/src/stub.js`), and the core follows as an
`async` script the preload scanner finds at once. The stub holds every script and iframe of
another host until the core has decided; the core then holds trackers and releases the rest.

The stub's text is the same for every site (its settings are attributes), so a strict CSP allows
it with one hash, `csp_hash()`.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import urlsplit

from .models import Site
from .paths import static_dir

STUB = "consentkit-stub.js"
DEFAULT_COOKIE = "consentkit"
# The view under a name that does not change: the stub fetches it on a first visit, before the core
# (and the digest its config names) is here; it is revalidated every time (api/script.py).
VIEW_PATH = "/v1/banner/current/consentkit-ui.js"


class SnippetError(ValueError):
    """The snippet cannot be made: the stub is not built, or the base URL is not an http(s) URL."""


def stub_source() -> str:
    """The built stub, checked to be safe inside an inline `<script>`."""
    path = static_dir() / STUB
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SnippetError(f"the banner stub {path} is missing: run `npm run build`") from error
    if "</script" in text.lower() or "<!--" in text:
        raise SnippetError(f"the banner stub {path} cannot be inlined: it contains </script or <!--")
    return text


def csp_hash() -> str:
    """The CSP source that allows the inline stub: `'sha256-…'` of its exact text."""
    digest = hashlib.sha256(stub_source().encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def origin_of(base_url: str) -> str:
    """scheme://host[:port] of the consent server, which the stub lets through unheld."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SnippetError(f"the consent server's address must be an http(s) URL, not {base_url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def embed(base_url: str, key: str, consent_mode: bool, cookie_name: str = DEFAULT_COOKIE) -> str:
    """The two tags for a site: the stub (with Consent Mode's default when the site uses it, and
    where a first visit fetches the view early) and consent.js, async. `base_url` is where visitors
    reach the server (PUBLIC_URL), or the site's own origin with a path prefix when it proxies
    /consentkit/ to the server (README)."""
    base = base_url.rstrip("/")
    attrs = f' data-origin="{escape(origin_of(base_url))}" data-view="{escape(base + VIEW_PATH)}"'
    if cookie_name != DEFAULT_COOKIE:
        attrs += f' data-cookie="{escape(cookie_name)}"'
    if consent_mode:
        attrs += " data-consent-mode"
    return (f"<script{attrs}>{stub_source()}</script>\n"
            f'<script async src="{escape(f"{base}/v1/sites/{key}/consent.js")}"></script>')


def for_site(base_url: str, site: Site) -> str:
    """The snippet of one site (its key, consent cookie and whether it uses Consent Mode)."""
    return embed(base_url, site.key, site.consent_mode, site.cookie_name or DEFAULT_COOKIE)
