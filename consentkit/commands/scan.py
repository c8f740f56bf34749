"""`consentkit scan URL`: crawl a site in headless Chromium and show what it stores, and who set it.

Exit codes: 0 done; 1 could not scan (DNS, refused, TLS, no browser); 2 usage error; 3 with
`--fail-on-violation` when an item that is not necessary (unclassified ones included) was present
before consent or after rejection; 130 interrupted (Ctrl-C), 143 terminated (SIGTERM): the browser
is closed first, and a `--site` scan is marked failed.
"""

from __future__ import annotations

import contextlib
import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from .. import sites
from ..localformat import lifetime_text
from .common import friendly_errors, make_app

CATEGORY_ORDER = ("necessary", "functional", "analytics", "marketing", "unclassified")
VIOLATION_EXIT = 3
INTERRUPTED_EXIT, TERMINATED_EXIT = 130, 143
PHASE_NAMES = {"before": "before consent", "accept": "after accept", "reject": "after rejection"}


def shown(value: Any) -> Text:
    """Untrusted text for the terminal: no rich markup, no control characters, shortened."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value or ""))
    return Text(text if len(text) <= 120 else text[:117] + "…")


def human_lifetime(seconds: int | None, kind: str = "cookie") -> str:
    """The lifetime as the declaration and the admin say it (consentkit.localformat), in English."""
    return lifetime_text(seconds, kind, "en")


def _lifetime(item: dict[str, Any]) -> str:
    return human_lifetime(item.get("lifetime_seconds"), item["kind"])


def render_report(report: dict[str, Any], console: Console) -> None:
    """Tables by category, then one line on unclassified items and one per violation."""
    items = [{**c, "kind": "cookie"} for c in report["cookies"]] + list(report["storage"])
    for category in CATEGORY_ORDER:
        rows = [i for i in items if i["category"] == category]
        if not rows:
            continue
        table = Table(title=Text(f"{category} ({len(rows)})"), title_justify="left", expand=False)
        # Names stay whole (one can search for them); the other columns fold on a narrow terminal.
        widest = min(60, max(len(str(i["name"])) for i in rows))
        table.add_column("name", no_wrap=True, min_width=widest)
        for column in ("kind", "provider", "party", "lifetime", "phases", "set by", "first seen on"):
            table.add_column(column, overflow="fold")
        for item in rows:
            table.add_row(shown(item["name"]), shown(item["kind"]), shown(item.get("provider")),
                          shown(item.get("party")), _lifetime(item),
                          shown(" ".join(item.get("phases") or [])), shown(item.get("set_by") or "?"),
                          shown(item.get("first_seen_url")))
        console.print(table)
    summary = report["summary"]
    console.print(Text(f"{summary['pages']} pages, {summary['cookies']} cookies, {summary['storage']} "
                       f"storage items, {summary['third_party_domains']} third-party domains."))
    if summary["unclassified"]:
        console.print(Text(f"{summary['unclassified']} items are unclassified: they need consent until "
                           "classified; review them, or classify them with an override in the admin UI."))
    render_phases(report, console)
    for note in report.get("notes") or []:
        console.print(shown(f"note: {note}"))
    for violation in report["violations"]:
        line = Text("VIOLATION ", style="bold red")
        line.append_text(shown(f"{violation['kind']} {violation['name']} ({violation['category']}) present "
                               f"{PHASE_NAMES[violation['phase']]} on {violation['page']}, "
                               f"set by {violation['set_by'] or 'unknown'}"))
        console.print(line)


def render_phases(report: dict[str, Any], console: Console) -> None:
    """Which phases ran, and for accept and reject what was clicked, or clearly that nothing was."""
    ran = report.get("phases_run")
    if ran is not None:
        console.print(Text(f"phases checked: {', '.join(PHASE_NAMES[p] for p in ran) or 'none'}."))
    for choice, outcome in (report.get("consent_interaction") or {}).items():
        if outcome.get("ok"):
            console.print(shown(f"{choice}: done — {outcome.get('detail')}"))
            continue
        line = Text(f"{choice}: NOT DONE ", style="bold yellow")
        line.append_text(shown(f"— {outcome.get('detail')}; what is set {PHASE_NAMES[choice]} was "
                               "not checked"))
        console.print(line)


@click.command("scan")
@click.argument("url")
@click.option("--site", "site_key", help="Store the scan for this site (see `consentkit site list`).")
@click.option("--max-pages", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--max-depth", type=click.IntRange(0), help="Link hops from the start page.")
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True,
              help="Pages loaded at once (pages only being watched for late writes do not count).")
@click.option("--resolve", multiple=True, metavar="HOST:ADDR[:PORT]",
              help="Send HOST to ADDR, like curl; *.example.test wildcards allowed (repeatable).")
@click.option("--ignore-https-errors", is_flag=True, help="Accept invalid certificates (staging).")
@click.option("--include-subdomains", is_flag=True, help="Also crawl other hosts of the same site.")
@click.option("--page-timeout", type=click.FloatRange(1, 300), default=15, show_default=True,
              help="Seconds per page.")
@click.option("--time-budget", type=click.FloatRange(5), default=900, show_default=True,
              help="Seconds for the whole crawl; what was found by then is reported.")
@click.option("--phases", default="before,accept,reject", show_default=True, metavar="PHASES",
              help="Crawls to run, comma-separated: before (the site before consent), accept, reject.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the full report (versioned JSON) to this file; '-' for standard output.")
@click.option("--fail-on-violation", is_flag=True,
              help="Exit 3 when an item that is not necessary (unclassified included) is set before "
                   "consent or after rejection.")
@friendly_errors
def scan(url: str, site_key: str | None, json_path: Path | None, fail_on_violation: bool,
         **limits: Any) -> None:
    """Crawl URL in headless Chromium and list every cookie and storage item, who set it and when.

    Three phases: before consent, after "accept all" and after "reject all" (--phases picks).
    Each page is watched after load and a visitor's first moves until its storage is quiet, so
    trackers that write late are seen. With --site the scan is stored, and the site's revision
    rises when the inventory changed.
    """
    from scanner import errors as scan_errors
    from scanner.crawl import check_start_url
    from scanner.resolve import resolver_args
    from scanner.run import ScanOptions, parse_phases

    try:
        check_start_url(url)
        resolver_args(limits["resolve"])
        phases = parse_phases(limits["phases"])
    except scan_errors.ScanUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    options = ScanOptions(max_pages=limits["max_pages"], max_depth=limits["max_depth"],
                          concurrency=limits["concurrency"], resolve=tuple(limits["resolve"]),
                          ignore_https_errors=limits["ignore_https_errors"],
                          include_subdomains=limits["include_subdomains"],
                          page_timeout=limits["page_timeout"], total_timeout=limits["time_budget"],
                          phases=phases)
    to_stdout = str(json_path) == "-"
    console = Console(stderr=to_stdout, highlight=False, soft_wrap=False)
    tracker: SiteScanTracker | None = None
    with terminated_as_exception(lambda: tracker and tracker.fail("terminated (SIGTERM)")):
        tracker = SiteScanTracker(site_key, url) if site_key else None
        report = _run(url, options, to_stdout, tracker)
        if json_path:
            text = json.dumps(report, indent=2, ensure_ascii=False)
            click.echo(text) if to_stdout else json_path.write_text(text + "\n", encoding="utf-8")
        render_report(report, console)
        if tracker:
            tracker.store(report, console)
    if fail_on_violation and report["violations"]:
        raise SystemExit(VIOLATION_EXIT)


def _run(url: str, options: Any, quiet: bool, tracker: SiteScanTracker | None) -> dict[str, Any]:
    """The scan with its progress bar; failures and Ctrl-C become one line, an exit code and, with
    --site, a `failed` scan row (SIGTERM: see terminated_as_exception)."""
    from scanner import errors as scan_errors
    from scanner.browser import BrowserNotFound
    from scanner.run import scan as run_scan

    try:
        return _with_progress(lambda progress: run_scan(url, options, progress), quiet,
                              tracker.progress if tracker else None)
    except scan_errors.ScanTerminated:
        raise
    except (scan_errors.ScanError, BrowserNotFound) as exc:
        if tracker:
            tracker.fail(str(exc))
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        if tracker:
            tracker.fail("interrupted")
        click.echo("scan interrupted; the browser was closed", err=True)
        raise SystemExit(INTERRUPTED_EXIT) from None


@contextlib.contextmanager
def terminated_as_exception(on_terminate: Any) -> Iterator[None]:
    """SIGTERM raises ScanTerminated while the command runs (inside the scan itself, the scanner's
    own handler cancels the crawl and closes the browser first); `on_terminate()` then marks the
    scan failed, and the command exits 143."""
    from scanner.errors import ScanTerminated

    def raise_terminated(signum: int, frame: Any) -> None:
        raise ScanTerminated()

    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    except ScanTerminated as exc:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up
        on_terminate()
        click.echo(str(exc), err=True)
        raise SystemExit(TERMINATED_EXIT) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _with_progress(run: Any, quiet: bool, also: Any = None) -> dict[str, Any]:
    console = Console(stderr=True)
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} pages"),
               TextColumn("{task.fields[cookies]} cookies"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task("scanning", total=1, cookies=0)

        def update(done: int, queued: int, cookies: int) -> None:
            bar.update(task, completed=done, total=done + queued, cookies=cookies)
            if also is not None:
                also(done, queued)

        return run(update)


class SiteScanTracker:
    """A `--site` scan in the database from its start: a `running` row whose progress the admin UI
    shows (written at most once a second), then the report, or the reason it failed.

    It keeps its own app: progress arrives from the scan's thread, which may not be the command's.
    """

    def __init__(self, site_key: str, url: str) -> None:
        from ..db import get_db
        from ..scans import begin_scan

        self.site_key, self.db = site_key, get_db(make_app())
        with self.db.session() as session:
            self.scan_id = begin_scan(session, sites.get_site(session, site_key), url).id
        self.written = 0.0
        self.finished = False

    def progress(self, done: int, queued: int) -> None:
        from ..scans import record_progress

        now = time.monotonic()
        if now - self.written >= 1.0:
            self.written = now
            with self.db.session() as session:
                record_progress(session, self.scan_id, done, queued)

    def fail(self, error: str) -> None:
        from ..scans import fail_scan

        if self.finished:
            return
        with self.db.session() as session:
            fail_scan(session, self.scan_id, error)
        self.finished = True

    def store(self, report: dict[str, Any], console: Console) -> None:
        from ..models import Scan
        from ..scans import store_scan

        with self.db.session() as session:
            site = sites.get_site(session, self.site_key)
            stored, bumped = store_scan(session, site, report, session.get(Scan, self.scan_id))
            line = f"stored scan {stored.id} for site {self.site_key}; revision {site.revision}"
        self.finished = True
        if bumped:
            line += " (inventory changed: visitors will be asked again)"
        console.print(Text(line))
