"""consentlog.queries on SQLite and PostgreSQL: keyset pages, filters, history, export, statistics."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest

from consentkit.consentlog import queries
from consentkit.db import get_db
from consentkit.models import ConsentRecord
from consentkit.sites.registry import create_site

T0 = datetime(2026, 3, 10, 12, 0, 0)
METHODS = ["accept_all", "reject_all", "custom"]


def add_records(session, site, count: int, *, start: datetime = T0, step: timedelta = timedelta(hours=1),
                **fixed) -> list[ConsentRecord]:
    rows = []
    for n in range(count):
        method = fixed.get("method", METHODS[n % 3])
        yes = method == "accept_all" or (method == "custom" and n % 2 == 0)
        values = {"consent_id": f"cid-{n:05d}", "created_at": start + step * n, "functional": True,
                  "analytics": yes, "marketing": None if method == "custom" else yes,
                  "method": method, "revision": 1, "revision_hash": "h" * 64, "language": "nb",
                  "page_url": "https://www.example.no/", "seq": n + 1, **fixed}
        rows.append(ConsentRecord(site_id=site.id, **values))
    session.add_all(rows)
    session.flush()
    return rows


@pytest.fixture
def db(app):
    with app.app_context(), get_db(app).session() as session:
        yield session


@pytest.fixture
def site(db):
    return create_site(db, name="Example", origins=["https://www.example.no"])


def walk(db, site, filt, limit=7):
    seen, page = [], queries.log_page(db, site, filt, limit=limit)
    while True:
        seen += page.records
        if page.older is None:
            return seen, page
        page = queries.log_page(db, site, filt, after=page.older, limit=limit)


def test_pages_follow_each_other_newest_first_without_gaps_or_repeats(db, site):
    add_records(db, site, 30)
    # Records with the same timestamp: the id breaks the tie.
    add_records(db, site, 5, start=T0 + timedelta(hours=10), step=timedelta(0), consent_id="same")
    seen, _ = walk(db, site, queries.LogFilter())
    assert len(seen) == 35 and len({r.id for r in seen}) == 35
    keys = [(r.created_at, r.id) for r in seen]
    assert keys == sorted(keys, reverse=True)


def test_newer_pages_lead_back_to_the_first(db, site):
    add_records(db, site, 20)
    first = queries.log_page(db, site, queries.LogFilter(), limit=6)
    assert first.newer is None and first.older is not None
    second = queries.log_page(db, site, queries.LogFilter(), after=first.older, limit=6)
    back = queries.log_page(db, site, queries.LogFilter(), before=second.newer, limit=6)
    assert [r.id for r in back.records] == [r.id for r in first.records]
    assert back.newer is None and back.older is not None


def test_filters_combine(db, site):
    add_records(db, site, 60)
    add_records(db, site, 3, language="en", consent_id="english-visitor")
    filt = queries.LogFilter(method="accept_all", outcomes={"analytics": True})
    seen, _ = walk(db, site, filt)
    assert seen and all(r.method == "accept_all" and r.analytics for r in seen)
    unasked, _ = walk(db, site, queries.LogFilter(outcomes={"marketing": None}))
    assert unasked and all(r.marketing is None for r in unasked)
    days, _ = walk(db, site, queries.LogFilter(since=date(2026, 3, 11), until=date(2026, 3, 11)))
    assert len(days) == 24 and all(r.created_at.date() == date(2026, 3, 11) for r in days)
    english, _ = walk(db, site, queries.LogFilter(language="en"))
    assert len(english) == 3
    prefix, _ = walk(db, site, queries.LogFilter(consent_id="cid-0001"))
    assert {r.consent_id for r in prefix} == {f"cid-0001{n}" for n in range(10)}
    wildcard, _ = walk(db, site, queries.LogFilter(consent_id="cid_%"))
    assert wildcard == []  # LIKE's wildcards are taken literally


def test_a_site_sees_only_its_own_records(db, site):
    other = create_site(db, name="Other", origins=["https://other.example"])
    add_records(db, other, 5)
    assert queries.log_page(db, site, queries.LogFilter()).records == []


def test_bad_method_and_cursor_are_refused(db, site):
    with pytest.raises(queries.InvalidFilter):
        queries.log_page(db, site, queries.LogFilter(method="drop table"))
    with pytest.raises(queries.InvalidFilter):
        queries.Cursor.decode("yesterday")


def test_history_is_oldest_first_and_only_that_id(db, site):
    add_records(db, site, 4, consent_id="visitor-1")
    add_records(db, site, 2, consent_id="visitor-2")
    history = queries.consent_history(db, site.id, "visitor-1")
    assert len(history) == 4 and [r.created_at for r in history] == sorted(r.created_at for r in history)


def test_csv_export_parses_back_and_defuses_formulas(db, site):
    add_records(db, site, 1200)
    add_records(db, site, 1, page_url="=HYPERLINK(\"http://evil\")", consent_id="formula")
    text = "".join(queries.csv_chunks(queries.export_rows(db, site, queries.LogFilter())))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1201 and list(rows[0]) == list(queries.EXPORT_COLUMNS)
    evil = next(r for r in rows if r["consent_id"] == "formula")
    assert evil["page_url"].startswith("'=")
    assert rows[1]["created_at"].endswith("Z")


def test_json_export_is_one_valid_array(db, site):
    add_records(db, site, 25)
    data = json.loads("".join(queries.json_chunks(
        queries.export_rows(db, site, queries.LogFilter(method="reject_all")))))
    assert len(data) == 8 and {d["method"] for d in data} == {"reject_all"}
    assert json.loads("".join(queries.json_chunks(iter([])))) == []


def test_daily_stats_count_methods_and_opt_in_rates(db, site):
    add_records(db, site, 48)  # two days, hourly
    stats = queries.daily_stats(db, site, date(2026, 3, 9), date(2026, 3, 12))
    assert [d.day for d in stats.days] == [date(2026, 3, d) for d in (9, 10, 11, 12)]
    assert [d.total for d in stats.days] == [0, 12, 24, 12]
    assert stats.totals.total == 48
    assert stats.totals.methods == {"accept_all": 16, "reject_all": 16, "custom": 16}
    assert stats.totals.asked["marketing"] == 32 and stats.totals.accepted["marketing"] == 16
    assert stats.totals.asked["analytics"] == 48
    custom_yes = sum(1 for n in range(48) if n % 3 == 2 and n % 2 == 0)
    assert stats.totals.accepted["analytics"] == 16 + custom_yes
    assert stats.totals.rate("functional") == 1.0
    assert stats.days[0].rate("analytics") is None
