"""The admin's site pages: origins are added and removed one at a time, the last only after a warning."""

from __future__ import annotations

import pytest

from consentkit.admin.testing import csrf_token, signed_in_client
from consentkit.db import get_db
from consentkit.sites.registry import create_site, get_site

ORIGIN = "https://www.example.no"


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=[ORIGIN]).key


def origins(app, key: str) -> list[str]:
    with app.app_context(), get_db(app).session() as session:
        return list(get_site(session, key).origins)


def test_an_origin_is_added_and_the_others_stay(app, site_key):
    admin = signed_in_client(app)
    page = f"/admin/sites/{site_key}"
    response = admin.post(f"{page}/origins", data={"origin": "https://shop.example.no/",
                                                   "csrf_token": csrf_token(admin, page)})
    assert response.status_code == 302
    assert origins(app, site_key) == [ORIGIN, "https://shop.example.no"]
    html = admin.get(page).get_data(as_text=True)
    assert "Allowed https://shop.example.no." in html and 'data-origin="https://shop.example.no"' in html
    bad = admin.post(f"{page}/origins", data={"origin": "ftp://x", "csrf_token": csrf_token(admin, page)})
    assert bad.status_code == 302 and "must look like https://" in admin.get(page).get_data(as_text=True)


def test_the_last_origin_goes_only_after_a_warning(app, site_key):
    admin = signed_in_client(app)
    page = f"/admin/sites/{site_key}"
    asked = admin.post(f"{page}/origins/remove",
                       data={"origin": ORIGIN, "csrf_token": csrf_token(admin, page)})
    assert asked.status_code == 409 and "leaves the site with no origin" in asked.get_data(as_text=True)
    assert origins(app, site_key) == [ORIGIN]
    confirmed = admin.post(f"{page}/origins/remove", data={"origin": ORIGIN, "confirm": "yes",
                                                           "csrf_token": csrf_token(admin, page)})
    assert confirmed.status_code == 302 and origins(app, site_key) == []
    assert "every visitor's consent is refused" in admin.get(page).get_data(as_text=True)


def test_the_settings_form_cannot_replace_the_origins(app, site_key):
    admin = signed_in_client(app)
    edit = f"/admin/sites/{site_key}/edit"
    assert 'name="origins"' not in admin.get(edit).get_data(as_text=True)
    form = {"name": "Renamed", "origins": "https://evil.example", "languages": ["nb"],
            "default_language": "nb", "categories": ["analytics"], "texts": "{}", "appearance": "{}",
            "consent_lifetime_days": "365",
            "gpc_policy": "marketing", "cookie_name": "consentkit", "retention_days": "1825",
            "ip_mode": "truncate", "csrf_token": csrf_token(admin, edit)}
    assert admin.post(edit, data=form).status_code == 302
    assert origins(app, site_key) == [ORIGIN]
