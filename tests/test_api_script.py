"""GET /v1/sites/<key>/consent.js: bundle + inlined config, cached, compressed, revalidated by ETag."""

from __future__ import annotations

import gzip
import json
import re
import time

import brotli
import pytest
from sqlalchemy import event

from consentkit.api.consent_routes import SITE_VIEWS
from consentkit.api.script import js_json
from consentkit.db import get_db
from consentkit.kb import hostsets
from consentkit.kb.classifier import default_classifier
from consentkit.models import Scan
from consentkit.paths import static_dir
from consentkit.scans.inventory import site_inventory
from consentkit.sites import banner_config
from consentkit.sites.registry import create_site, edit_site, get_site, refresh_revision


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=["https://www.example.no"]).key


def config_of(script: bytes) -> dict:
    """The JSON passed to ConsentKit.init at the end of the served script."""
    match = re.search(rb"ConsentKit\.init\((\{.*\})\);", script, re.S)
    assert match, script[-300:]
    return json.loads(match.group(1))


def test_script_is_the_bundle_then_init_with_the_config(client, site_key):
    response = client.get(f"/v1/sites/{site_key}/consent.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    bundle = static_dir() / "consentkit.js"
    if bundle.exists():
        assert response.data.startswith(bundle.read_bytes())
        assert b";ConsentKit.init(" in response.data
    else:
        assert response.data.startswith(b"/* consentkit: the banner bundle")
    config = config_of(response.data)
    assert config["siteKey"] == site_key and config["revision"] == 1
    assert config["endpoint"] == f"http://consent.test/v1/sites/{site_key}/consents"
    assert config["categories"] == ["functional", "analytics", "marketing"]
    assert set(config["hosts"]) == {"functional", "analytics", "marketing"}


def test_the_endpoint_is_the_server_the_script_was_loaded_from(app, client, site_key):
    """With no PUBLIC_URL the banner posts to the host the request came to (through trusted proxies);
    PUBLIC_URL, when the owner sets it, wins."""
    app.config["PUBLIC_URL"] = None
    direct = config_of(client.get(f"/v1/sites/{site_key}/consent.js", base_url="http://127.0.0.1:9000").data)
    assert direct["endpoint"] == f"http://127.0.0.1:9000/v1/sites/{site_key}/consents"
    assert direct["declarationUrl"] == f"http://127.0.0.1:9000/v1/sites/{site_key}/declaration"
    url = f"/v1/sites/{site_key}/consent.js"
    other = config_of(client.get(url, base_url="https://consent.example.no").data)
    assert other["endpoint"] == f"https://consent.example.no/v1/sites/{site_key}/consents"
    app.config["PUBLIC_URL"] = "https://consent.example.no/"
    fixed = config_of(client.get(f"/v1/sites/{site_key}/consent.js", base_url="http://10.0.0.5:8000").data)
    assert fixed["endpoint"] == f"https://consent.example.no/v1/sites/{site_key}/consents"


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_host_count(db_url, tmp_path):
    from consentkit.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k", "PROXY_COUNT": 1},
                     instance_path=str(tmp_path / "i"))
    with app.app_context(), get_db(app).session() as session:
        key = create_site(session, name="x", origins=["https://www.example.no"]).key
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "consent.example.no"}
    response = app.test_client().get(f"/v1/sites/{key}/consent.js", base_url="http://127.0.0.1:8000",
                                     headers=forwarded)
    assert config_of(response.data)["endpoint"] == f"https://consent.example.no/v1/sites/{key}/consents"
    get_db(app).dispose()


def test_served_script_with_config_and_hosts_fits_the_budget(client, site_key):
    """Issue 16's budget: what a visitor downloads, consent.js with its config, ≤ 11 KB gzipped."""
    body = client.get(f"/v1/sites/{site_key}/consent.js", headers={"Accept-Encoding": "gzip"}).data
    assert len(body) <= 11_000, f"consent.js is {len(body):,} bytes gzipped (budget 11,000)"


def test_etag_revalidation_answers_304(client, site_key):
    url = f"/v1/sites/{site_key}/consent.js"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    # Fresh for a minute, then served from the browser's cache while it revalidates: a returning
    # visitor never waits for consent.js, and still sees a change within a minute.
    assert first.headers["Cache-Control"] == \
        "public, max-age=60, stale-while-revalidate=86400, stale-if-error=604800"
    assert "Accept-Encoding" in first.headers["Vary"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]


@pytest.mark.parametrize("accept, encoding, decode", [
    ("gzip", "gzip", gzip.decompress), ("br, gzip", "br", brotli.decompress),
    ("gzip, br;q=0", "gzip", gzip.decompress), ("identity", None, bytes)])
