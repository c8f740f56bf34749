"""POST /v1/sites/<key>/consents and the history GET, through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from consentkit.api import forget_site
from consentkit.db import get_db
from consentkit.models import ConsentRecord, SiteRevision
from consentkit.sites.registry import create_site, edit_site, get_site, rotate_api_key

ORIGIN = "https://www.example.no"


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=[ORIGIN]).key


def body(**changes: Any) -> dict[str, Any]:
    payload = {"consent_id": str(uuid.uuid4()),
               "choices": {"functional": True, "analytics": False, "marketing": False},
               "method": "custom", "revision": 1, "language": "nb",
               "page_url": "https://www.example.no/shop?email=a@b.no#top",
               "banner_version": "0.1.0", "gpc": False}
    payload.update(changes)
    return payload


def post(client, key: str, payload: Any = None, *, origin: str | None = ORIGIN, raw: bytes | None = None,
         content_type: str = "application/json", **kwargs: Any):
    headers = {"Origin": origin} if origin else {}
    headers.update(kwargs.pop("headers", {}))
    data = raw if raw is not None else json.dumps(payload if payload is not None else body())
    return client.post(f"/v1/sites/{key}/consents", data=data, content_type=content_type,
                       headers=headers, **kwargs)


def records(app) -> list[ConsentRecord]:
    with app.app_context(), get_db(app).session() as session:
        return list(session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))


def test_a_choice_is_committed_with_what_the_visitor_was_shown(app, client, site_key):
    payload = body()
    response = post(client, site_key, payload, headers={"User-Agent": "Mozilla/5.0 Test"})
    assert response.status_code == 201, response.json
    assert response.json["consent_id"] == payload["consent_id"]
    assert response.json["revision"] == 1 and response.json["recorded_at"].endswith("Z")
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    [row] = records(app)
    with app.app_context(), get_db(app).session() as session:
        shown = session.scalar(select(SiteRevision.content_hash).where(SiteRevision.revision == 1))
    assert (row.functional, row.analytics, row.marketing) == (True, False, False)
    assert row.revision_hash == shown and len(shown) == 64
    assert row.page_url == "https://www.example.no/shop"
    assert row.user_agent == "Mozilla/5.0 Test" and row.method == "custom" and row.language == "nb"
    assert row.client_ip == "127.0.0.0/24"


def history(client, key: str, consent_id: str, receipt: str | None, origin: str | None = ORIGIN):
    headers = {"Origin": origin} if origin else {}
    if receipt:
        headers["Consent-Receipt"] = receipt
    return client.get(f"/v1/sites/{key}/consents/{consent_id}", headers=headers)


def test_a_changed_choice_is_a_new_row_and_history_shows_only_that_id(app, client, site_key):
    first = body()
    answer = post(client, site_key, first)
    assert answer.status_code == 201 and answer.json["seq"] == 1 and answer.json["new_id"] is False
    second = body(consent_id=first["consent_id"], method="accept_all", receipt=answer.json["receipt"],
                  choices={"functional": True, "analytics": True, "marketing": True})
    answer = post(client, site_key, second)
    assert answer.status_code == 201 and answer.json["seq"] == 2
    assert answer.json["consent_id"] == first["consent_id"]
    assert post(client, site_key, body()).status_code == 201
    shown = history(client, site_key, first["consent_id"], answer.json["receipt"])
    assert shown.status_code == 200
    assert [(r["seq"], r["method"]) for r in shown.json["records"]] == [(1, "custom"), (2, "accept_all")]
    assert "client_ip" not in shown.json["records"][0]
    assert len(records(app)) == 3


def test_history_needs_the_latest_receipt_of_that_id(client, site_key):
    first = body()
    receipt_1 = post(client, site_key, first).json["receipt"]
    again = body(consent_id=first["consent_id"], receipt=receipt_1)
    receipt_2 = post(client, site_key, again).json["receipt"]
    other = post(client, site_key, body()).json["receipt"]
    for receipt in (None, "not.a.receipt", receipt_1, other):
        refused = history(client, site_key, first["consent_id"], receipt)
        assert refused.status_code == 403 and refused.json["error"] == "receipt_required", receipt
    assert history(client, site_key, first["consent_id"], receipt_2).status_code == 200
    unknown = history(client, site_key, str(uuid.uuid4()), receipt_2)
    assert unknown.status_code == 403 and unknown.json["error"] == "receipt_required"


def test_revision_must_exist_and_not_be_ahead_of_the_site(app, client, site_key):
    response = post(client, site_key, body(revision=2))
    assert response.status_code == 400
    assert "revision" in response.json["fields"]
    with app.app_context(), get_db(app).session() as session:
        edit_site(session, get_site(session, site_key), texts={"nb": {"title": "Ny tekst"}})
    assert post(client, site_key, body(revision=2)).status_code == 201
    assert post(client, site_key, body(revision=1)).status_code == 201
    hashes = {r.revision: r.revision_hash for r in records(app)}
    assert hashes[1] != hashes[2]


@pytest.mark.parametrize("field, value", [
    ("consent_id", "short"), ("consent_id", 12345678901234567), ("choices", []),
    ("choices", {"functional": "yes", "analytics": False, "marketing": False}),
    ("choices", {"functional": True, "analytics": False}),
    ("choices", {"functional": True, "analytics": False, "marketing": False, "ads": True}),
    ("method", "maybe"), ("revision", "1"), ("revision", 0), ("revision", True), ("revision", 1.5),
    ("language", "de"), ("page_url", "javascript:alert(1)"), ("page_url", "https://x.no/\x00"),
    ("banner_version", "x" * 33), ("banner_version", "1.0\n"), ("gpc", "false"),
])
def test_each_invalid_field_is_named(app, client, site_key, field, value):
    response = post(client, site_key, body(**{field: value}))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_field"
    assert any(name.split(".")[0] == field for name in response.json["fields"]), response.json
    assert records(app) == []


def test_method_must_agree_with_choices(client, site_key):
    response = post(client, site_key, body(method="accept_all"))
    assert response.status_code == 400 and "method" in response.json["fields"]


@pytest.mark.parametrize("policy, refused, status", [
    ("marketing", ["marketing"], 201), ("marketing_analytics", ["marketing", "analytics"], 201),
    ("marketing", ["marketing", "analytics"], 400), ("ignore", ["marketing"], 400)])
def test_accept_all_under_gpc_leaves_what_the_signal_denies(app, client, site_key, policy, refused, status):
    """A visitor with Global Privacy Control clicks "Accept all": every category but those the site's
    GPC policy denies is accepted, and that is an accept_all, not a contradiction."""
    with app.app_context(), get_db(app).session() as session:
        edit_site(session, get_site(session, site_key), gpc_policy=policy)
    choices = {c: c not in refused for c in ("functional", "analytics", "marketing")}
    response = post(client, site_key, body(method="accept_all", gpc=True, choices=choices))
    assert response.status_code == status, response.json
    without_gpc = post(client, site_key, body(method="accept_all", gpc=False, choices=choices))
    assert without_gpc.status_code == 400


def test_missing_and_unknown_fields_are_listed_together(client, site_key):
    payload = body(extra=1)
    del payload["method"]
    response = post(client, site_key, payload)
    assert response.status_code == 400
    assert response.json["fields"].keys() >= {"method", "extra"}


@pytest.mark.parametrize("raw", [b"{", b"", b"\xff\xfe", b"NaN", b'{"a": Infinity}', b"[" * 3000])
def test_malformed_json_is_400(app, client, site_key, raw):
    response = post(client, site_key, raw=raw)
    assert response.status_code == 400
    assert response.json["error"] in ("malformed_json", "invalid_field")
    assert records(app) == []


def test_wrong_content_type_is_415(client, site_key):
    response = post(client, site_key, content_type="text/plain")
    assert response.status_code == 415 and response.json["message"]


def test_body_over_4kb_is_413(app, client, site_key):
    response = post(client, site_key, body(banner_version="x" * 5000))
    assert response.status_code == 413 and response.json["error"] == "request_entity_too_large"
    assert records(app) == []


def test_unknown_site_is_404(client):
    response = post(client, "nosuchsite")
    assert response.status_code == 404 and response.json["error"] == "unknown_site"


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://www.example.no",
                                    "https://www.example.no.evil.com", "https://sub.www.example.no",
                                    "https://www.example.no:8443", "https://ex\u00e4mple.no", "\x7f"])
def test_a_hostile_origin_is_403_without_cors(app, client, site_key, origin):
    response = post(client, site_key, origin=origin)
    assert response.status_code == 403 and response.json["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert records(app) == []


def test_subdomains_only_when_the_site_allows_them(app, client, site_key):
    assert post(client, site_key, origin="https://shop.www.example.no").status_code == 403
    with app.app_context(), get_db(app).session() as session:
        edit_site(session, get_site(session, site_key), allow_subdomains=True)
    assert post(client, site_key, origin="https://shop.www.example.no").status_code == 201
    assert post(client, site_key, origin="https://shop.www.example.no.evil.com").status_code == 403


def test_without_origin_a_server_needs_the_sites_api_key(app, client, site_key):
    refused = post(client, site_key, origin=None)
    assert refused.status_code == 401 and refused.json["error"] == "api_key_required"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    with app.app_context(), get_db(app).session() as session:
        key = rotate_api_key(get_site(session, site_key))
    assert post(client, site_key, origin=None, headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = post(client, site_key, origin=None, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response.headers
    with app.app_context(), get_db(app).session() as session:
        rotate_api_key(get_site(session, site_key))
    forget_site(app, site_key)  # other processes drop their cached copy within SITE_CACHE_SECONDS
    assert post(client, site_key, origin=None, headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert len(records(app)) == 1


def test_the_servers_own_origin_is_allowed_for_every_site(client, site_key):
    """The hosted declaration page runs the banner on the consent server's origin."""
    response = post(client, site_key, origin="http://localhost")
    assert response.status_code == 201 and response.headers["Access-Control-Allow-Origin"] == "http://localhost"
    assert post(client, site_key, origin="http://localhost:8001").status_code == 403


