"""Benchmark the consent backend: POST throughput and latency, consent.js, and growth to 1M/10M records.

    .venv/bin/python bench/bench_consent.py                 # SQLite + PostgreSQL + growth to 1M (~6 min)
    .venv/bin/python bench/bench_consent.py --growth-10m    # also 10M records (several more minutes)
    .venv/bin/python bench/bench_consent.py --no-growth --duration 5 --rounds 1
    .venv/bin/python bench/bench_consent.py --no-growth --against ../before   # a change, same run

The server is the product's gunicorn setup (`consentkit.commands.serve.GunicornServer`, sync
workers, as many as `consentkit serve` starts by default) started in a subprocess; wrk (installed
with apt-get if missing) generates load from another process. Two reference endpoints are mounted
on the same app and measured in the same run, so the ratios compare like with like: a bare Flask
view that returns 201, and the fair baseline, a Flask view that parses the JSON and INSERTs one
row with SQLAlchemy Core (`engine.begin()`, one `insert()`, commit) into the same table. Bare,
baseline and POST alternate in rounds; each ratio printed is the median of the rounds' ratios.
The consent POST should be at least as fast as the baseline (ratio >= 1). Not a test: it prints
figures.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consentkit.commands.serve import default_workers  # noqa: E402 - after the path is set

ORIGIN = "https://www.example.no"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# wrk script: every request a fresh consent ID, so each is a real new row, with a browser's headers.
POST_LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = "%(origin)s"
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " ..
  "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local id = string.format("%%08x-%%04x-4%%03x-a%%03x-%%012x", math.random(0, 0xffffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffffffffff))
  local body = '{"consent_id":"' .. id .. '","choices":{"functional":true,"analytics":false,' ..
    '"marketing":false},"method":"custom","revision":1,"language":"nb",' ..
    '"page_url":"https://www.example.no/shop","banner_version":"0.1.0","gpc":false}'
  return wrk.format(nil, nil, nil, body)
end
"""


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    share: float | None = None  # of the bare endpoint's throughput, measured in paired rounds
    vs_core: float | None = None  # throughput over the Core baseline's, measured in the same rounds

    def line(self, bare: Result | None) -> str:
        share = self.share if self.share is not None else (
            self.rps / bare.rps if bare and bare is not self else None)
        ratio = f"{100 * share:5.0f}% of bare" if share is not None else ""
        if self.vs_core is not None:
            ratio += f"   {self.vs_core:.2f}x the Core baseline"
        return (f"  {self.name:<34} {self.rps:9.0f} req/s   p50 {self.p50_ms:6.2f} ms   "
                f"p99 {self.p99_ms:6.2f} ms   non-2xx/3xx {self.errors:<5} {ratio}")


# ---- the server -------------------------------------------------------------------------------

def serve(db_url: str, port: int, workers: int, threads: int, instance: str) -> None:
    """Run in the server subprocess: the real app plus `/bench/bare` and `/bench/core`, under the
    product's gunicorn."""
    from consentkit.app import create_app
    from consentkit.commands.serve import GunicornServer

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "bench-secret",
                      "CONSENT_RATE_LIMIT": "100000000 per minute"}, instance_path=instance)

    @app.post("/bench/bare")
    def bare():  # noqa: ANN202 - the floor: Flask routing and a 201, nothing else
        return "", 201

    mount_core_baseline(app)
    options = {"bind": f"127.0.0.1:{port}", "workers": workers, "accesslog": None,
               "graceful_timeout": 5, "timeout": 60, "backlog": 2048}
    if threads > 1:
        options.update(worker_class="gthread", threads=threads)
    GunicornServer(app, options).run()


def mount_core_baseline(app) -> None:  # noqa: ANN001 - a consentkit Flask app
    """`POST /bench/core`: the fair baseline. What a plain Flask + SQLAlchemy Core app would do for
    a consent: parse the JSON, INSERT one row into `consent_records` on the app's pooled engine in
    its own transaction, answer 201 with the new row's id. No origin, rate limit or receipt."""
    import uuid

    from flask import jsonify, request
    from sqlalchemy import insert, select

    from consentkit.db import get_db
    from consentkit.models import ConsentRecord, Site, utcnow

    engine = get_db(app).engine
    table = ConsentRecord.__table__
    site_ids: list[int] = []

    @app.post("/bench/core")
    def core():  # noqa: ANN202 - the baseline view
        payload = request.get_json()
        choices = payload["choices"]
        with engine.begin() as conn:
            if not site_ids:
                site_ids.append(conn.scalar(select(Site.id).limit(1)))
            row_id = conn.execute(insert(table).returning(table.c.id), {
                "site_id": site_ids[0], "consent_id": payload["consent_id"], "seq": 1,
                "created_at": utcnow(), "functional": choices["functional"],
                "analytics": choices["analytics"], "marketing": choices["marketing"],
                "method": payload["method"], "revision": payload["revision"],
                "revision_hash": "0" * 64, "language": payload["language"],
                "page_url": payload["page_url"], "banner_version": payload["banner_version"],
                "user_agent": request.headers.get("User-Agent", "")[:256], "gpc": payload["gpc"],
                "client_ip": None, "record_key": uuid.uuid4().hex[:32]}).scalar_one()
        return jsonify(id=row_id), 201


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the bench server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"the bench server did not answer on port {port}")


