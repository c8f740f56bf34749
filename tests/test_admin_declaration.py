"""The admin's declaration page and the controller in the site form: what to fix before publishing,
the owner's texts previewed before they are saved, and the controller set once."""

from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from consentkit.admin.testing import csrf_token, signed_in_client
from consentkit.db import get_db
from consentkit.models import Scan
from consentkit.sites.registry import create_site, get_site, refresh_revision

ORIGIN = "https://www.example.no"
REPORT = {"version": 1, "url": f"{ORIGIN}/",
          "cookies": [{"name": "_ga", "domain": ".example.no", "lifetime_seconds": 400 * 86400,
                       "party": "first", "set_by": "", "phases": ["before"]},
                      {"name": "shop_pref", "domain": "www.example.no", "lifetime_seconds": 86400,
                       "party": "first", "set_by": "", "phases": ["accept"]}],
          "storage": [],
          "violations": [{"kind": "cookie", "name": "_ga", "phase": "before", "category": "analytics"}]}


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Example", origins=[ORIGIN])
        session.add(Scan(site_id=site.id, url=f"{ORIGIN}/", status="done", report=REPORT,
                         started_at=datetime(2026, 3, 12), finished_at=datetime(2026, 3, 12)))
        session.flush()
        refresh_revision(session, site)
        return site.key


def test_the_page_warns_of_violations_and_a_missing_controller_and_marks_generated_purposes(app, site_key):
    admin = signed_in_client(app)
    soup = BeautifulSoup(admin.get(f"/admin/sites/{site_key}/declaration?lang=nn").get_data(as_text=True),
                         "html.parser")
    warnings = [p.get_text(" ", strip=True) for p in soup.select('[data-notice="warning"]')]
    assert any("found 1 item(s) set before consent" in w and "_ga" in w for w in warnings)
    assert any("no controller is named" in w for w in warnings)
    preview = soup.select_one('[data-preview="declaration"]')
    assert preview.find("h3").get_text() == "Informasjonskapslar og lagring"
    marked = [b.find_parent("tr").find("th").get_text() for b in preview.select("[data-generated-purpose]")]
    assert marked == ["shop_pref"]  # _ga has its nynorsk text; shop_pref has none
    assert soup.select_one('[data-preview="policy"]').find(string="Datatilsynet") is not None


def test_preview_shows_unsaved_texts_and_save_keeps_them(app, site_key):
    admin = signed_in_client(app)
    page = f"/admin/sites/{site_key}/declaration"
    form = {"csrf_token": csrf_token(admin, page), "language": "nn",
            "intro_nn": "{site} fortel her om informasjonskapslane.", "closing_en": "Thanks."}
    preview = admin.post(page, data={**form, "action": "preview"})
    assert preview.status_code == 200
    assert "Example fortel her om informasjonskapslane." in preview.get_data(as_text=True)
    with app.app_context(), get_db(app).session() as session:
        assert get_site(session, site_key).declaration_texts == {}
    saved = admin.post(page, data={**form, "action": "save"})
    assert saved.status_code == 302
    with app.app_context(), get_db(app).session() as session:
        assert get_site(session, site_key).declaration_texts == {
            "nn": {"intro": "{site} fortel her om informasjonskapslane."}, "en": {"closing": "Thanks."}}
    hosted = app.test_client().get(f"/v1/sites/{site_key}/declaration?lang=nn").get_data(as_text=True)
    assert "Example fortel her om informasjonskapslane." in hosted


def test_an_unknown_variable_is_refused_and_nothing_is_saved(app, site_key):
    admin = signed_in_client(app)
    page = f"/admin/sites/{site_key}/declaration"
    response = admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "save",
                                      "intro_nb": "Hei {kontroller}"})
    assert response.status_code == 400
    assert "unknown variables {kontroller}" in response.get_data(as_text=True)
    with app.app_context(), get_db(app).session() as session:
        assert get_site(session, site_key).declaration_texts == {}


def test_the_site_form_sets_the_controller_and_checks_the_organisation_number(app, site_key):
    admin = signed_in_client(app)
    page = f"/admin/sites/{site_key}/edit"
    fields = {"name": "Example", "languages": ["nb", "nn", "en"], "default_language": "nb",
              "categories": ["functional", "analytics", "marketing"], "texts": "{}", "appearance": "{}",
              "consent_lifetime_days": "365", "gpc_policy": "marketing", "cookie_name": "consentkit",
              "retention_days": "1825", "ip_mode": "truncate", "controller_name": "Example AS",
              "controller_address": "Storgata 1, 0155 Oslo", "controller_email": "personvern@example.no"}
    bad = admin.post(page, data={**fields, "controller_org_number": "123456789",
                                 "csrf_token": csrf_token(admin, page)})
    assert bad.status_code == 400
    assert "not a valid Norwegian organisation number" in bad.get_data(as_text=True)
    good = admin.post(page, data={**fields, "controller_org_number": "920331483",
                                  "csrf_token": csrf_token(admin, page)})
    assert good.status_code == 302
    overview = admin.get(f"/admin/sites/{site_key}").get_data(as_text=True)
    assert "Example AS, org.nr. 920 331 483, Storgata 1, 0155 Oslo, personvern@example.no" in overview
    notices = admin.get(f"/admin/sites/{site_key}/declaration").get_data(as_text=True)
    assert "no controller is named" not in notices


def test_an_override_takes_a_nynorsk_purpose(app, site_key):
    admin = signed_in_client(app)
    page = f"/admin/sites/{site_key}/inventory"
    html = admin.get(page).get_data(as_text=True)
    queued = BeautifulSoup(html, "html.parser").select_one('[data-queue-item="shop_pref"]')
    prefix = queued.select_one('input[name="prefix"]')["value"]
    response = admin.post(f"/admin/sites/{site_key}/overrides", data={
        "prefix": prefix, f"{prefix}-name": "shop_pref", f"{prefix}-kind": "cookie",
        f"{prefix}-match": "exact", f"{prefix}-category": "functional", f"{prefix}-provider": "Example",
        f"{prefix}-purpose_en": "Remembers the shop's view.", f"{prefix}-purpose_nb": "Husker visningen.",
        f"{prefix}-purpose_nn": "Hugsar visinga i butikken.", "csrf_token": csrf_token(admin, page)})
    assert response.status_code == 302
    hosted = app.test_client().get(f"/v1/sites/{site_key}/declaration?lang=nn").get_data(as_text=True)
    assert "Hugsar visinga i butikken." in hosted