def test_preflight_only_for_the_sites_own_origins(client, site_key):
    url = f"/v1/sites/{site_key}/consents"
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = client.options(url, headers={"Origin": ORIGIN, **asked})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert ok.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in ok.headers["Access-Control-Allow-Headers"]
    assert "Consent-Receipt" in ok.headers["Access-Control-Allow-Headers"]
    history_url = f"{url}/{uuid.uuid4()}"
    assert client.options(history_url, headers={"Origin": ORIGIN, **asked}).status_code == 204
    refused = client.options(url, headers={"Origin": "https://evil.example", **asked})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    assert client.options("/v1/sites/nosuch/consents", headers={"Origin": ORIGIN}).status_code == 404


def test_the_consent_cookie_is_set_when_api_and_page_share_a_site(client, site_key):
    """The same format the banner writes (docs/contracts.md): {i, c, r, t, m, x}."""
    payload = body()
    response = post(client, site_key, payload, base_url="https://consent.example.no")
    cookie = response.headers["Set-Cookie"]
    assert "Domain=example.no" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert "Max-Age=31536000" in cookie and "HttpOnly" not in cookie
    value = json.loads(unquote(cookie.split(";")[0].split("=", 1)[1]))
    assert value == {"i": payload["consent_id"], "c": payload["choices"], "r": 1, "m": "custom",
                     "t": value["t"], "x": response.json["receipt"]}
    recorded = datetime.fromisoformat(response.json["recorded_at"].replace("Z", "+00:00"))
    assert value["t"] == int(recorded.timestamp() * 1000)