def start_server(db_url: str, args: argparse.Namespace, instance: str,
                 tree: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """The bench server of the checkout in `tree` (this one, or `--against`'s)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(tree / "bench" / "bench_consent.py"), "--serve", db_url,
                                "--port", str(port), "--workers", str(args.workers),
                                "--threads", str(args.threads), "--instance", instance], cwd=tree,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process, port


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---- load ----------------------------------------------------------------------------------------

def ensure_wrk() -> str:
    """wrk from Debian; installed on first use when the bench runs as root."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get install -y wrk)…", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk is not installed and could not be installed")


def wrk(name: str, url: str, *, duration: int, connections: int, script: str | None = None,
        headers: dict[str, str] | None = None) -> Result:
    args = [ensure_wrk(), "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script or "")
    try:
        output = subprocess.run([*args, "-s", handle.name, url], check=True, capture_output=True,
                                text=True).stdout
    finally:
        os.unlink(handle.name)
    return parse_wrk(name, output)


def parse_wrk(name: str, output: str) -> Result:
    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    failed = (int(errors.group(1)) if errors else 0) + (int(timeouts.group(1)) if timeouts else 0)
    return Result(name, rps, latency("50"), latency("99"), failed)


# ---- databases -------------------------------------------------------------------------------------

def make_site(db_url: str, instance: str) -> str:
    from consentkit import migrate
    from consentkit.app import create_app
    from consentkit.db import get_db
    from consentkit.sites.registry import create_site

    migrate.upgrade(db_url)
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "bench-secret"}, instance_path=instance)
    with app.app_context(), get_db(app).session() as session:
        key = create_site(session, name="Bench", origins=[ORIGIN]).key
    get_db(app).dispose()
    return key


def fresh_postgres(base_url: str) -> tuple[str, object]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    name = f"consentkit_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return base.set(database=name).render_as_string(hide_password=False), (admin, name)


def drop_postgres(handle: object) -> None:
    from sqlalchemy import text

    admin, name = handle  # type: ignore[misc]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# ---- the HTTP benchmark -----------------------------------------------------------------------

def http_bench(label: str, db_url: str, args: argparse.Namespace, workdir: str) -> list[Result]:
    instance = os.path.join(workdir, f"instance-{label}")
    key = make_site(db_url, instance)
    process, port = start_server(db_url, args, instance)
    base = f"http://127.0.0.1:{port}"
    post = POST_LUA % {"origin": ORIGIN}
    other_process, other_url = None, None
    try:
        if args.against:
            other_process, other_port = start_server(db_url, args, instance + "-against",
                                                     Path(args.against).resolve())
            other_url = f"http://127.0.0.1:{other_port}/v1/sites/{key}/consents"
            wrk("warm-up", other_url, duration=2, connections=8, script=post)
        wrk("warm-up", f"{base}/v1/sites/{key}/consents", duration=2, connections=8, script=post)
        results = paired_rounds(base, f"{base}/v1/sites/{key}/consents", f"consent POST ({label})",
                                post, args, other_url)
        if label == "sqlite":
            results += script_bench(base, key, args)
    finally:
        stop_server(process)
        if other_process is not None:
            stop_server(other_process)
    kind = f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"
    print(f"\n{label}: gunicorn {args.workers} {kind}, wrk {args.connections} connections, "
          f"{args.duration}s each; bare, Core baseline and POST: medians of {args.rounds} rounds")
    for result in results:
        print(result.line(results[0]))
    return results


