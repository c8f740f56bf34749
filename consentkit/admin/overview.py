"""The overview: all sites at a glance (the admin's home page). Each site's own overview is at the
top of its page (`sites.site_show`); both read `dashboard`."""

from __future__ import annotations

from flask import render_template

from ..db import get_session
from ..sites import registry as sites
from . import dashboard
from .blueprint import bp


@bp.get("/", endpoint="overview")
def overview():
    db = get_session()
    views, shares, trend = dashboard.all_sites(db, sites.list_sites(db))
    return render_template("admin/overview.html", views=views, shares=shares, trend=trend,
                           methods=dashboard.SHARE_METHODS, period=dashboard.PERIOD_DAYS,
                           weeks=dashboard.TREND_WEEKS)