def test_no_cookie_for_another_sites_page(client, site_key):
    response = post(client, site_key, base_url="https://consent.other.no")
    assert response.status_code == 201 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("mode, expected", [("truncate", "203.0.113.0/24"), ("none", None)])
def test_ip_is_minimised_per_site(app, client, site_key, mode, expected):
    with app.app_context(), get_db(app).session() as session:
        edit_site(session, get_site(session, site_key), ip_mode=mode)
    post(client, site_key, environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert records(app)[0].client_ip == expected


def test_forwarded_for_is_trusted_only_for_configured_proxies(db_url, tmp_path):
    from consentkit.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k", "PROXY_COUNT": 1},
                     instance_path=str(tmp_path / "i"))
    with app.app_context(), get_db(app).session() as session:
        key = create_site(session, name="x", origins=[ORIGIN]).key
    response = post(app.test_client(), key, headers={"X-Forwarded-For": "1.1.1.1, 198.51.100.9"})
    assert response.status_code == 201
    assert records(app)[0].client_ip == "198.51.100.0/24"
    get_db(app).dispose()


@pytest.mark.parametrize("text", ["\u2028\u2029", "\ud800", "\x00", "💥" * 10, "\u202e", "</script>"])
def test_unicode_and_control_characters_never_500(app, client, site_key, text):
    for field in ("consent_id", "method", "language", "page_url"):
        response = post(client, site_key, body(**{field: text}))
        assert response.status_code == 400 and field in response.json["fields"], (field, response.json)
    response = post(client, site_key, body(banner_version=text))
    assert response.status_code in (201, 400), response.json
    if response.status_code == 201:
        assert records(app)[-1].banner_version == text
    payload = json.dumps(body(choices={text: True, "functional": True, "analytics": False,
                                       "marketing": False})).encode()
    assert post(client, site_key, raw=payload).status_code == 400
    response = post(client, site_key, body(), headers={"User-Agent": "bad\x01agent" + text[:1]})
    assert response.status_code in (201, 400)


