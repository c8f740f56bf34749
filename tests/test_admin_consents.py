"""The consent log pages: records from the public API, filters, keyset paging, history and exports."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

import pytest

from consentkit.admin.testing import signed_in_client
from consentkit.db import get_db
from consentkit.models import ConsentRecord
from consentkit.sites.registry import create_site, get_site

ORIGIN = "https://www.example.no"


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=[ORIGIN]).key


@pytest.fixture
def admin(app):
    return signed_in_client(app)


def post_consent(client, key: str, **changes) -> dict:
    body = {"consent_id": str(uuid.uuid4()), "choices": {"functional": True, "analytics": False,
                                                         "marketing": False},
            "method": "custom", "revision": 1, "language": "nb", "page_url": f"{ORIGIN}/shop",
            "banner_version": "0.1.0", "gpc": False, **changes}
    response = client.post(f"/v1/sites/{key}/consents", data=json.dumps(body),
                           content_type="application/json", headers={"Origin": ORIGIN})
    assert response.status_code == 201, response.get_data(as_text=True)
    return {**body, "receipt": response.json["receipt"]}


def record_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-record="(\d+)"', html)]


def test_a_record_from_the_public_api_shows_in_the_log_and_its_history(app, admin, site_key):
    api = app.test_client()
    first = post_consent(api, site_key)
    post_consent(api, site_key, consent_id=first["consent_id"], receipt=first["receipt"], method="accept_all",
                 choices={"functional": True, "analytics": True, "marketing": True})
    html = admin.get(f"/admin/sites/{site_key}/consents").get_data(as_text=True)
    assert html.count(first["consent_id"]) >= 2
    page = admin.get(f"/admin/sites/{site_key}/consents/{first['consent_id']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.index(">custom<") < text.index(">accept_all<")  # oldest first
    assert "Revision 1" in text and "matches the record" in text


def test_log_pages_by_keyset_newest_first(app, admin, site_key):
    with app.app_context(), get_db(app).session() as session:
        site_id = create_site(session, name="x", origins=[ORIGIN]).id  # another site's rows stay out
        session.add_all(ConsentRecord(site_id=site_id, consent_id=f"o{n}", method="custom", revision=1,
                                      revision_hash="h", language="nb") for n in range(5))
    api = app.test_client()
    for _ in range(55):
        post_consent(api, site_key)
    first = admin.get(f"/admin/sites/{site_key}/consents").get_data(as_text=True)
    ids = record_ids(first)
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = admin.get(older).get_data(as_text=True)
    assert len(record_ids(second)) == 5 and set(record_ids(second)).isdisjoint(ids)
    assert 'rel="next"' not in second
    newer = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert record_ids(admin.get(newer).get_data(as_text=True)) == ids


def test_filters_narrow_the_log_and_the_export(app, admin, site_key):
    api = app.test_client()
    kept = post_consent(api, site_key, method="accept_all", language="en",
                        choices={"functional": True, "analytics": True, "marketing": True})
    post_consent(api, site_key, method="reject_all",
                 choices={"functional": False, "analytics": False, "marketing": False})
    post_consent(api, site_key)
    query = "method=accept_all&analytics=yes&language=en"
    html = admin.get(f"/admin/sites/{site_key}/consents?{query}").get_data(as_text=True)
    assert len(record_ids(html)) == 1 and kept["consent_id"] in html
    assert re.search(r'export\.csv\?[^"]*method=accept_all', html)
    search = admin.get(f"/admin/sites/{site_key}/consents?consent_id={kept['consent_id'][:8]}")
    assert record_ids(search.get_data(as_text=True)) == record_ids(html)
    none = admin.get(f"/admin/sites/{site_key}/consents?since=2000-01-01&until=2000-01-02")
    assert record_ids(none.get_data(as_text=True)) == [] and "No records match" in none.get_data(as_text=True)

    with admin.get(f"/admin/sites/{site_key}/export.csv?{query}") as response:
        assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["consent_id"] for r in rows] == [kept["consent_id"]]
    assert rows[0]["analytics"] == "True" and rows[0]["page_url"] == f"{ORIGIN}/shop"
    with admin.get(f"/admin/sites/{site_key}/export.json") as response:
        assert len(response.get_json()) == 3


def test_the_export_is_streamed(app, admin, site_key):
    post_consent(app.test_client(), site_key)
    with admin.get(f"/admin/sites/{site_key}/export.csv", buffered=False) as response:
        assert response.is_streamed
        assert response.get_data(as_text=True).startswith("id,created_at,consent_id")


def test_visitor_text_is_shown_as_text(app, admin, site_key):
    hostile = "<img src=x onerror=alert(1)>"
    with app.app_context(), get_db(app).session() as session:
        site_id = get_site(session, site_key).id
        session.add(ConsentRecord(site_id=site_id, consent_id="x" + hostile, method="custom", revision=1,
                                  revision_hash="h", language="nb", page_url=f"{ORIGIN}/{hostile}",
                                  user_agent=hostile))
    html = admin.get(f"/admin/sites/{site_key}/consents").get_data(as_text=True)
    assert hostile not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    link = re.search(r'href="(/admin/sites/[^"]+/consents/x[^"]+)"', html).group(1)
    page = admin.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and hostile not in page.get_data(as_text=True)


def test_unknown_ids_and_bad_cursors(admin, site_key):
    assert admin.get(f"/admin/sites/{site_key}/consents/no-such-id").status_code == 404
    assert admin.get(f"/admin/sites/{site_key}/consents?after=garbage").status_code == 400
    assert admin.get("/admin/sites/nope/consents").status_code == 404
    assert admin.get(f"/admin/sites/{site_key}/export.xml").status_code == 404
    assert admin.get(f"/admin/sites/{site_key}/consents?method=evil&since=notadate").status_code == 200
