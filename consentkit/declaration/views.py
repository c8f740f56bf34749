"""The declaration's routes: the hosted page, the embeddable script, and their static files.

Both answers depend only on the site's revision, its latest scan, the language and our own
templates, so they carry a strong ETag of exactly those and are revalidated (304) until one changes.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for

from .. import __version__, public_url
from ..db import get_session
from ..errors import UnknownSite
from ..models import Site
from ..paths import PACKAGE_DIR, static_dir
from ..scans.inventory import latest_scan_ids
from ..sites.registry import get_site
from .content import Declaration, build_declaration, load_declaration
from .localized import localize
from .render import script_json
from .texts import LANGUAGES, texts

STATIC = static_dir() / "declaration"

bp = Blueprint("declaration", __name__, static_folder=str(STATIC), static_url_path="/static/declaration")

# Only what the page itself needs: our scripts and styles, the banner's consent POST, nothing inline.
HOSTED_CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])

# Cached by browsers and proxies, but always revalidated: the ETag changes with the revision.
CACHE_CONTROL = "public, no-cache"


@lru_cache(maxsize=1)
def template_version() -> str:
    """A digest of everything besides the data that shapes the output, so a release invalidates caches."""
    digest = hashlib.sha256(__version__.encode())
    sources = sorted((PACKAGE_DIR / "templates" / "declaration").glob("*.html"))
    sources += sorted(STATIC.glob("*"))
    sources += sorted((PACKAGE_DIR / "declaration").glob("*.py"))
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def etag_for(site: Site, scan_ids: list[int], lang: str, variant: str) -> str:
    """Strong validator of (site key, revision, language, template version), plus what else is shown.

    The latest scan ids and the site's last edit are in it too: a rescan with the same inventory keeps the
    revision but changes the scan date we print, and a renamed site keeps its revision. So is the
    base URL the page links back to (it follows the host the request came to).
    """
    updated = site.updated_at.isoformat() if site.updated_at else ""
    parts = [site.key, str(site.revision), lang, template_version(), variant,
             ",".join(map(str, scan_ids)), updated, _base()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _site_or_404(key: str) -> Site:
    try:
        return get_site(get_session(), key)
    except UnknownSite as exc:
        abort(404, description=str(exc))


def _declaration(site: Site, scan_ids: list[int]) -> Declaration:
    return load_declaration(get_session(), site) if scan_ids else build_declaration(site, None, [])


def _language(site: Site, allow_auto: bool = False) -> str:
    """`?lang=` when given; else "auto" for the embed (it follows the owner's page), and for the
    hosted page the visitor's Accept-Language among the site's languages, else the site's default."""
    lang = request.args.get("lang")
    if lang is None:
        return "auto" if allow_auto else accepted_language(site)
    if lang not in LANGUAGES:
        abort(400, description=f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return lang


def primary_language(tag: str) -> str:
    """"nn-NO" → "nn"; "no" (Norwegian, unspecified) → "nb"."""
    code = tag.strip().lower().replace("_", "-").split("-")[0]
    return "nb" if code == "no" else code


def accepted_language(site: Site) -> str:
    offered = _site_languages(site)
    for tag, quality in request.accept_languages:
        code = primary_language(tag)
        if quality > 0 and code in offered:
            return code
    return site.default_language


def _cached(etag: str) -> Response | None:
    """A 304 when the client holds this version already."""
    if request.if_none_match.contains(etag) or request.if_none_match.star_tag:
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response
    return None


def _base() -> str:
    return public_url.for_request(current_app, request)


def declaration_url(key: str, lang: str) -> str:
    return public_url.declaration_url(_base(), key, lang)


def _finish(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/v1/sites/<key>/declaration")
def hosted(key: str):
    """The standalone, printable page, with the consent panel when the site's banner is loaded."""
    site = _site_or_404(key)
    lang = _language(site)
    scan_ids = latest_scan_ids(get_session(), site)
    etag = etag_for(site, scan_ids, lang, "html")
    if (not_modified := _cached(etag)) is not None:
        if "lang" not in request.args:
            not_modified.vary.add("Accept-Language")
        return not_modified
    view = localize(_declaration(site, scan_ids), lang, declaration_url(key, lang))
    body = render_template("declaration/page.html", view=view, assets=_assets(key),
                           languages=_language_links(site, key),
                           languages_label=texts(lang)["languages_label"])
    response = _finish(Response(body, mimetype="text/html"), etag)
    if "lang" not in request.args:
        response.vary.add("Accept-Language")
    response.headers["Content-Security-Policy"] = HOSTED_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _assets(key: str) -> dict[str, str]:
    return {"css": url_for("declaration.static", filename="declaration.css"),
            "panel": url_for("declaration.static", filename="panel.js"),
            "hosted": url_for("declaration.static", filename="hosted.js"),
            "banner": f"/v1/sites/{key}/consent.js"}


def _site_languages(site: Site) -> list[str]:
    return [code for code in LANGUAGES if code in (site.languages or ())] or [site.default_language]


def _language_links(site: Site, key: str) -> list[dict[str, str]]:
    codes = _site_languages(site)
    return [{"code": code, "name": texts(code)["language_name"],
             "url": url_for("declaration.hosted", key=key, lang=code)} for code in codes]


@bp.get("/v1/sites/<key>/declaration.js")
def embedded(key: str):
    """One script with the code and the data: renders into <div id="consentkit-declaration">."""
    site = _site_or_404(key)
    lang = _language(site, allow_auto=True)
    scan_ids = latest_scan_ids(get_session(), site)
    etag = etag_for(site, scan_ids, lang, "js")
    if (not_modified := _cached(etag)) is not None:
        return not_modified
    declaration = _declaration(site, scan_ids)
    codes = [lang] if lang != "auto" else _site_languages(site)
    data: dict[str, Any] = {
        "defaultLanguage": lang if lang != "auto" else site.default_language,
        "languages": {code: localize(declaration, code, declaration_url(key, code)) for code in codes},
    }
    body = embed_script(data)
    response = _finish(Response(body, mimetype="text/javascript"), etag)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@lru_cache(maxsize=1)
def _embed_code() -> str:
    return (STATIC / "panel.js").read_text() + "\n" + (STATIC / "embed.js").read_text()


def embed_script(data: dict[str, Any]) -> str:
    """The embedded script: our two static files and the data, in one closure so nothing leaks."""
    return ("(function () {\n\"use strict\";\n" + _embed_code()
            + "\nconsentkitRenderDeclaration(" + script_json(data) + ");\n})();\n")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

