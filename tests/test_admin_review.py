"""The review queue: no category is preselected and a missing one is refused with the form kept;
the suggestion and its reason are shown; a pattern classifies every matching name; the history
says who changed what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consentkit.admin.testing import csrf_token, signed_in_client
from consentkit.db import get_db
from consentkit.models import Override, OverrideEvent
from consentkit.scans.review_queue import InvalidPattern, pattern_prefix, suggested_pattern
from consentkit.sites.registry import create_site
from tests.admin_support import ORIGIN, add_scan, scanned_cookie

NAMES = ("zq_visit_a1b2", "zq_visit_c3d4", "zq_visit_e5f6", "mystery_pref")


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Example", origins=[ORIGIN])
        add_scan(session, site, [scanned_cookie(n) for n in NAMES])
        return site.key


def queue_form(page: str, name: str) -> str:
    return re.search(rf'<form[^>]*data-queue-item="{re.escape(name)}".*?</form>', page, re.S).group(0)


def post(admin, key: str, name: str, **fields):
    page = admin.get(f"/admin/sites/{key}/inventory").get_data(as_text=True)
    prefix = re.search(r'name="prefix" value="(\w+)"', queue_form(page, name)).group(1)
    data = {
        "prefix": prefix,
        f"{prefix}-csrf_token": csrf_token(admin, f"/admin/sites/{key}/inventory"),
        f"{prefix}-name": name,
        f"{prefix}-kind": "cookie",
        f"{prefix}-match": "exact",
        f"{prefix}-purpose_en": "Counts visits",
    }
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return admin.post(f"/admin/sites/{key}/overrides", data=data)


def test_patterns_are_suggested_and_checked():
    assert suggested_pattern("_ga_ABC123") == "_ga_*"
    assert suggested_pattern("_hjSessionUser_3214567") == "_hjSessionUser_*"
    assert suggested_pattern("PHPSESSID") == ""
    assert pattern_prefix("_ga_*", "_ga_ABC123") == "_ga_"
    for bad in ("_ga_", "_*ga*", "_*", "_gid*"):
        with pytest.raises(InvalidPattern):
            pattern_prefix(bad, "_ga_ABC123")


def test_no_category_is_preselected_and_a_missing_one_is_refused_with_the_form_kept(app, site_key):
    admin = signed_in_client(app)
    page = admin.get(f"/admin/sites/{site_key}/inventory").get_data(as_text=True)
    form = queue_form(page, "mystery_pref")
    assert re.search(r'<option selected value="">— choose —</option>', form)
    assert "Suggestion:" in form and "Why:" in form
    refused = post(admin, site_key, "mystery_pref", category="", provider="Example AS")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "choose a category: necessary, functional" in html
    assert 'value="Example AS"' in queue_form(html, "mystery_pref")  # nothing typed is lost
    with app.app_context(), get_db(app).session() as session:
        assert session.scalars(select(Override)).all() == []


def test_a_pattern_classifies_every_matching_item_and_the_history_says_who(app, site_key):
    admin = signed_in_client(app)
    page = admin.get(f"/admin/sites/{site_key}/inventory").get_data(as_text=True)
    form = queue_form(page, "zq_visit_a1b2")
    assert 'value="zq_visit_*"' in form and 'data-covered="3"' in form
    wrong = post(admin, site_key, "zq_visit_a1b2", category="analytics", match="prefix", pattern="other_*")
    assert wrong.status_code == 400 and "does not match" in wrong.get_data(as_text=True)
    saved = post(admin, site_key, "zq_visit_a1b2", category="analytics", match="prefix", pattern="zq_visit_*")
    assert saved.status_code == 302
    after = admin.get(f"/admin/sites/{site_key}/inventory").get_data(as_text=True)
    assert "3 item(s) matching zq_visit_* are now analytics" in after
    for name in NAMES[:3]:
        assert f'data-queue-item="{name}"' not in after
        assert re.search(rf'data-item="{name}" class="cat-analytics', after)
    assert 'data-queue-item="mystery_pref"' in after
    assert post(admin, site_key, "mystery_pref", category="functional").status_code == 302
    with app.app_context(), get_db(app).session() as session:
        events = list(session.scalars(select(OverrideEvent).order_by(OverrideEvent.id)))
        assert [(e.name, e.match, e.category, e.items, e.username) for e in events] == [
            ("zq_visit_", "prefix", "analytics", 3, "owner"),
            ("mystery_pref", "exact", "functional", 1, "owner"),
        ]
        override = session.scalar(select(Override).where(Override.name == "zq_visit_"))
        assert override.updated_by == "owner" and override.updated_at is not None
    history = admin.get(f"/admin/sites/{site_key}/inventory").get_data(as_text=True)
    assert re.search(r'data-event="zq_visit_">.*?owner.*?new → analytics', history, re.S)
