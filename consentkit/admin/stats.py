"""Statistics: per day over a chosen range, records by method and opt-in rate per category."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import render_template, request

from .. import queries
from ..db import get_session
from ..models import OPTIONAL_CATEGORIES
from . import charts
from .blueprint import bp
from .forms import StatsRangeForm
from .sites import load_site

DEFAULT_DAYS = 30
MAX_DAYS = 366


@bp.get("/sites/<key>/stats")
def site_stats(key: str):
    site = load_site(key)
    form = StatsRangeForm(request.args)
    form.validate()
    today = datetime.now(UTC).date()
    until = form.until.data if form.until.data and not form.until.errors else today
    since = form.since.data if form.since.data and not form.since.errors else None
    if since is None or since > until or (until - since).days >= MAX_DAYS:
        since = until - timedelta(days=DEFAULT_DAYS - 1)
    form.since.data, form.until.data = since, until
    stats = queries.daily_stats(get_session(), site, since, until)
    categories = list(OPTIONAL_CATEGORIES)
    return render_template("admin/stats.html", site=site, form=form, stats=stats,
                           methods=queries.METHODS, categories=categories,
                           methods_chart=charts.methods_chart(stats),
                           rates_chart=charts.rates_chart(stats, categories))
