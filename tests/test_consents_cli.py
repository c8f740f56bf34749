"""`consentkit consents list|export|stats|purge` against a real database."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest

from consentkit.commands.consent_log import cutoff_for, parse_age
from consentkit.db import get_db
from consentkit.models import ConsentRecord, utcnow
from consentkit.sites.registry import create_site


@pytest.fixture
def site_key(app) -> str:
    """A site with 40 records: one a day back from now, methods in turn."""
    now = utcnow()
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Example", origins=["https://www.example.no"])
        methods = ["accept_all", "reject_all", "custom", "gpc"]
        session.add_all(ConsentRecord(
            site_id=site.id, consent_id=f"cid-{n:03d}", created_at=now - timedelta(days=n, minutes=1),
            method=methods[n % 4], functional=n % 4 != 1, analytics=n % 4 == 0,
            marketing=None if n % 4 == 2 else n % 4 == 0, revision=1, revision_hash="h", language="nb",
            page_url="https://www.example.no/") for n in range(40))
        return site.key


def test_list_shows_the_newest_records(runner, site_key):
    result = runner.invoke("consents", "list", "--site", site_key, "--limit", "3", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["consent_id"] for r in rows] == ["cid-000", "cid-001", "cid-002"]
    table = runner.invoke("consents", "list", "--site", site_key, "--method", "gpc")
    assert table.exit_code == 0 and "cid-003" in table.output and "cid-001" not in table.output


def test_list_by_date_range(runner, site_key):
    since = (utcnow() - timedelta(days=5)).date().isoformat()
    result = runner.invoke("consents", "list", "--site", site_key, "--since", since, "--json")
    assert {r["consent_id"] for r in json.loads(result.output)} <= {f"cid-{n:03d}" for n in range(6)}
    bad = runner.invoke("consents", "list", "--site", site_key, "--since", "last tuesday")
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_export_csv_and_json(runner, site_key, tmp_path):
    target = tmp_path / "log.csv"
    result = runner.invoke("consents", "export", "--site", site_key, "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 40 and rows[0]["consent_id"] == "cid-000"
    result = runner.invoke("consents", "export", "--site", site_key, "--format", "json", "--method", "custom")
    assert len(json.loads(result.output)) == 10


def test_stats_table_and_json(runner, site_key):
    result = runner.invoke("consents", "stats", "--site", site_key, "--days", "8", "--json")
    data = json.loads(result.output)
    assert data["total"] == 8 and data["methods"] == {"accept_all": 2, "reject_all": 2, "custom": 2, "gpc": 2}
    assert data["categories"]["analytics"] == {"asked": 8, "accepted": 2, "rate": 0.25}
    table = runner.invoke("consents", "stats", "--site", site_key)
    assert table.exit_code == 0
    assert "opt-in rate" in table.output and "analytics" in table.output and "accept_all" in table.output


def test_purge_deletes_only_what_is_older(runner, site_key):
    result = runner.invoke("consents", "purge", "--site", site_key, "--older-than", "30d", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["deleted"] == 10
    listed = runner.invoke("consents", "list", "--site", site_key, "--limit", "100", "--json")
    left = json.loads(listed.output)
    assert len(left) == 30
    bad = runner.invoke("consents", "purge", "--site", site_key, "--older-than", "5 weeks")
    assert bad.exit_code == 2 and "5y, 18m or 30d" in bad.output


def test_unknown_site_is_one_clear_line(runner):
    result = runner.invoke("consents", "stats", "--site", "nope")
    assert result.exit_code == 1 and "no site with key 'nope'" in result.output


def test_ages_count_calendar_months_and_years():
    now = datetime(2026, 3, 31, 10, 0)
    assert cutoff_for(parse_age("5y"), now) == datetime(2021, 3, 31, 10, 0)
    assert cutoff_for(parse_age("18m"), now) == datetime(2024, 9, 30, 10, 0)
    assert cutoff_for(parse_age("1m"), now) == datetime(2026, 2, 28, 10, 0)
    assert cutoff_for(parse_age("30d"), now) == datetime(2026, 3, 1, 10, 0)
    assert cutoff_for(parse_age("5Y"), datetime(2024, 2, 29)) == datetime(2019, 2, 28)
