"""Charts and overviews on seeded logs of one day and of three years: the bucket follows the range,
axes are round, every bucket is drawn, the CSV holds the chart's numbers, and the overview sums up."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from consentkit.admin.testing import signed_in_client
from consentkit.db import get_db
from consentkit.models import ConsentRecord, Scan, utcnow
from consentkit.sites.registry import create_site, get_site

METHOD_CYCLE = ("accept_all", "reject_all", "accept_all", "custom", "gpc")


def seed(app, days: int, per_day: int = 5) -> str:
    """A site with `per_day` records a day for `days` days up to today (UTC)."""
    today = datetime.now(UTC).date()
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Seeded", origins=["https://www.example.no"])
        rows = []
        for n in range(days):
            day = today - timedelta(days=n)
            for i in range(per_day):
                method = METHOD_CYCLE[i % len(METHOD_CYCLE)]
                yes = method == "accept_all" or (method == "custom" and i % 2 == 1)
                rows.append(
                    {
                        "site_id": site.id,
                        "consent_id": str(uuid.uuid4()),
                        "seq": 1,
                        "method": method,
                        "created_at": datetime.combine(day, datetime.min.time()) + timedelta(hours=9 + i),
                        "functional": yes,
                        "analytics": yes,
                        "marketing": method == "accept_all",
                        "revision": 1,
                        "revision_hash": "x" * 64,
                        "language": "nb",
                    }
                )
        session.execute(insert(ConsentRecord), rows)
        return site.key


def bars(html: str) -> int:
    figure = re.search(r'<figure data-chart="methods">.*?</figure>', html, re.S).group(0)
    return len(re.findall(r"<rect ", figure))


def dots(html: str) -> int:
    figure = re.search(r'<figure data-chart="rates">.*?</figure>', html, re.S).group(0)
    return len(re.findall(r"<circle ", figure))


def y_labels(html: str) -> list[str]:
    figure = re.search(r'<figure data-chart="methods">.*?</figure>', html, re.S).group(0)
    return re.findall(r'text-anchor="end">([^<]+)<', figure)


def test_one_day_of_data_is_one_visible_bar_per_method_and_a_dot_per_category(app):
    key = seed(app, 1)
    admin = signed_in_client(app)
    html = admin.get(f"/admin/sites/{key}/stats?last=1").get_data(as_text=True)
    assert 'data-unit="day"' in html and 'data-total="5"' in html
    assert bars(html) == 4  # accept_all, reject_all, custom, gpc stacked in one bar
    assert dots(html) == 3  # a rate is a dot even without a line to draw
    assert y_labels(html) == ["0", "1", "2", "3", "4", "5"]
    widths = {
        float(w) for w in re.findall(r'<rect class="m-[^"]+" x="[^"]+" y="[^"]+" width="([^"]+)"', html)
    }
    assert widths == {48.0}  # one day is a bar, not the whole plot
    assert "No records in this range" not in html


def test_three_years_are_drawn_in_months_with_round_axes_and_a_csv(app):
    key = seed(app, 3 * 365 + 1)
    admin = signed_in_client(app)
    html = admin.get(f"/admin/sites/{key}/stats?last=1096").get_data(as_text=True)
    assert 'data-unit="month"' in html
    months = len(re.findall(r'<tr data-bucket="', html))
    assert 36 <= months <= 38
    assert len(re.findall(r'<rect class="m-accept_all"', html)) == months
    labels = y_labels(html)
    assert labels[0] == "0" and all(int(v.replace(",", "")) % 10 == 0 for v in labels[1:])
    methods = re.search(r'<figure data-chart="methods">.*?</figure>', html, re.S).group(0)
    x_labels = re.findall(r'text-anchor="middle">(\d{4}-\d{2})<', methods)
    assert 4 <= len(x_labels) <= 8
    csv_link = re.search(r'href="([^"]+/stats/methods.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    response = admin.get(csv_link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == months and {r["unit"] for r in rows} == {"month"}
    assert sum(int(r["total"]) for r in rows) == 5 * (3 * 365 + 1)
    rates = list(
        csv.DictReader(
            io.StringIO(admin.get(csv_link.replace("methods.csv", "rates.csv")).get_data(as_text=True))
        )
    )
    assert float(rates[-1]["marketing_rate"]) == pytest.approx(0.4)
    weekly = admin.get(f"/admin/sites/{key}/stats?last=365").get_data(as_text=True)
    assert 'data-unit="week"' in weekly and 52 <= len(re.findall(r'<tr data-bucket="', weekly)) <= 54


def test_an_empty_range_says_so(app):
    key = seed(app, 1)
    admin = signed_in_client(app)
    html = admin.get(f"/admin/sites/{key}/stats?since=2001-01-01&until=2001-01-31").get_data(as_text=True)
    assert "No records in this range" in html and bars(html) == 0


def test_overviews_show_shares_trend_latest_scan_queue_and_next_scan(app):
    key = seed(app, 60)
    with app.app_context(), get_db(app).session() as session:
        site = get_site(session, key)
        site.rescan = "weekly"
        started = utcnow() - timedelta(days=2)
        session.add(
            Scan(
                site_id=site.id,
                url="https://www.example.no/",
                status="done",
                started_at=started,
                finished_at=started,
                diff={
                    "previous_scan_id": 1,
                    "new": [{"name": "zq_new"}],
                    "gone": [],
                    "changed": [],
                    "new_violations": [],
                },
                report={
                    "version": 1,
                    "url": "https://www.example.no/",
                    "storage": [],
                    "requests": [],
                    "cookies": [
                        {
                            "name": "zq_unknown",
                            "domain": "www.example.no",
                            "path": "/",
                            "party": "first",
                            "phases": ["before"],
                        }
                    ],
                    "violations": [
                        {"kind": "cookie", "name": "zq_unknown", "category": "marketing", "phase": "before"}
                    ],
                },
            )
        )
    admin = signed_in_client(app)
    html = admin.get(f"/admin/sites/{key}").get_data(as_text=True)
    assert 'data-total="150"' in html  # 30 days × 5
    assert re.search(r'data-share="accept_all">.*?<strong>40 %</strong>.*?\(\+0\)', html, re.S)
    assert re.search(r'data-share="gpc">.*?<strong>20 %</strong>', html, re.S)
    assert 'data-violations="1"' in html and "1 new, 0 gone" in html
    assert 'data-queue="1"' in html
    next_scan = (started + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    assert re.search(r"data-next-scan>Next weekly rescan: " + re.escape(next_scan), html)
    assert len(re.findall(r"<circle ", html)) >= 3 * 9  # the weekly trend has a dot per week and category
    everything = admin.get("/admin/").get_data(as_text=True)
    assert f'data-site-card="{key}"' in everything and 'data-total="150"' in everything