def paired_rounds(base: str, consent_url: str, name: str, script: str, args: argparse.Namespace,
                  other_url: str | None = None) -> list[Result]:
    """Bare, Core baseline and POST back to back, `rounds` times (and `--against`'s POST after
    them); medians of each, and the medians of the rounds' ratios. On a shared machine the speed
    drifts by 10-20% within a minute: a ratio of runs taken seconds apart is steadier than one of
    runs taken a minute apart."""
    bares, cores, consents, others = [], [], [], []
    for _ in range(args.rounds):
        bares.append(wrk("bare Flask POST -> 201", f"{base}/bench/bare", duration=args.duration,
                         connections=args.connections, script=script))
        cores.append(wrk("baseline: Flask + Core INSERT", f"{base}/bench/core",
                         duration=args.duration, connections=args.connections, script=script))
        consents.append(wrk(name, consent_url, duration=args.duration,
                            connections=args.connections, script=script))
        if other_url:
            others.append(wrk(f"{name[:-1]}, --against)", other_url, duration=args.duration,
                              connections=args.connections, script=script))
    core, consent = _median(cores), _median(consents)
    core.share = statistics.median(c.rps / b.rps for b, c in zip(bares, cores, strict=True))
    consent.share = statistics.median(c.rps / b.rps for b, c in zip(bares, consents, strict=True))
    consent.vs_core = statistics.median(c.rps / k.rps for k, c in zip(cores, consents, strict=True))
    results = [_median(bares), core, consent]
    if others:
        other = _median(others)
        other.share = statistics.median(o.rps / b.rps for b, o in zip(bares, others, strict=True))
        other.vs_core = statistics.median(o.rps / k.rps for k, o in zip(cores, others, strict=True))
        results.append(other)
    return results


def _median(runs: list[Result]) -> Result:
    return Result(runs[0].name, statistics.median(r.rps for r in runs),
                  statistics.median(r.p50_ms for r in runs), statistics.median(r.p99_ms for r in runs),
                  sum(r.errors for r in runs))


def script_bench(base: str, key: str, args: argparse.Namespace) -> list[Result]:
    import urllib.request

    url = f"{base}/v1/sites/{key}/consent.js"
    with urllib.request.urlopen(url) as response:
        etag = response.headers["ETag"]
    return [wrk("consent.js 304 (If-None-Match)", url, duration=args.duration,
                connections=args.connections, headers={"If-None-Match": etag}),
            wrk("consent.js 200 (br)", url, duration=args.duration, connections=args.connections,
                headers={"Accept-Encoding": "br"})]


# ---- growth ------------------------------------------------------------------------------------------

FILL_SQL = """
INSERT INTO consent_records (site_id, consent_id, seq, created_at, functional, analytics, marketing, method,
    revision, revision_hash, language, page_url, banner_version, user_agent, gpc, client_ip)
SELECT CASE WHEN g % 2 = 0 THEN :site ELSE :other END, md5(g::text), 1,
       now() AT TIME ZONE 'utc' - interval '365 days' + (g - :start) * (interval '365 days' / :count),
       g % 3 = 0, g % 5 < 2, g % 7 < 2,
       (ARRAY['accept_all','reject_all','custom','custom','gpc'])[1 + g % 5],
       1, repeat('0', 64), 'nb', 'https://www.example.no/', '0.1.0', 'Mozilla/5.0', false, '203.0.113.0/24'
FROM generate_series(:start, :stop) AS g
"""
COVERING_INDEX = ("CREATE INDEX IF NOT EXISTS ix_consent_records_site_created_cover ON consent_records "
                  "(site_id, created_at) INCLUDE (method, functional, analytics, marketing)")


def growth_bench(pg_url: str, workdir: str, sizes: list[int]) -> None:
    """Fill PostgreSQL to each size (half the rows one site's, a year of history), then time the
    insert path and the admin's 30-day statistics with and without the proposed covering index."""
    from sqlalchemy import create_engine, text

    instance = os.path.join(workdir, "instance-growth")
    keys = [make_site(pg_url, instance) for _ in range(2)]
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        ids = [conn.scalar(text("SELECT id FROM sites WHERE key = :k"), {"k": k}) for k in keys]
        have = conn.scalar(text("SELECT count(*) FROM consent_records"))
    print("\ngrowth (PostgreSQL, half the rows on the measured site, spread over 365 days)")
    for size in sizes:
        fill(engine, ids, have, size)
        have = size
        insert = insert_latency(pg_url, keys[0], instance)
        plain = stats_timing(pg_url, keys[0], instance)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(COVERING_INDEX))
            conn.execute(text("VACUUM ANALYZE consent_records"))
        covered = stats_timing(pg_url, keys[0], instance)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("DROP INDEX ix_consent_records_site_created_cover"))
        print(f"  {size:>11,} rows: insert+commit p50 {insert[0]:.2f} ms p99 {insert[1]:.2f} ms | "
              f"30-day daily stats {plain:.0f} ms (current indexes), {covered:.0f} ms (+ covering index)")
    engine.dispose()


