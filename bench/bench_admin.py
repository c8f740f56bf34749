"""Admin UI render times with 1 million consent records, on SQLite and PostgreSQL.

    python bench/bench_admin.py [--records 1000000] [--pg postgresql+psycopg://user@host/db]

Measures, through the real app (Flask test client, signed in, templates rendered), the first page of
the consent log, a filtered page 1,000 pages deep (reached by its keyset cursor), the statistics
page over 30 days (the baseline) and 12 months, a chart's CSV over all time, the site's page with
its overview (12 weeks of trend, two 30-day periods) and the overview of all sites. Records are
spread evenly over the last 365 days. PostgreSQL runs when --pg or
CONSENTKIT_BENCH_PG_URL names a server; a scratch database is created there and dropped afterwards.
Target: under 300 ms each.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consentkit import migrate  # noqa: E402
from consentkit.admin.testing import signed_in_client  # noqa: E402
from consentkit.app import create_app  # noqa: E402
from consentkit.consentlog import queries  # noqa: E402
from consentkit.db import get_db  # noqa: E402
from consentkit.sites.registry import create_site, get_site  # noqa: E402

METHODS = ["accept_all"] * 45 + ["reject_all"] * 35 + ["custom"] * 15 + ["gpc"] * 4 + ["withdraw"]
COLUMNS = ("site_id", "consent_id", "seq", "created_at", "functional", "analytics", "marketing", "method",
           "revision", "revision_hash", "language", "page_url", "banner_version", "user_agent", "gpc",
           "client_ip", "record_key")
FILTER = "method=custom&analytics=yes"
DEPTH = 1000
RUNS = 7


def generate(site_id: int, count: int) -> Iterator[tuple]:
    """Rows oldest first, evenly over a year up to now, with a realistic mix of methods and choices."""
    rng = random.Random(42)
    now = datetime.utcnow()
    start, step = now - timedelta(days=365), timedelta(days=365) / count
    for n in range(count):
        method = METHODS[rng.randrange(len(METHODS))]
        yes = method == "accept_all"
        choice = {"custom": lambda: rng.random() < 0.5}.get(method, lambda v=yes: v)
        yield (site_id, str(uuid.UUID(int=rng.getrandbits(128), version=4)), 1, start + step * n, choice(),
               choice(), choice(), method, 1, "0" * 64, rng.choice(["nb", "nb", "nn", "en"]),
               "https://www.example.no/shop", "0.1.0", "Mozilla/5.0 (bench)", method == "gpc", "192.0.2.0",
               None)


def load_sqlite(path: str, site_id: int, count: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA cache_size=-500000")  # bulk load only: the app opens its own connections
    conn.execute("PRAGMA synchronous=OFF")
    marks = ", ".join("?" * len(COLUMNS))
    rows = ((*r[:3], r[3].isoformat(sep=" "), *r[4:]) for r in generate(site_id, count))
    with conn:
        conn.executemany(f"INSERT INTO consent_records ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    conn.execute("ANALYZE")
    conn.close()


def load_postgres(url: str, site_id: int, count: int) -> None:
    import psycopg

    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False)) as conn:
        copy_sql = f"COPY consent_records ({', '.join(COLUMNS)}) FROM STDIN"
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for row in generate(site_id, count):
                copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE consent_records")


def timed(client, path: str) -> list[float]:
    times = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times[1:]  # the first run warms caches


def deep_cursor(app, key: str) -> tuple[int, str]:
    """The cursor that opens the filtered log DEPTH pages deep (found once with OFFSET, not timed);
    fewer pages when a small --records run has not that many matches."""
    rec = queries.ConsentRecord
    with app.app_context(), get_db(app).session() as session:
        site = get_site(session, key)
        where = queries.LogFilter(method="custom", outcomes={"analytics": True}).conditions(site)
        matches = session.scalar(queries.select(queries.func.count()).select_from(rec).where(*where))
        depth = min(DEPTH, max(1, matches // queries.PAGE_SIZE - 1))
        query = (queries.select(rec.created_at, rec.id).where(*where)
                 .order_by(rec.created_at.desc(), rec.id.desc())
                 .offset(depth * queries.PAGE_SIZE - 1).limit(1))
        row = session.execute(query).one()
        return depth, queries.Cursor(row[0], row[1]).encode()


def run(backend: str, url: str, count: int, instance: str) -> list[tuple[str, str, list[float]]]:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOGIN_RATE_LIMIT": "1000 per minute"},
                     instance_path=instance)
    with app.app_context(), get_db(app).session() as session:
        site = create_site(session, name="Bench", origins=["https://www.example.no"])
        key, site_id = site.key, site.id
    started = time.perf_counter()
    if backend == "sqlite":
        load_sqlite(make_url(url).database, site_id, count)
    else:
        load_postgres(url, site_id, count)
    print(f"{backend}: loaded {count:,} records in {time.perf_counter() - started:.0f} s", flush=True)
    client = signed_in_client(app)
    base = f"/admin/sites/{key}"
    depth, cursor = deep_cursor(app, key)
    cases = [("log, first page", f"{base}/consents"),
             (f"log, {FILTER}, page {depth + 1}", f"{base}/consents?{FILTER}&after={cursor}"),
             ("statistics, 30 days", f"{base}/stats"),
             ("statistics, 12 months in weeks", f"{base}/stats?last=365"),
             ("statistics, all time in months + CSV", f"{base}/stats/methods.csv?last=all"),
             ("site page with its overview", base),
             ("overview of all sites", "/admin/")]
    results = [(backend, name, timed(client, path)) for name, path in cases]
    get_db(app).dispose()
    return results


def postgres_scratch(server_url: str) -> tuple[str, callable]:
    name = f"consentkit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server_url).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("CONSENTKIT_BENCH_PG_URL"),
                        help="PostgreSQL server URL (a scratch database is created on it)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += run("sqlite", f"sqlite:///{tmp}/bench.db", args.records, f"{tmp}/instance-sqlite")
        if args.pg:
            url, drop = postgres_scratch(args.pg)
            try:
                results += run("postgresql", url, args.records, f"{tmp}/instance-pg")
            finally:
                drop()
    print(f"\nAdmin pages with {args.records:,} records ({RUNS} runs each after a warm-up; target < 300 ms)")
    print(f"{'backend':<11} {'page':<44} {'median ms':>10} {'max ms':>8}  ok")
    for backend, name, times in results:
        median = statistics.median(times)
        ok = "yes" if median < 300 else "NO"
        print(f"{backend:<11} {name:<44} {median:>10.1f} {max(times):>8.1f}  {ok}")


if __name__ == "__main__":
    main()
