"""The consent-log library: IP minimisation, purge by retention, history lookups."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consentkit import consents
from consentkit.db import get_db
from consentkit.models import ConsentRecord, utcnow
from consentkit.sites import create_site


@pytest.mark.parametrize("address, mode, expected", [
    ("203.0.113.77", "truncate", "203.0.113.0/24"),
    ("2001:db8:1234:5678::1", "truncate", "2001:db8:1234::/48"),
    ("::ffff:203.0.113.77", "truncate", "203.0.113.0/24"),
    ("203.0.113.77", "none", None),
    ("not an ip", "truncate", None),
    (None, "truncate", None),
])
def test_minimise_ip(address, mode, expected):
    assert consents.minimise_ip(address, mode, "secret") == expected


def test_hashed_ip_is_keyed_stable_and_not_the_address():
    first = consents.minimise_ip("203.0.113.77", "hash", "secret")
    assert first == consents.minimise_ip("203.0.113.77", "hash", "secret")
    assert first != consents.minimise_ip("203.0.113.77", "hash", "other secret")
    assert first != consents.minimise_ip("203.0.113.78", "hash", "secret")
    assert first is not None and len(first) == 64 and "203" not in first


def _consent(consent_id: str) -> consents.Consent:
    return consents.Consent(consent_id, {"analytics": True}, "custom", 1, "nb", "", "", False)


def test_purge_older_than_deletes_only_that_sites_old_records(app):
    with app.app_context(), get_db(app).session() as session:
        mine = create_site(session, name="a", origins=["https://a.no"])
        other = create_site(session, name="b", origins=["https://b.no"])
    writer = get_db(app).consent_writer
    with get_db(app).engine.connect() as conn:
        for site in (mine, other):
            view = consents.load_site(conn, site.key)
            for _ in range(3):
                consents.record(writer, view, _consent(str(uuid.uuid4())), revision_hash="h",
                                client_ip=None, user_agent="ua")
    with app.app_context(), get_db(app).session() as session:
        old = utcnow() - timedelta(days=400)
        first_two = select(ConsentRecord.id).where(ConsentRecord.site_id == mine.id).limit(2)
        for record in session.scalars(select(ConsentRecord).where(ConsentRecord.id.in_(first_two))):
            record.created_at = old
        session.flush()
        assert consents.purge_older_than(session, mine, utcnow() - timedelta(days=365)) == 2
        session.commit()
        count = select(func.count()).select_from(ConsentRecord)
        assert session.scalar(count.where(ConsentRecord.site_id == mine.id)) == 1
        assert session.scalar(count.where(ConsentRecord.site_id == other.id)) == 3


def test_history_is_per_site_and_per_id(app):
    with app.app_context(), get_db(app).session() as session:
        keys = [create_site(session, name=n, origins=[f"https://{n}.no"]).key for n in "ab"]
    shared = str(uuid.uuid4())
    with get_db(app).engine.connect() as conn:
        a, b = (consents.load_site(conn, key) for key in keys)
        for site in (a, b):
            consents.record(get_db(app).consent_writer, site, _consent(shared), revision_hash="h",
                            client_ip=None, user_agent="")
    with app.app_context(), get_db(app).session() as session:
        assert len(consents.history(session, a.id, shared)) == 1
        assert consents.history(session, a.id, str(uuid.uuid4())) == []


def test_user_agent_is_cleaned_and_truncated():
    assert consents.clean_user_agent("a\x00b\nc" + "x" * 1000) == ("abc" + "x" * 1000)[:256]