def test_compressed_by_accept_encoding(client, site_key, accept, encoding, decode):
    url = f"/v1/sites/{site_key}/consent.js"
    plain = client.get(url, headers={"Accept-Encoding": ""}).data
    response = client.get(url, headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert decode(response.data) == plain
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def served_when(client, url: str, ready, timeout: float = 10) -> dict:
    """The served config once `ready(config)` holds: the site cache expires on its own clock, so
    the test waits for what it needs rather than sleeping past the TTL."""
    deadline = time.monotonic() + timeout
    while not ready(config := config_of(client.get(url).data)):
        assert time.monotonic() < deadline, f"still served after {timeout}s: {config}"
        time.sleep(0.05)
    return config


def test_rendered_once_per_revision_not_per_request(app, client, site_key):
    """Warm requests touch no database (the site comes from the 2 s site cache); an edit is served
    as soon as that cache entry expires, never later."""
    url = f"/v1/sites/{site_key}/consent.js"
    app.extensions[SITE_VIEWS].ttl = 0.5  # shorter than the default 2 s, to keep the test quick
    statements: list[str] = []
    engine = get_db(app).engine
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        client.get(url)
        statements.clear()
        for _ in range(5):
            client.get(url)
        assert statements == []  # site settings cached, script rendered once
        with app.app_context(), get_db(app).session() as session:
            edit_site(session, get_site(session, site_key), texts={"en": {"title": "New <b>"}})
        config = served_when(client, url, lambda c: c["revision"] == 2)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert config["revision"] == 2 and config["texts"] == {"en": {"title": "New <b>"}}


def test_settings_outside_the_revision_are_served_too(app, client, site_key):
    url = f"/v1/sites/{site_key}/consent.js"
    app.extensions[SITE_VIEWS].ttl = 0.5  # served once the site cache expires (2 s by default)
    before = client.get(url).headers["ETag"]
    with app.app_context(), get_db(app).session() as session:
        edit_site(session, get_site(session, site_key), appearance={"position": "top"})
    served_when(client, url, lambda c: c["appearance"] == {"position": "top"})
    response = client.get(url)
    assert response.headers["ETag"] != before
    assert config_of(response.data)["appearance"] == {"position": "top"}


def test_unknown_site_is_json_404(client):
    response = client.get("/v1/sites/nosuch/consent.js")
    assert response.status_code == 404 and response.json["error"] == "unknown_site"


def test_config_cannot_break_out_of_a_script_element():
    text = js_json({"title": "</script><script>alert(1)</script> \u2028 & \u2029"})
    assert "</script" not in text and "\u2028" not in text and "\u2029" not in text and "&" not in text
    assert json.loads(text)["title"].startswith("</script>")


def held(config: dict, host: str) -> str | None:
    """The category whose coded tracker set holds `host` (or a parent), as the banner decides."""
    for category, coded in config["trackers"].items():
        if hostsets.contains(hostsets.decode(coded), host):
            return category
    return None


def test_every_tracker_host_of_the_knowledge_base_is_held_even_unscanned(client, site_key):
    """A site never scanned still holds tag managers, pixels and session-replay loaders back."""
    config = config_of(client.get(f"/v1/sites/{site_key}/consent.js").data)
    assert held(config, "www.googletagmanager.com") in ("analytics", "marketing")
    assert held(config, "connect.facebook.net") == "marketing"
    assert held(config, "static.hotjar.com") == "analytics"
    assert held(config, "cdn.example.no") is None and held(config, "www.example.no") is None
    known = default_classifier().tracker_hosts()
    for host, match in list(known.items())[::37]:
        assert held(config, host) == match.category, host


def test_the_sites_own_domain_is_never_held_even_when_it_is_a_tracker(app):
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Hotjar's own site", origins=["https://www.hotjar.com"])
        config = banner_config.build(site, [], "https://c.example.no/")
    assert held(config, "static.hotjar.com") is None
    assert held(config, "www.google-analytics.com") == "analytics"


def test_unclassified_items_are_asked_for_as_the_strictest_category(app):
    report = {"version": 1, "url": "https://www.example.no/", "cookies": [
        {"name": "zq_mystery_7", "domain": ".example.no", "set_by": "https://cdn.unknown-vendor.example/x.js",
         "party": "first"}]}
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="x", origins=["https://www.example.no"],
                           categories=["functional", "analytics"])
        session.add(Scan(site_id=site.id, url="https://www.example.no", status="done", report=report))
        session.flush()
        config = banner_config.build(site, site_inventory(session, site), "https://c.example.no/")
    [cookie] = [c for c in config["cookies"] if c["name"] == "zq_mystery_7"]
    assert cookie["category"] == "analytics" and cookie["unclassified"] is True
    assert config["hosts"]["analytics"] == ["cdn.unknown-vendor.example"]