def fill(engine, ids: list[int], have: int, size: int, chunk: int = 1_000_000) -> None:  # noqa: ANN001
    from sqlalchemy import text

    started = time.monotonic()
    for start in range(have + 1, size + 1, chunk):
        stop = min(size, start + chunk - 1)
        with engine.begin() as conn:
            conn.execute(text(FILL_SQL), {"site": ids[0], "other": ids[1], "start": start, "stop": stop,
                                          "count": size})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE consent_records"))
    print(f"  filled to {size:,} rows in {time.monotonic() - started:.0f} s", file=sys.stderr)


def insert_latency(db_url: str, key: str, instance: str, count: int = 2000) -> tuple[float, float]:
    """The POST's database work (the writer's INSERT and commit) timed one by one; p50 and p99 in ms."""
    import uuid

    from consentkit.app import create_app
    from consentkit.consentlog import records as consents
    from consentkit.db import get_db

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "bench-secret"}, instance_path=instance)
    timings = []
    writer = get_db(app).consent_writer
    with get_db(app).engine.connect() as conn:
        site = consents.load_site(conn, key)
    for _ in range(count):
        consent = consents.Consent(str(uuid.uuid4()), {"functional": True, "analytics": False,
                                   "marketing": False}, "custom", 1, "nb", "", "0.1.0", False)
        started = time.perf_counter()
        consents.record(writer, site, consent, revision_hash="0" * 64, client_ip=None, user_agent="b")
        timings.append((time.perf_counter() - started) * 1000)
    get_db(app).dispose()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99)]


def stats_timing(db_url: str, key: str, instance: str, runs: int = 5) -> float:
    """Median time of `consentlog.queries.daily_stats` over the last 30 days (what the admin shows)."""
    from datetime import UTC, datetime, timedelta

    from consentkit.app import create_app
    from consentkit.consentlog import queries
    from consentkit.db import get_db
    from consentkit.sites.registry import get_site

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "bench-secret"}, instance_path=instance)
    today = datetime.now(UTC).date()
    timings = []
    with app.app_context(), get_db(app).sessions() as session:
        site = get_site(session, key)
        for _ in range(runs):
            started = time.perf_counter()
            queries.daily_stats(session, site, today - timedelta(days=29), today)
            timings.append((time.perf_counter() - started) * 1000)
    get_db(app).dispose()
    return statistics.median(timings)


def main() -> None:
    args = parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers, args.threads, args.instance)
        return
    with tempfile.TemporaryDirectory() as workdir:
        summary: list[str] = []
        if "sqlite" in args.databases:
            results = http_bench("sqlite", f"sqlite:///{workdir}/bench.db", args, workdir)
            summary.append(_verdict("sqlite", results))
        if "postgresql" in args.databases:
            pg_url, handle = fresh_postgres(args.pg_url)
            try:
                results = http_bench("postgresql", pg_url, args, workdir)
                summary.append(_verdict("postgresql", results))
                if not args.no_growth:
                    growth_bench(pg_url, workdir,
                                 [1_000_000, 10_000_000] if args.growth_10m else [1_000_000])
            finally:
                drop_postgres(handle)
    print("\n" + "\n".join(summary))


def _verdict(label: str, results: list[Result]) -> str:
    bare, core, consent = results[0], results[1], results[2]
    share = consent.share or 0.0  # always set by paired_rounds
    vs_core = consent.vs_core or 0.0
    ok = share >= 0.6 and vs_core >= 1.0 and consent.p99_ms < 50
    return (f"{label}: consent POST {consent.rps:.0f} req/s = {100 * share:.0f}% of bare "
            f"({bare.rps:.0f}), {vs_core:.2f}x the Core baseline ({core.rps:.0f} req/s), "
            f"p99 {consent.p99_ms:.1f} ms -> {'MEETS' if ok else 'MISSES'} "
            "target (>= 60% of bare, >= 1x the Core baseline, p99 < 50 ms)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3,
                        help="paired bare/POST rounds per database; medians are printed")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="gunicorn workers (default: as `consentkit serve`, 2 per core, at most 8)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (gthread) -- 1 is `consentkit serve`'s sync worker")
    parser.add_argument("--pg-url", default=os.environ.get("CONSENTKIT_BENCH_PG_URL", PG_DEFAULT),
                        help="a PostgreSQL server URL; a scratch database is created and dropped")
    parser.add_argument("--databases", default="sqlite,postgresql", type=lambda v: v.split(","),
                        help="which to measure, comma-separated (default: sqlite,postgresql)")
    parser.add_argument("--no-growth", action="store_true", help="skip the 1M/10M growth step")
    parser.add_argument("--growth-10m", action="store_true", help="also grow to 10 million records")
    parser.add_argument("--against", metavar="DIR",
                        help="another checkout (say, before a change) whose consent POST is measured "
                             "in the same rounds, on the same database")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
