"""Days grouped into the buckets a chart can show: days for up to two months, weeks (Monday to
Sunday) up to two years, months beyond. A chart of one day has one bucket; one of three years has
37 monthly ones, never a thousand slivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..consentlog.queries import DayStats, Stats

DAY_LIMIT = 62  # days
WEEK_LIMIT = 731


@dataclass
class Bucket:
    """Days from `start` to `end` (inclusive, clipped to the range asked for), summed in `stats`."""

    start: date
    end: date
    stats: DayStats


def choose_unit(since: date, until: date) -> str:
    days = (until - since).days + 1
    return "day" if days <= DAY_LIMIT else "week" if days <= WEEK_LIMIT else "month"


def bucket_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def bucketed(stats: Stats, unit: str) -> list[Bucket]:
    """The stats' days summed per bucket, in order; each bucket's `stats.day` is its first day."""
    buckets: dict[date, Bucket] = {}
    for day in stats.days:
        start = bucket_start(day.day, unit)
        bucket = buckets.get(start)
        if bucket is None:
            bucket = buckets[start] = Bucket(max(start, stats.since), day.day, DayStats(start))
        bucket.end = day.day
        add_day(bucket.stats, day)
    return list(buckets.values())


def add_day(into: DayStats, day: DayStats) -> None:
    into.total += day.total
    pairs = ((into.methods, day.methods), (into.accepted, day.accepted), (into.asked, day.asked))
    for target, source in pairs:
        for key, value in source.items():
            target[key] = target.get(key, 0) + value


def label(bucket: Bucket, unit: str) -> str:
    """What a person calls the bucket: 2026-03-12, week of 2026-03-09, 2026-03."""
    if unit == "month":
        return bucket.start.strftime("%Y-%m")
    if unit == "week":
        return f"week of {bucket.start.isoformat()}"
    return bucket.start.isoformat()
