"""Statistics over a chosen range: records by method and the opt-in rate per category, in day, week
or month buckets (`buckets.choose_unit`), with each chart's numbers as CSV.

The range defaults to the last 30 days; quick links cover a day to all time. Aggregation is one
GROUP BY per day in the database (`queries.daily_stats`); buckets are summed here.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from flask import Response, abort, render_template, request
from sqlalchemy import func, select

from ..consentlog import queries
from ..db import get_session
from ..models import OPTIONAL_CATEGORIES, ConsentRecord, Site
from . import buckets, charts
from .blueprint import bp
from .forms import StatsRangeForm
from .sites import load_site

DEFAULT_DAYS = 30
MAX_DAYS = 20 * 366
PRESETS = (("1", "Today"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "12 months"),
           ("1096", "3 years"), ("all", "All time"))


def first_record_day(site: Site) -> date | None:
    first = get_session().scalar(select(func.min(ConsentRecord.created_at))
                                 .where(ConsentRecord.site_id == site.id))
    return first.date() if first else None


def chosen_range(site: Site) -> tuple[StatsRangeForm, date, date]:
    """The range of the query string (a preset, or from/to dates), clipped to MAX_DAYS."""
    form = StatsRangeForm(request.args)
    form.validate()
    today = datetime.now(UTC).date()
    preset = request.args.get("last", "")
    if preset == "all":
        since, until = first_record_day(site) or today, today
    elif preset.isdigit() and 0 < int(preset) <= MAX_DAYS:
        since, until = today - timedelta(days=int(preset) - 1), today
    else:
        until = form.until.data if form.until.data and not form.until.errors else today
        since = form.since.data if form.since.data and not form.since.errors else None
        if since is None or since > until:
            since = until - timedelta(days=DEFAULT_DAYS - 1)
    since = max(since, until - timedelta(days=MAX_DAYS - 1))
    form.since.data, form.until.data = since, until
    return form, since, until


def site_buckets(site: Site, since: date, until: date) -> tuple[queries.Stats, str, list[buckets.Bucket]]:
    stats = queries.daily_stats(get_session(), site, since, until)
    unit = buckets.choose_unit(since, until)
    return stats, unit, buckets.bucketed(stats, unit)


@bp.get("/sites/<key>/stats")
def site_stats(key: str):
    site = load_site(key)
    form, since, until = chosen_range(site)
    stats, unit, parts = site_buckets(site, since, until)
    categories = list(OPTIONAL_CATEGORIES)
    return render_template("admin/stats.html", site=site, form=form, stats=stats, unit=unit, buckets=parts,
                           methods=queries.METHODS, categories=categories, presets=PRESETS,
                           range_args={"since": since.isoformat(), "until": until.isoformat()},
                           bucket_label=buckets.label,
                           methods_chart=charts.methods_chart(parts, unit),
                           rates_chart=charts.rates_chart(parts, unit, categories))


def chart_rows(chart: str, parts: list[buckets.Bucket], unit: str) -> tuple[list[str], list[list[object]]]:
    """A chart's numbers: one row per bucket, the same as its bars or points."""
    if chart == "methods":
        header = ["start", "end", "unit", "total", *queries.METHODS]
        rows = [[b.start, b.end, unit, b.stats.total, *(b.stats.methods.get(m, 0) for m in queries.METHODS)]
                for b in parts]
        return header, rows
    header = ["start", "end", "unit"]
    for cat in OPTIONAL_CATEGORIES:
        header += [f"{cat}_asked", f"{cat}_accepted", f"{cat}_rate"]
    rows = []
    for b in parts:
        row: list[object] = [b.start, b.end, unit]
        for cat in OPTIONAL_CATEGORIES:
            rate = b.stats.rate(cat)
            row += [b.stats.asked.get(cat, 0), b.stats.accepted.get(cat, 0),
                    "" if rate is None else f"{rate:.4f}"]
        rows.append(row)
    return header, rows


@bp.get("/sites/<key>/stats/<chart>.csv")
def stats_csv(key: str, chart: str):
    """The numbers behind one chart, for the range on the page: aggregates only, no consent records."""
    if chart not in ("methods", "rates"):
        abort(404)
    site = load_site(key)
    _, since, until = chosen_range(site)
    _, unit, parts = site_buckets(site, since, until)
    header, rows = chart_rows(chart, parts, unit)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    name = f"{chart}-{site.key}-{since.isoformat()}-{until.isoformat()}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
