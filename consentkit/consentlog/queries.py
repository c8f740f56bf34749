"""Reading the consent log: filters, keyset pages, the history of one consent ID, streamed exports
and daily statistics. Shared by the admin UI and `consentkit consents`.

Everything here is shaped for millions of rows: pages are found by keyset on (created_at, id) with
the index `ix_consent_records_site_created`, never by OFFSET; exports stream rows through a
server-side cursor; statistics aggregate in the database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..models import OPTIONAL_CATEGORIES, ConsentRecord, Site, SiteRevision

METHODS = ("accept_all", "reject_all", "custom", "gpc", "withdraw")
PAGE_SIZE = 50
EXPORT_BATCH = 2000

EXPORT_COLUMNS = ("id", "created_at", "consent_id", "seq", "method", *OPTIONAL_CATEGORIES, "revision",
                  "revision_hash", "language", "page_url", "banner_version", "gpc", "user_agent",
                  "client_ip")


class InvalidFilter(ValueError):
    """A filter value cannot be used (an unknown method, a cursor that was tampered with)."""


@dataclass(frozen=True)
class LogFilter:
    """Which records to show. `outcomes` maps a category to True (accepted), False or None (not asked)."""

    since: date | None = None
    until: date | None = None
    method: str | None = None
    outcomes: dict[str, bool | None] = field(default_factory=dict)
    language: str | None = None
    consent_id: str | None = None

    def conditions(self, site: Site) -> list[Any]:
        rec = ConsentRecord
        where: list[Any] = [rec.site_id == site.id]
        if self.since:
            where.append(rec.created_at >= datetime.combine(self.since, time.min))
        if self.until:
            where.append(rec.created_at < datetime.combine(self.until + timedelta(days=1), time.min))
        if self.method:
            if self.method not in METHODS:
                raise InvalidFilter(f"method must be one of {', '.join(METHODS)}; got {self.method!r}")
            where.append(rec.method == self.method)
        for category, wanted in self.outcomes.items():
            column = getattr(rec, category)
            where.append(column.is_(None) if wanted is None else column == wanted)
        if self.language:
            where.append(rec.language == self.language)
        if self.consent_id:
            where.append(_consent_id_match(self.consent_id.strip()))
        return where


def _consent_id_match(text: str) -> Any:
    """An exact ID, or a prefix of one (people paste the first characters a visitor read out)."""
    if len(text) >= 32:
        return ConsentRecord.consent_id == text
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return ConsentRecord.consent_id.like(escaped + "%", escape="\\")


@dataclass(frozen=True)
class Cursor:
    """A position in the log: the (created_at, id) of a record at the edge of a page."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        return f"{self.created_at.isoformat()}~{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            stamp, ident = text.rsplit("~", 1)
            return cls(datetime.fromisoformat(stamp), int(ident))
        except ValueError:
            raise InvalidFilter(f"not a page position: {text!r}") from None


@dataclass
class Page:
    records: list[ConsentRecord]
    newer: Cursor | None  # pass as `before` to get the previous (newer) page
    older: Cursor | None  # pass as `after` to get the next (older) page


def log_page(session: Session, site: Site, filt: LogFilter, *, after: Cursor | None = None,
             before: Cursor | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of the log, newest first, after (older than) or before (newer than) a cursor."""
    rec = ConsentRecord
    query = select(rec).where(*filt.conditions(site))
    if before is not None:
        query = query.where(_newer_than(before)).order_by(rec.created_at.asc(), rec.id.asc())
    else:
        if after is not None:
            query = query.where(_older_than(after))
        query = query.order_by(rec.created_at.desc(), rec.id.desc())
    rows = list(session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if before is not None:
        rows.reverse()
    edge = [Cursor(r.created_at, r.id) for r in rows[:1] + rows[-1:]] if rows else []
    newer_exists = (before is not None and more) or after is not None
    older_exists = (before is None and more) or before is not None
    return Page(rows, edge[0] if edge and newer_exists else None,
                edge[-1] if edge and older_exists else None)


def _older_than(c: Cursor) -> Any:
    """(created_at, id) < cursor, spelled so that both databases seek the index to the cursor:
    the plain `created_at <=` bounds the range scan, the OR only breaks ties."""
    rec = ConsentRecord
    return and_(rec.created_at <= c.created_at,
                or_(rec.created_at < c.created_at, rec.id < c.id))


def _newer_than(c: Cursor) -> Any:
    rec = ConsentRecord
    return and_(rec.created_at >= c.created_at,
                or_(rec.created_at > c.created_at, rec.id > c.id))


def consent_history(session: Session, site_id: int, consent_id: str, *, seq: int | None = None,
                    limit: int = 1000) -> list[ConsentRecord]:
    """Every record of one consent ID in the order it was written (its `seq`), at most `limit`;
    with `seq`, only that record. The proof of what that visitor chose, and when: the visitor's
    history API, the admin's consent record page and the receipt check (`consentkit consents
    verify-receipt`) all read it here."""
    rec = ConsentRecord
    query = select(rec).where(rec.site_id == site_id, rec.consent_id == consent_id)
    if seq is not None:
        query = query.where(rec.seq == seq)
    return list(session.scalars(query.order_by(rec.seq.asc()).limit(limit)))


def revisions_by_number(session: Session, site: Site, numbers: set[int]) -> dict[int, SiteRevision]:
    """The snapshots of what visitors were shown at these revisions."""
    if not numbers:
        return {}
    rows = session.scalars(select(SiteRevision).where(SiteRevision.site_id == site.id,
                                                      SiteRevision.revision.in_(numbers)))
    return {r.revision: r for r in rows}


# ---- export ------------------------------------------------------------------------------

def _export_query(site: Site, filt: LogFilter) -> Select:
    columns = [getattr(ConsentRecord, name) for name in EXPORT_COLUMNS]
    return (select(*columns).where(*filt.conditions(site))
            .order_by(ConsentRecord.created_at.desc(), ConsentRecord.id.desc()))


def export_rows(session: Session, site: Site, filt: LogFilter,
                limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Rows as dicts, fetched in batches through a server-side cursor (PostgreSQL) or a lazy
    SQLite cursor: memory stays flat however many records match. The cursor is closed when the
    generator is, also when a download is abandoned half-way."""
    query = _export_query(site, filt)
    if limit is not None:
        query = query.limit(limit)
    result = session.execute(query, execution_options={"yield_per": EXPORT_BATCH, "stream_results": True})
    try:
        for row in result:
            yield dict(zip(EXPORT_COLUMNS, row, strict=True))
    finally:
        result.close()


def _plain(value: Any) -> Any:
    return value.isoformat() + "Z" if isinstance(value, datetime) else value


def csv_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text in chunks of about a batch each. Visitor-supplied text that a spreadsheet would run as
    a formula (=, +, -, @ first) is prefixed with a quote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(_plain(row[name])) for name in EXPORT_COLUMNS])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def json_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON array written one record at a time."""
    yield "["
    first = True
    for row in rows:
        text = json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]\n"


# ---- statistics --------------------------------------------------------------------------

@dataclass
class DayStats:
    day: date
    total: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)

    def rate(self, category: str) -> float | None:
        asked = self.asked.get(category, 0)
        return self.accepted.get(category, 0) / asked if asked else None


@dataclass
class Stats:
    days: list[DayStats]
    totals: DayStats

    @property
    def since(self) -> date:
        return self.days[0].day

    @property
    def until(self) -> date:
        return self.days[-1].day


def daily_stats(session: Session, site: Site, since: date, until: date) -> Stats:
    """Per day from `since` to `until` (inclusive, UTC): records by method, and per category how many
    were asked and how many accepted. One GROUP BY over the date range of the site's index."""
    rec = ConsentRecord
    day = func.date(rec.created_at)
    sums = []
    for cat in OPTIONAL_CATEGORIES:
        column = getattr(rec, cat)
        sums += [func.sum(case((column.is_(True), 1), else_=0)),
                 func.sum(case((column.is_not(None), 1), else_=0))]
    query = (select(day, rec.method, func.count(), *sums)
             .where(*LogFilter(since=since, until=until).conditions(site))
             .group_by(day, rec.method))
    days = {since + timedelta(n): DayStats(since + timedelta(n)) for n in range((until - since).days + 1)}
    totals = DayStats(until)
    for row in session.execute(query):
        stamp = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0])[:10])
        for target in (days.get(stamp), totals):
            if target is not None:
                _add(target, row)
    return Stats(list(days.values()), totals)


def _add(target: DayStats, row: Any) -> None:
    count = int(row[2])
    target.total += count
    target.methods[row[1]] = target.methods.get(row[1], 0) + count
    for i, cat in enumerate(OPTIONAL_CATEGORIES):
        target.accepted[cat] = target.accepted.get(cat, 0) + int(row[3 + 2 * i] or 0)
        target.asked[cat] = target.asked.get(cat, 0) + int(row[4 + 2 * i] or 0)

