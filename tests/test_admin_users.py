"""Users, roles and sessions in the admin: owners manage users; viewers read, and get 403 for every
change and for the log's export; the last owner stays; a session can be ended from another browser."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consentkit.admin.testing import PASSWORD, csrf_token, sign_in, signed_in_client
from consentkit.db import get_db
from consentkit.models import AdminSession, User
from consentkit.sites.registry import create_site

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=["https://www.example.no"]).key


def user_id(app, name: str) -> int:
    with app.app_context(), get_db(app).session() as session:
        return session.scalar(select(User.id).where(User.username == name))


def test_a_viewer_reads_but_cannot_change_or_export(app, site_key):
    owner = signed_in_client(app)
    viewer = signed_in_client(app, "reader", "viewer")
    for path in (
        "/admin/",
        f"/admin/sites/{site_key}",
        f"/admin/sites/{site_key}/consents",
        f"/admin/sites/{site_key}/stats",
        f"/admin/sites/{site_key}/inventory",
        f"/admin/sites/{site_key}/stats/methods.csv",
    ):
        assert viewer.get(path).status_code == 200, path
    for path in (
        f"/admin/sites/{site_key}/export.csv",
        f"/admin/sites/{site_key}/edit",
        "/admin/users",
        f"/admin/sites/{site_key}/banner",
        f"/admin/sites/{site_key}/delete",
        "/admin/sites/new",
    ):
        response = viewer.get(path)
        assert response.status_code == 403 and "only an owner" in response.get_data(as_text=True), path
    token = csrf_token(viewer, f"/admin/sites/{site_key}")
    for path, data in (
        (f"/admin/sites/{site_key}/origins", {"origin": "https://evil.test"}),
        (f"/admin/sites/{site_key}/overrides", {"name": "x"}),
        (f"/admin/sites/{site_key}/delete", {"confirm_key": site_key}),
        ("/admin/users", {"username": "mallory", "password": PASSWORD, "role": "owner"}),
    ):
        assert viewer.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    page = viewer.get(f"/admin/sites/{site_key}").get_data(as_text=True)
    assert "Add an origin" not in page and "Edit settings" not in page and ">Users<" not in page
    assert "Add an origin" in owner.get(f"/admin/sites/{site_key}").get_data(as_text=True)
    log = viewer.get(f"/admin/sites/{site_key}/consents").get_data(as_text=True)
    assert "data-export" not in log
    assert viewer.post("/admin/logout", data={"csrf_token": token}).status_code == 302


def test_owner_adds_a_user_resets_a_password_and_changes_a_role(app):
    owner = signed_in_client(app)
    token = csrf_token(owner, "/admin/users")
    short = owner.post(
        "/admin/users", data={"csrf_token": token, "username": "kari", "password": "short", "role": "viewer"}
    )
    assert short.status_code == 400 and "at least 12" in short.get_data(as_text=True)
    added = owner.post(
        "/admin/users", data={"csrf_token": token, "username": "kari", "password": PASSWORD, "role": "viewer"}
    )
    assert added.status_code == 302
    again = owner.post(
        "/admin/users", data={"csrf_token": token, "username": "kari", "password": PASSWORD, "role": "viewer"}
    )
    assert again.status_code == 400 and "exists already" in again.get_data(as_text=True)
    kari = app.test_client()
    assert sign_in(kari, "kari").status_code == 302
    kid = user_id(app, "kari")
    reset = owner.post(
        f"/admin/users/{kid}/password", data={"csrf_token": token, f"u{kid}-password": NEW_PASSWORD}
    )
    assert reset.status_code == 302
    assert kari.get("/admin/sites").status_code == 302  # her session ended with the old password
    assert sign_in(kari, "kari", NEW_PASSWORD).status_code == 302
    assert kari.get("/admin/users").status_code == 403
    role = owner.post(f"/admin/users/{kid}/role", data={"csrf_token": token, f"r{kid}-role": "owner"})
    assert role.status_code == 302 and kari.get("/admin/users").status_code == 200
    page = owner.get("/admin/users").get_data(as_text=True)
    assert re.search(r'data-user="kari".*?<option selected value="owner">', page, re.S)


def test_the_last_owner_stays_and_removing_yourself_asks_first(app):
    owner = signed_in_client(app)
    token = csrf_token(owner, "/admin/users")
    oid = user_id(app, "owner")
    demoted = owner.post(f"/admin/users/{oid}/role", data={"csrf_token": token, f"r{oid}-role": "viewer"})
    assert demoted.status_code == 409 and "only owner" in demoted.get_data(as_text=True)
    removed = owner.post(f"/admin/users/{oid}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert removed.status_code == 409 and "only owner" in removed.get_data(as_text=True)
    owner.post(
        "/admin/users",
        data={"csrf_token": token, "username": "second", "password": PASSWORD, "role": "owner"},
    )
    asked = owner.post(f"/admin/users/{oid}/delete", data={"csrf_token": token})
    assert asked.status_code == 409 and "Remove your own user?" in asked.get_data(as_text=True)
    assert user_id(app, "owner") == oid
    gone = owner.post(f"/admin/users/{oid}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert gone.status_code == 302 and gone.location.startswith("/admin/login")
    assert user_id(app, "owner") is None
    assert owner.get("/admin/sites").status_code == 302


def test_sessions_are_listed_and_one_can_be_ended_from_another_browser(app):
    owner = signed_in_client(app)
    laptop = app.test_client()
    assert sign_in(laptop).status_code == 302
    page = owner.get("/admin/users").get_data(as_text=True)
    assert page.count("data-session=") == 2 and "this browser" in page
    with app.app_context(), get_db(app).session() as session:
        ids = sorted(session.scalars(select(AdminSession.id)))
    token = csrf_token(owner, "/admin/users")
    mine = re.search(r'data-session="(\d+)">\s*<td>owner <span class="badge">this browser', page).group(1)
    other = next(i for i in ids if str(i) != mine)
    assert owner.post(f"/admin/sessions/{other}/revoke", data={"csrf_token": token}).status_code == 302
    assert laptop.get("/admin/sites").status_code == 302  # signed out
    assert owner.get("/admin/sites").status_code == 200
    own = owner.post(f"/admin/sessions/{mine}/revoke", data={"csrf_token": token})
    assert own.status_code == 302 and owner.get("/admin/sites").status_code == 302
