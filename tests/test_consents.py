"""The consent-log library: appends that only the latest receipt extends, IP minimisation, purge."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consentkit.consentlog import queries
from consentkit.consentlog import records as consents
from consentkit.db import get_db
from consentkit.models import ConsentRecord, utcnow
from consentkit.sites.registry import create_site


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
                consents.record(writer, view, _consent(str(uuid.uuid4())), seq=1, revision_hash="h",
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


def _append(app, site, consent: consents.Consent) -> consents.Recorded:
    return consents.append(get_db(app), site, consent, revision_hash="h" * 64, client_ip=None,
                           user_agent="")


@pytest.fixture
def two_sites(app) -> tuple[consents.SiteView, consents.SiteView]:
    with app.app_context(), get_db(app).session() as session:
        keys = [create_site(session, name=n, origins=[f"https://{n}.no"]).key for n in "ab"]
    with get_db(app).engine.connect() as conn:
        return tuple(consents.load_site(conn, key) for key in keys)


def _history(app, site, consent_id: str) -> list[tuple[int, str]]:
    with app.app_context(), get_db(app).session() as session:
        return [(r.seq, r.method) for r in queries.consent_history(session, site.id, consent_id)]


def test_history_grows_only_with_the_latest_receipt(app, two_sites):
    a, _ = two_sites
    first = _append(app, a, _consent(str(uuid.uuid4())))
    assert (first.seq, first.new_id) == (1, False)
    second = _append(app, a, replace(_consent(first.consent_id), method="accept_all", receipt=first.receipt))
    assert (second.consent_id, second.seq) == (first.consent_id, 2)
    # no receipt, an old one, or one of another ID: the record is kept, under a new consent ID
    for receipt in (None, first.receipt, _append(app, a, _consent(str(uuid.uuid4()))).receipt):
        forged = _append(app, a, replace(_consent(first.consent_id), method="reject_all", receipt=receipt))
        assert forged.new_id and forged.consent_id != first.consent_id and forged.seq == 1
        assert _history(app, a, forged.consent_id) == [(1, "reject_all")]
    assert _history(app, a, first.consent_id) == [(1, "custom"), (2, "accept_all")]


def test_a_retry_of_a_stored_record_gets_its_receipt_back(app, two_sites):
    """The answer to a committed POST got lost; the banner sends the same record again."""
    a, _ = two_sites
    first = _append(app, a, _consent(str(uuid.uuid4())))
    again = replace(_consent(first.consent_id), method="reject_all", receipt=first.receipt)
    stored = _append(app, a, again)
    retried = _append(app, a, again)
    assert (retried.consent_id, retried.seq, retried.receipt) == (stored.consent_id, 2, stored.receipt)
    assert retried.recorded_at == stored.recorded_at and not retried.new_id
    assert _history(app, a, first.consent_id) == [(1, "custom"), (2, "reject_all")]


def test_histories_are_per_site(app, two_sites):
    a, b = two_sites
    shared = str(uuid.uuid4())
    in_a = _append(app, a, _consent(shared))
    in_b = _append(app, b, replace(_consent(shared), receipt=in_a.receipt))  # another site's receipt
    assert (in_b.consent_id, in_b.seq) == (shared, 1)
    assert _history(app, a, shared) == [(1, "custom")] and _history(app, b, shared) == [(1, "custom")]
    assert _history(app, a, str(uuid.uuid4())) == []


def test_user_agent_is_cleaned_and_truncated():
    assert consents.clean_user_agent("a\x00b\nc" + "x" * 1000) == ("abc" + "x" * 1000)[:256]
