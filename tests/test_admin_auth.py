"""Sign-in, the sign-in requirement on every admin route, CSRF, the headers and the login rate limit."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consentkit.accounts import users
from consentkit.admin.testing import PASSWORD, USERNAME, create_admin, csrf_token, sign_in
from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.errors import InvalidPassword
from consentkit.models import AdminSession, utcnow
from consentkit.security import CONTENT_SECURITY_POLICY
from consentkit.sites.registry import create_site

OPEN = {"admin.login", "admin.static"}


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=["https://www.example.no"]).key


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]


def sample_url(rule, site_key: str) -> str:
    values = {"key": site_key, "consent_id": "c1", "scan_id": 1, "fmt": "csv", "filename": "admin.css",
              "user_id": 1, "session_id": 1, "chart": "methods"}
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", str(values[name]))
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{name}>", str(values[name]))
    assert "<" not in path, path
    return path


def test_every_admin_route_redirects_a_signed_out_client_to_sign_in(app, client, site_key):
    rules = [r for r in admin_rules(app) if r.endpoint not in OPEN]
    assert len(rules) >= 12, [r.rule for r in rules]
    token = csrf_token(client)  # a valid token, so POSTs are turned away for the missing sign-in
    checked = 0
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = sample_url(rule, site_key)
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.location.startswith("/admin/login"), (method, url, response.location)
            checked += 1
    assert checked > len(rules)  # GETs and POSTs both walked
    assert {r.endpoint for r in admin_rules(app)} >= OPEN


def test_the_open_admin_routes_are_only_the_sign_in_page_and_its_css(app, client):
    assert client.get("/admin/login").status_code == 200
    with client.get("/admin/static/admin.css") as css:
        assert css.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_sign_in_then_the_pages_open(app, client, site_key):
    create_admin(app)
    response = sign_in(client)
    assert response.status_code == 302 and response.location == "/admin/"
    assert client.get("/admin/sites").status_code == 200
    assert site_key in client.get("/admin/sites").get_data(as_text=True)


def test_a_wrong_password_is_refused_and_signs_nobody_in(app, client):
    create_admin(app)
    response = sign_in(client, password="wrong password!!")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/admin/sites").status_code == 302


def test_next_goes_back_to_the_page_asked_for_but_never_off_site(app, client, site_key):
    create_admin(app)
    token = csrf_token(client)
    form = {"username": USERNAME, "password": PASSWORD, "csrf_token": token}
    response = client.post(f"/admin/login?next=/admin/sites/{site_key}", data=form)
    assert response.location == f"/admin/sites/{site_key}"
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/sites")})
    for evil in ("https://evil.example/admin", "//evil.example/admin", "/v1/x"):
        response = client.post(f"/admin/login?next={evil}", data={**form, "csrf_token": csrf_token(client)})
        assert response.location == "/admin/", evil
        client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/sites")})


def test_session_cookie_is_httponly_strict_and_secure_on_https(app):
    create_admin(app)
    plain = app.test_client()
    cookie = sign_in(plain).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    secure = app.test_client()
    token = csrf_token(secure)
    cookie = secure.post("/admin/login", base_url="https://localhost",
                         headers={"Referer": "https://localhost/admin/login"},
                         data={"username": USERNAME, "password": PASSWORD, "csrf_token": token})
    assert cookie.status_code == 302
    assert "Secure" in cookie.headers["Set-Cookie"]


def test_a_form_post_without_csrf_token_is_refused(app, site_key):
    create_admin(app)
    client = app.test_client()
    sign_in(client)
    response = client.post(f"/admin/sites/{site_key}/edit", data={"name": "Hijacked",
                                                                 "origins": "https://evil.example"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    response = client.post("/admin/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/admin/sites").status_code == 200  # still signed in: the logout was refused


def test_login_without_csrf_token_is_refused(app, client):
    create_admin(app)
    response = client.post("/admin/login", data={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 400


def test_the_public_api_takes_posts_without_csrf_tokens(app, client, site_key):
    body = {"consent_id": str(uuid.uuid4()), "choices": {"functional": True, "analytics": False,
                                                         "marketing": False},
            "method": "custom", "revision": 1, "language": "nb", "page_url": "https://www.example.no/",
            "banner_version": "0.1.0", "gpc": False}
    response = client.post(f"/v1/sites/{site_key}/consents", data=json.dumps(body),
                           content_type="application/json", headers={"Origin": "https://www.example.no"})
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/login", "/admin/sites", "/admin/no-such-page",
                                  "/admin/static/admin.css"])
def test_admin_responses_carry_the_security_headers(app, client, path):
    with client.get(path) as response:
        headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_carry_the_csp_and_no_inline_script_or_style(app, site_key):
    create_admin(app)
    client = app.test_client()
    sign_in(client)
    for path in ("/admin/sites", f"/admin/sites/{site_key}", f"/admin/sites/{site_key}/stats",
                 f"/admin/sites/{site_key}/consents", f"/admin/sites/{site_key}/edit"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "<script" not in html and " style=" not in html and "<style" not in html, path


def test_sign_in_attempts_are_rate_limited(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    create_admin(app)
    codes = [sign_in(client, password="wrong password!!").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert sign_in(client).status_code == 429  # the right password waits too


def test_the_api_does_not_share_the_sign_in_limit(app, client, site_key):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    create_admin(app)
    sign_in(client, password="wrong password!!")
    assert sign_in(client).status_code == 429
    assert client.get(f"/v1/sites/{site_key}/consent.js").status_code == 200


def _copy_cookies(app, source, target) -> None:
    """What a thief with the session cookie would hold: the same cookie in another client."""
    cookie = source.get_cookie(app.config["SESSION_COOKIE_NAME"])
    target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_signing_out_ends_the_session_on_the_server(app):
    create_admin(app)
    owner = app.test_client()
    sign_in(owner)
    thief = app.test_client()
    _copy_cookies(app, owner, thief)
    assert thief.get("/admin/sites").status_code == 200  # a copied cookie works while the session lives
    owner.post("/admin/logout", data={"csrf_token": csrf_token(owner, "/admin/sites")})
    assert thief.get("/admin/sites").status_code == 302
    assert owner.get("/admin/sites").status_code == 302


@pytest.mark.parametrize("setting, value, age", [
    ("ADMIN_SESSION_IDLE_MINUTES", 30, {"last_seen_at": timedelta(minutes=31)}),
    ("ADMIN_SESSION_MAX_HOURS", 2, {"created_at": timedelta(hours=2, minutes=1)}),
])
def test_idle_and_absolute_session_lifetimes(app, setting, value, age):
    app.config[setting] = value
    create_admin(app)
    client = app.test_client()
    sign_in(client)
    assert client.get("/admin/sites").status_code == 200
    with app.app_context(), get_db(app).session() as session:
        row = session.scalar(select(AdminSession))
        for column, delta in age.items():
            setattr(row, column, utcnow() - delta)
    response = client.get("/admin/sites")
    assert response.status_code == 302 and response.location.startswith("/admin/login")
    with app.app_context(), get_db(app).session() as session:
        assert session.scalar(select(func.count()).select_from(AdminSession)) == 0


def test_a_new_password_ends_every_session_of_that_user(app):
    create_admin(app)
    client = app.test_client()
    sign_in(client)
    with app.app_context(), get_db(app).session() as session:
        assert users.set_password(session, USERNAME, "an entirely new passphrase") == 1
    assert client.get("/admin/sites").status_code == 302
    assert sign_in(client).status_code == 401
    assert sign_in(client, password="an entirely new passphrase").status_code == 302


def test_passwords_are_at_least_twelve_characters(app):
    with app.app_context(), get_db(app).session() as session:
        with pytest.raises(InvalidPassword, match="at least 12"):
            users.create_user(session, "short", "elevenchars")
        with pytest.raises(InvalidPassword, match="username"):
            users.create_user(session, "longusername", "LongUserName")


def test_an_account_is_locked_after_repeated_failures_from_any_client(app):
    app.config["LOGIN_LOCKOUT"] = "3 per 15 minutes"
    create_admin(app)
    for n in range(3):  # three different addresses: the per-client limit does not catch this
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        assert sign_in(client, password="wrong password!!").status_code == 401
    client = app.test_client()
    response = sign_in(client)  # the right password, from yet another address
    assert response.status_code == 429 and "Too many failed sign-ins" in response.get_data(as_text=True)
    assert client.get("/admin/sites").status_code == 302


def test_the_lockout_is_shared_by_processes_through_redis(db_url, tmp_path, redis_url):
    """Two apps (two gunicorn workers or machines) with one Redis count failures together."""
    config = {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k", "RATELIMIT_STORAGE_URI": redis_url,
              "LOGIN_LOCKOUT": "2 per 15 minutes"}
    apps = [create_app(config, instance_path=str(tmp_path / f"i{n}")) for n in range(2)]
    username = f"owner-{uuid.uuid4().hex[:8]}"
    create_admin(apps[0], username=username)
    assert sign_in(apps[0].test_client(), username, "wrong password!!").status_code == 401
    assert sign_in(apps[1].test_client(), username, "wrong password!!").status_code == 401
    assert sign_in(apps[0].test_client(), username).status_code == 429
    assert sign_in(apps[1].test_client(), username).status_code == 429
    for application in apps:
        get_db(application).dispose()
