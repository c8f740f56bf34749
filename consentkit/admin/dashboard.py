"""What the overview pages show, per site and for all sites: the opt-in trend, the shares of
accept, reject, custom and GPC choices, the latest scan with its violations and its changes since
the one before, the review queue and the next scheduled scan.

The figures of a period are compared with the period before it, so "accept 61 % (−4)" says which
way things go. Everything is read-only, for owners and viewers alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..consentlog import queries
from ..jobs import schedules
from ..models import OPTIONAL_CATEGORIES, Scan, Site
from ..scans import inventory
from ..scans.review_queue import needs_review
from . import buckets, charts

PERIOD_DAYS = 30
TREND_WEEKS = 12
SHARE_METHODS = ("accept_all", "reject_all", "custom", "gpc")


@dataclass
class Shares:
    """Records of a period and the share of each method among them (0-1), and the period before."""

    total: int
    shares: dict[str, float]
    previous: dict[str, float]
    opt_in: dict[str, float | None]

    def change(self, method: str) -> float | None:
        """Percentage points since the period before; None when that period had no records."""
        if not self.previous:
            return None
        return 100 * (self.shares.get(method, 0) - self.previous.get(method, 0))


@dataclass
class SiteOverview:
    site: Site
    shares: Shares
    trend: charts.Chart
    latest_scan: Scan | None
    violations: list[dict[str, Any]]
    queue: int
    next_scan: datetime | None
    scan_running: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _shares(stats: queries.DayStats) -> dict[str, float]:
    return {m: stats.methods.get(m, 0) / stats.total for m in SHARE_METHODS} if stats.total else {}


def period_shares(current: queries.DayStats, previous: queries.DayStats) -> Shares:
    return Shares(current.total, _shares(current), _shares(previous),
                  {cat: current.rate(cat) for cat in OPTIONAL_CATEGORIES})


def trend_stats(session: Session, site: Site, today: date) -> queries.Stats:
    """Daily stats over the trend's weeks plus the two periods (the longer of the two)."""
    days = max(TREND_WEEKS * 7, 2 * PERIOD_DAYS)
    return queries.daily_stats(session, site, today - timedelta(days=days - 1), today)


def split_periods(stats: queries.Stats) -> tuple[queries.DayStats, queries.DayStats]:
    """The last PERIOD_DAYS days summed, and the PERIOD_DAYS before them."""
    current, previous = queries.DayStats(stats.until), queries.DayStats(stats.until)
    for day in stats.days[-PERIOD_DAYS:]:
        buckets.add_day(current, day)
    for day in stats.days[-2 * PERIOD_DAYS:-PERIOD_DAYS]:
        buckets.add_day(previous, day)
    return current, previous


def weekly_trend(stats: queries.Stats, categories: list[str]) -> charts.Chart:
    weeks = buckets.bucketed(stats, "week")[-TREND_WEEKS:]
    return charts.rates_chart(weeks, "week", categories)


def latest_scan(session: Session, site: Site) -> Scan | None:
    """The site's most recent scan, finished or not (the overview says which)."""
    return session.scalars(select(Scan).where(Scan.site_id == site.id)
                           .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(1)).first()


def site_overview(session: Session, site: Site, today: date | None = None) -> SiteOverview:
    today = today or datetime.now(UTC).date()
    stats = trend_stats(session, site, today)
    current, previous = split_periods(stats)
    scan = latest_scan(session, site)
    report = (scan.report or {}) if scan else {}
    violations = [v for v in report.get("violations") or [] if isinstance(v, dict)]
    queue = sum(1 for item in inventory.site_inventory(session, site) if needs_review(item))
    return SiteOverview(site=site, shares=period_shares(current, previous),
                        trend=weekly_trend(stats, list(site.categories) or list(OPTIONAL_CATEGORIES)),
                        latest_scan=scan, violations=violations, queue=queue,
                        next_scan=schedules.next_rescan(session, site),
                        scan_running=bool(scan and scan.status in ("queued", "running")),
                        extra={"stats": stats})


def all_sites(session: Session, sites: list[Site],
              today: date | None = None) -> tuple[list[SiteOverview], Shares, charts.Chart]:
    """Each site's overview, and the shares and trend of all sites together."""
    today = today or datetime.now(UTC).date()
    views = [site_overview(session, site, today) for site in sites]
    days: list[queries.DayStats] = []
    for view in views:
        stats = view.extra["stats"]
        if not days:
            days = [queries.DayStats(d.day) for d in stats.days]
        for into, day in zip(days, stats.days, strict=True):
            buckets.add_day(into, day)
    if not days:
        start = today - timedelta(days=max(TREND_WEEKS * 7, 2 * PERIOD_DAYS) - 1)
        days = [queries.DayStats(start + timedelta(n)) for n in range((today - start).days + 1)]
    combined = queries.Stats(days, queries.DayStats(today))
    current, previous = split_periods(combined)
    return views, period_shares(current, previous), weekly_trend(combined, list(OPTIONAL_CATEGORIES))