def test_hosts_come_from_the_tracker_table_for_scanned_setters(app):
    report = {"version": 1, "cookies": [
        {"name": "_ga", "domain": ".example.no", "set_by": "https://www.google-analytics.com/analytics.js",
         "party": "first", "lifetime_seconds": 63072000},
        {"name": "IDE", "domain": ".doubleclick.net", "set_by": "", "party": "third"},
        {"name": "session", "domain": "www.example.no", "set_by": "www.example.no", "party": "first"}]}
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="x", origins=["https://www.example.no"])
        session.add(Scan(site_id=site.id, url="https://www.example.no", status="done", report=report))
        session.flush()
        refresh_revision(session, site)
        config = banner_config.build(site, site_inventory(session, site), "https://c.example.no/")
    assert config["revision"] == 2
    assert held(config, "www.google-analytics.com") == "analytics"
    assert held(config, "stats.g.doubleclick.net") == "marketing"
    assert config["hosts"] == {"functional": [], "analytics": [], "marketing": []}  # known ones are coded
    names = {c["name"]: c for c in config["cookies"]}
    assert names["_ga"] == {"name": "_ga", "kind": "cookie", "domain": "example.no", "category": "analytics"}
    assert config["detailsUrl"] == f"/v1/sites/{site.key}/cookies.json?revision=2"


def test_cookie_details_are_served_beside_the_script(app, client):
    """consent.js carries what blocking needs; provider, purpose and lifetime come on request."""
    report = {"version": 1, "url": "https://www.example.no/", "cookies": [
        {"name": "_ga", "domain": ".example.no", "set_by": "", "party": "first",
         "lifetime_seconds": 63072000}]}
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="x", origins=["https://www.example.no"])
        session.add(Scan(site_id=site.id, url="https://www.example.no", status="done", report=report))
        session.flush()
        refresh_revision(session, site)
        key = site.key
    response = client.get(f"/v1/sites/{key}/cookies.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    [ga] = response.json["cookies"]
    assert ga["provider"] == "Google Analytics" and ga["purpose"]["nb"] and ga["lifetime_seconds"] == 63072000
    again = client.get(f"/v1/sites/{key}/cookies.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/v1/sites/nope/cookies.json").status_code == 404


def test_unknown_third_party_setters_are_blocked_under_what_they_set(app):
    """The scan's attribution is enough: a vendor host no table knows is held under the strictest
    category of the items it set; the site's own hosts, known or not, never are."""
    report = {"version": 1, "url": "https://www.example.no/", "cookies": [
        {"name": "mf_user", "domain": ".example.no", "set_by": "https://cdn.heatmaps.example/mf.js",
         "party": "first"},
        {"name": "_fbp", "domain": ".example.no", "set_by": "https://cdn.heatmaps.example/mf.js",
         "party": "first"},
        {"name": "_gid", "domain": ".example.no", "set_by": "https://static.example.no/tags.js",
         "party": "first"}]}
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="x", origins=["https://www.example.no"])
        session.add(Scan(site_id=site.id, url="https://www.example.no", status="done", report=report))
        session.flush()
        config = banner_config.build(site, site_inventory(session, site), "https://c.example.no/")
    assert config["hosts"]["marketing"] == ["cdn.heatmaps.example"]
    assert "cdn.heatmaps.example" not in config["hosts"]["analytics"]
    assert not any("example.no" in h for hosts in config["hosts"].values() for h in hosts)


def test_the_view_chunk_named_by_its_digest_is_immutable(client, site_key):
    """The config names the view under its content digest, so it can be cached for good."""
    view = config_of(client.get(f"/v1/sites/{site_key}/consent.js").data)["viewUrl"]
    response = client.get(view)
    assert response.status_code == 200 and response.headers["ETag"]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stale = client.get("/v1/banner/0000000000000000/consentkit-ui.js")
    assert "immutable" not in stale.headers["Cache-Control"]
    # The name the stub fetches on a first visit, before the core's config is here: always revalidated.
    current = client.get("/v1/banner/current/consentkit-ui.js")
    assert current.data == response.data and current.headers["Cache-Control"] == "public, no-cache"
    assert client.get("/v1/banner/current/consentkit-ui.js",
                      headers={"If-None-Match": current.headers["ETag"]}).status_code == 304