def test_rate_limit_per_client_while_others_get_through(db_url, tmp_path):
    from consentkit.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k",
                      "CONSENT_RATE_LIMIT": "3 per minute"}, instance_path=str(tmp_path / "i"))
    with app.app_context(), get_db(app).session() as session:
        key = create_site(session, name="x", origins=[ORIGIN]).key
    client = app.test_client()
    flood = [post(client, key, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code for _ in range(5)]
    assert flood == [201, 201, 201, 429, 429]
    # refusals count too: an unknown key or a refused origin costs the client as much as a record
    assert post(client, "no-such-site", environ_base={"REMOTE_ADDR": "192.0.2.3"}).status_code == 404
    assert post(client, key, origin="https://evil.example",
                environ_base={"REMOTE_ADDR": "192.0.2.3"}).status_code == 403
    assert post(client, key, environ_base={"REMOTE_ADDR": "192.0.2.3"}).status_code == 201
    assert post(client, key, environ_base={"REMOTE_ADDR": "192.0.2.3"}).status_code == 429
    limited = post(client, key, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert limited.json["error"] == "too_many_requests" and int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert post(client, key, environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 201
    with app.app_context(), get_db(app).session() as session:
        assert session.scalar(select(func.count()).select_from(ConsentRecord)) == 5
    get_db(app).dispose()


def test_redis_storage_shares_the_limit_between_processes(db_url, tmp_path, redis_url):
    """Two apps (as two gunicorn workers or machines) count one client together through Redis."""
    import random

    from consentkit.app import create_app

    config = {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k",
              "CONSENT_RATE_LIMIT": "2 per minute", "RATELIMIT_STORAGE_URI": redis_url}
    apps = [create_app(config, instance_path=str(tmp_path / f"i{n}")) for n in range(2)]
    with apps[0].app_context(), get_db(apps[0]).session() as session:
        key = create_site(session, name="x", origins=[ORIGIN]).key
    client_ip = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    statuses = [post(apps[n % 2].test_client(), key, environ_base={"REMOTE_ADDR": client_ip}).status_code
                for n in range(3)]
    assert statuses == [201, 201, 429]
    for application in apps:
        get_db(application).dispose()


def test_a_site_deleted_while_cached_is_404_not_500(app, client, site_key):
    assert post(client, site_key).status_code == 201
    with app.app_context(), get_db(app).session() as session:
        session.delete(get_site(session, site_key))
    response = post(client, site_key)
    assert response.status_code == 404 and response.json["error"] == "unknown_site"
