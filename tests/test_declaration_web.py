"""The hosted declaration and the embedded script over HTTP: content, escaping, CSP and caching."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from consentkit.db import get_db
from consentkit.models import Override, Scan
from consentkit.sites import registry as sites

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def cookie(name: str, domain: str = "www.example.no", lifetime: float | None = 400 * 86400, **extra) -> dict:
    return {"name": name, "domain": domain, "path": "/", "expires": None, "lifetime_seconds": lifetime,
            "http_only": False, "secure": True, "same_site": "Lax", "party": "first",
            "first_seen_url": "https://www.example.no/", "set_by": "", "phases": ["before_consent"],
            **extra}


def report(*cookies: dict, storage: tuple[dict, ...] = ()) -> dict:
    return {"version": 1, "scanned_at": "2026-03-12T00:00:00Z", "finished_at": "2026-03-12T00:05:00Z",
            "cookies": list(cookies), "storage": list(storage)}


def add_scan(app, key: str, data: dict, when: datetime = datetime(2026, 3, 12)) -> int:
    """Store a finished scan as the scanner does, then let the revision follow the inventory."""
    with app.app_context(), get_db(app).session() as session:
        site = sites.get_site(session, key)
        scan = Scan(site_id=site.id, url="https://www.example.no/", status="done", started_at=when,
                    finished_at=when, report=data)
        session.add(scan)
        session.flush()
        sites.refresh_revision(session, site)
        return scan.id


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        site = sites.create_site(session, name="Eksempel AS", origins=["https://www.example.no"])
        key = site.key
    add_scan(app, key, report(cookie("_ga"), cookie(EVIL, lifetime=None),
                              storage=({"kind": "localStorage", "name": "lang_pref",
                                        "origin": "https://www.example.no", "party": "first",
                                        "set_by": "", "phases": ["before_consent"]},)))
    return key


def test_hosted_page_in_each_language(client, site_key):
    titles = {"nb": "Informasjonskapsler og lagring", "nn": "Informasjonskapslar og lagring",
              "en": "Cookies and storage"}
    for lang, title in titles.items():
        response = client.get(f"/v1/sites/{site_key}/declaration?lang={lang}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html and f"<h1 id=\"ck-title\">{title}</h1>" in html
        assert "_ga" in html and "lang_pref" in html


def test_default_language_is_the_sites(client, site_key):
    html = client.get(f"/v1/sites/{site_key}/declaration").get_data(as_text=True)
    assert '<html lang="nb">' in html


def test_hosted_page_escapes_scanned_names_and_sends_a_strict_csp(client, site_key):
    response = client.get(f"/v1/sites/{site_key}/declaration?lang=en")
    html = response.get_data(as_text=True)
    assert EVIL not in html and ESCAPED in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    # No inline script: every <script> either loads a file or is inert JSON data.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag
    assert f'src="/v1/sites/{site_key}/consent.js"' in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hosted_page_shows_scan_date_and_revision(client, site_key, app):
    with app.app_context(), get_db(app).session() as session:
        revision = sites.get_site(session, site_key).revision
    html = client.get(f"/v1/sites/{site_key}/declaration?lang=en").get_data(as_text=True)
    assert f"on 12 March 2026. Revision {revision}." in html


def test_etag_and_304_until_the_revision_changes(client, site_key, app):
    url = f"/v1/sites/{site_key}/declaration?lang=nb"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
    assert client.get(f"/v1/sites/{site_key}/declaration?lang=en").headers["ETag"] != etag
    with app.app_context(), get_db(app).session() as session:
        site = sites.get_site(session, site_key)
        session.add(Override(site_id=site.id, name="_ga", kind="cookie", category="necessary",
                             provider="Google", purpose_nb="Test", purpose_en="Test"))
        session.flush()
        assert sites.refresh_revision(session, site)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_new_scan_changes_the_etag_even_with_the_same_inventory(client, site_key, app):
    url = f"/v1/sites/{site_key}/declaration.js"
    etag = client.get(url).headers["ETag"]
    add_scan(app, site_key, report(cookie("_ga"), cookie(EVIL, lifetime=None),
                                   storage=({"kind": "localStorage", "name": "lang_pref",
                                             "origin": "https://www.example.no", "party": "first"},)),
             when=datetime(2026, 4, 1))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_unknown_site_and_bad_language(client, site_key):
    assert client.get("/v1/sites/nope/declaration").status_code == 404
    assert client.get("/v1/sites/nope/declaration.js").status_code == 404
    response = client.get(f"/v1/sites/{site_key}/declaration?lang=de")
    assert response.status_code == 400 and "nb, nn, en" in response.get_json()["message"]


def test_unscanned_site_says_so(client, app):
    with app.app_context(), get_db(app).session() as session:
        key = sites.create_site(session, name="Ny", origins=["https://ny.example.no"]).key
    html = client.get(f"/v1/sites/{key}/declaration?lang=nn").get_data(as_text=True)
    assert "Nettstaden er ikkje gjennomgått enno" in html and "<table" not in html


def test_embedded_script_carries_code_and_data_and_no_markup(client, site_key):
    response = client.get(f"/v1/sites/{site_key}/declaration.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert "<" not in body.rsplit("consentkitRenderDeclaration(", 1)[1]  # the data has no raw `<`
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in body
    assert "innerHTML" not in body and "fetch(" not in body and "XMLHttpRequest" not in body
    for lang in ("nb", "nn", "en"):
        assert f'"{lang}":{{"lang":"{lang}"' in body
    only_en = client.get(f"/v1/sites/{site_key}/declaration.js?lang=en").get_data(as_text=True)
    assert '"nb":{' not in only_en and '"en":{"lang":"en"' in only_en
    etag = response.headers["ETag"]
    assert client.get(f"/v1/sites/{site_key}/declaration.js",
                      headers={"If-None-Match": etag}).status_code == 304


def test_static_assets_are_served(client):
    with client.get("/static/declaration/declaration.css") as css:
        assert css.status_code == 200 and b"@media print" in css.data
    with client.get("/static/declaration/panel.js") as script:
        assert script.status_code == 200 and b"function consentkitPanel" in script.data
