"""The banner editor: form fields instead of JSON, designs with a weaker "Reject all" refused, a
confirmation before a text change asks every visitor again, and a preview that is the real bundle
with the draft; and deleting a site, after its log's export is offered."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consentkit.admin.banner import encode_draft
from consentkit.admin.testing import csrf_token, signed_in_client
from consentkit.db import get_db
from consentkit.models import ConsentRecord, Site
from consentkit.paths import static_dir
from consentkit.sites.banner_design import contrast, problems
from consentkit.sites.registry import create_site, get_site


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=["https://www.example.no"]).key


def site_state(app, key: str) -> tuple[int, dict, dict]:
    with app.app_context(), get_db(app).session() as session:
        site = get_site(session, key)
        return site.revision, dict(site.texts), dict(site.appearance)


def form(admin, key: str, **fields) -> dict:
    data = {
        "csrf_token": csrf_token(admin, f"/admin/sites/{key}/banner"),
        "accent": "#1d4ed8",
        "position": "bottom",
        "reopen_button": "y",
    }
    data.update(fields)
    return data


def test_contrast_and_reject_rules():
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert problems({}, {"accent": "#1d4ed8"}, ["nb"]) == []
    pale = problems({}, {"accent": "#fde047"}, ["nb"])
    assert any("contrast" in p for p in pale) and any("stands out" in p for p in pale)
    assert problems({"nb": {"reject": " "}}, {}, ["nb"]) == ['nb: "Reject all" needs a label.']
    assert problems({"en": {"accept": "OK", "reject": "ok"}}, {}, ["en"]) == [
        'en: "Reject all" and "Accept all" have the same label.'
    ]


def test_colours_and_position_save_without_asking_visitors_again(app, site_key):
    admin = signed_in_client(app)
    page = admin.get(f"/admin/sites/{site_key}/banner").get_data(as_text=True)
    assert 'type="color"' in page and "every visitor is asked" in page and "JSON" not in page
    assert page.count('<iframe class="preview-frame"') == 3
    before, _, _ = site_state(app, site_key)
    saved = admin.post(
        f"/admin/sites/{site_key}/banner",
        data=form(admin, site_key, accent="#0F5132", position="center", action="save"),
    )
    assert saved.status_code == 302
    revision, texts, appearance = site_state(app, site_key)
    assert (revision, texts, appearance) == (before, {}, {"accent": "#0f5132", "position": "center"})


def test_a_pale_accent_is_refused_and_nothing_is_saved(app, site_key):
    admin = signed_in_client(app)
    refused = admin.post(
        f"/admin/sites/{site_key}/banner",
        data=form(admin, site_key, accent="#fde047", t_nb_title="Hei", action="save"),
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Choose a darker colour" in html and 'value="Hei"' in html
    assert site_state(app, site_key)[1:] == ({}, {})


def test_a_text_change_asks_for_confirmation_then_bumps_the_revision(app, site_key):
    admin = signed_in_client(app)
    before, _, _ = site_state(app, site_key)
    data = form(admin, site_key, t_nb_title="Vi bruker kaker", t_nb_reject="Nei takk", action="save")
    asked = admin.post(f"/admin/sites/{site_key}/banner", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "Visitors will be asked again." in html
    assert "Save and ask every visitor again" in html and site_state(app, site_key)[0] == before
    done = admin.post(f"/admin/sites/{site_key}/banner", data={**data, "confirm": "yes"})
    assert done.status_code == 302
    revision, texts, _ = site_state(app, site_key)
    assert revision == before + 1 and texts == {"nb": {"title": "Vi bruker kaker", "reject": "Nei takk"}}
    emptied = admin.post(
        f"/admin/sites/{site_key}/banner",
        data=form(admin, site_key, t_nb_title="Vi bruker kaker", t_nb_reject=" ", action="save"),
    )
    assert emptied.status_code == 409  # an empty field means the built-in text: a change, confirmed first


def test_the_preview_is_the_real_bundle_with_the_draft_posting_nowhere(app, site_key):
    admin = signed_in_client(app)
    draft = encode_draft({"en": {"title": "Draft title ✓"}}, {"accent": "#0f5132"})
    page = admin.get(f"/admin/sites/{site_key}/banner/preview?lang=en&draft={draft}")
    assert page.status_code == 200 and "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    assert '<html lang="en">' in page.get_data(as_text=True)
    script = admin.get(f"/admin/sites/{site_key}/banner/preview.js?lang=en&draft={draft}").get_data(
        as_text=True
    )
    bundle = (static_dir() / "consentkit.js").read_text(encoding="utf-8")
    assert script.startswith(bundle[:200]) and "Draft title ✓" in script and '"accent":"#0f5132"' in script
    assert f"/admin/sites/{site_key}/banner/preview/consents" in script and "preview.invalid" in script
    sink = admin.post(f"/admin/sites/{site_key}/banner/preview/consents", json={"consent_id": "x"})
    assert sink.status_code == 422
    broken = admin.get(f"/admin/sites/{site_key}/banner/preview.js?draft=%%%").get_data(as_text=True)
    assert "ConsentKit.init(" in broken  # a mangled draft falls back to the saved design


def test_a_site_is_deleted_after_typing_its_key_with_the_export_offered(app, site_key):
    admin = signed_in_client(app)
    with app.app_context(), get_db(app).session() as session:
        site = get_site(session, site_key)
        session.add(
            ConsentRecord(
                site_id=site.id,
                consent_id="c1",
                method="accept_all",
                revision=1,
                revision_hash="x" * 64,
                language="nb",
            )
        )
    page = admin.get(f"/admin/sites/{site_key}/delete").get_data(as_text=True)
    assert 'data-records="1"' in page and f"/admin/sites/{site_key}/export.csv" in page
    token = csrf_token(admin, f"/admin/sites/{site_key}/delete")
    wrong = admin.post(f"/admin/sites/{site_key}/delete", data={"csrf_token": token, "confirm_key": "nope"})
    assert wrong.status_code == 400 and f"type the site key {site_key} to delete it" in wrong.get_data(
        as_text=True
    )
    done = admin.post(f"/admin/sites/{site_key}/delete", data={"csrf_token": token, "confirm_key": site_key})
    assert done.status_code == 302 and "1 consent record" in admin.get("/admin/sites").get_data(as_text=True)
    with app.app_context(), get_db(app).session() as session:
        assert session.scalar(select(func.count()).select_from(Site)) == 0
        assert session.scalar(select(func.count()).select_from(ConsentRecord)) == 0
    assert admin.get(f"/v1/sites/{site_key}/consent.js").status_code == 404
    assert "Deleted Example" not in admin.get("/admin/sites").get_data(as_text=True)  # flashed once
