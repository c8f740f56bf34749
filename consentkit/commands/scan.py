"""`consentkit scan URL`: crawl a site in headless Chromium and show what it stores, and who set it.

With `--site KEY` the scan is stored for the site (every origin of it when no URL is given), as a
job that runs here in the foreground; with `--queue` the job goes on the queue for a worker and
its ID is printed.

Exit codes: 0 done; 1 could not scan (DNS, refused, TLS, no browser; with several origins, any of
them); 2 usage error; 3 with `--fail-on-violation` when an item that is not necessary
(unclassified ones included) was present before consent or after rejection; 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM): the browser is closed first, and a `--site` scan is marked
failed.
"""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from scanner import errors as scan_errors
from scanner.browser import BrowserNotFound
from scanner.crawl import check_start_url
from scanner.resolve import resolver_args
from scanner.run import ScanOptions, parse_phases
from scanner.run import scan as run_scan

from ..db import get_db
from ..jobs import get_queue
from ..jobs.records import create_job, finish, process_id
from ..jobs.runner import enqueue_scan, failure
from ..jobs.worker import Heartbeat
from ..kb.classifier import default_classifier
from ..localformat import lifetime_text
from ..scans import diff as scan_diff
from ..scans.site_scan import OriginResult, SiteScanResult, scan_site, urls_to_scan
from ..sites import registry as sites
from .common import friendly_errors, make_app

CATEGORY_ORDER = ("necessary", "functional", "analytics", "marketing", "unclassified")
VIOLATION_EXIT = 3
INTERRUPTED_EXIT, TERMINATED_EXIT = 130, 143
PHASE_NAMES = {"before": "before consent", "accept": "after accept", "reject": "after rejection"}


def shown(value: Any) -> Text:
    """Untrusted text for the terminal: no rich markup, no control characters, shortened."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value or ""))
    return Text(text if len(text) <= 120 else text[:117] + "…")


def _lifetime(item: dict[str, Any]) -> str:
    """The lifetime as the declaration, the admin and the banner say it (consentkit.localformat)."""
    return lifetime_text(item.get("lifetime_seconds"), item["kind"], "en", item.get("documented_lifetime"))


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
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option("--site", "site_key", help="Store the scan for this site (see `consentkit site list`); "
              "without a URL, every origin of the site is scanned.")
@click.option("--queue", "queued", is_flag=True,
              help="With --site: put the scan on the job queue for `consentkit worker` and print the "
                   "job ID, instead of scanning here.")
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
              help="Seconds for the whole crawl of one origin; what was found by then is reported.")
@click.option("--phases", default="before,accept,reject", show_default=True, metavar="PHASES",
              help="Crawls to run, comma-separated: before (the site before consent), accept, reject.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the full report (versioned JSON; a list of reports for several URLs) to "
                   "this file; '-' for standard output.")
@click.option("--fail-on-violation", is_flag=True,
              help="Exit 3 when an item that is not necessary (unclassified included) is set before "
                   "consent or after rejection.")
@friendly_errors
def scan(urls: tuple[str, ...], site_key: str | None, queued: bool, json_path: Path | None,
         fail_on_violation: bool, **limits: Any) -> None:
    """Crawl URL in headless Chromium and list every cookie and storage item, who set it and when.

    Three phases: before consent, after "accept all" and after "reject all" (--phases picks).
    Each page is watched after load and a visitor's first moves until its storage is quiet, so
    trackers that write late are seen. With --site the scan is stored: each origin's scan replaces
    that origin's part of the inventory, and the site's revision rises only when what visitors
    are told changed.
    """
    options = _options(urls, site_key, queued, limits)
    to_stdout = str(json_path) == "-"
    console = Console(stderr=to_stdout, highlight=False, soft_wrap=False)
    if site_key and queued:
        _enqueue(site_key, urls, options)
        return
    if site_key:
        reports = _scan_for_site(site_key, urls, options, console, to_stdout)
    else:
        reports = [_plain(urls[0], options, to_stdout, console)]
    if json_path:
        data = reports[0] if len(reports) == 1 and len(urls) <= 1 else reports
        text = json.dumps(data, indent=2, ensure_ascii=False)
        click.echo(text) if to_stdout else json_path.write_text(text + "\n", encoding="utf-8")
    if fail_on_violation and any(report["violations"] for report in reports):
        raise SystemExit(VIOLATION_EXIT)


def _options(urls: tuple[str, ...], site_key: str | None, queued: bool,
             limits: dict[str, Any]) -> ScanOptions:
    """Check the arguments before anything is launched; usage errors exit 2."""
    if not site_key and len(urls) != 1:
        raise click.UsageError("give one URL to scan, or --site KEY (several URLs, or none for every "
                               "origin of the site)")
    if queued and not site_key:
        raise click.UsageError("--queue needs --site KEY: a queued scan is stored for a site")
    try:
        for url in urls:
            check_start_url(url)
        resolver_args(limits["resolve"])
        phases = parse_phases(limits["phases"])
    except scan_errors.ScanUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    return ScanOptions(max_pages=limits["max_pages"], max_depth=limits["max_depth"],
                       concurrency=limits["concurrency"], resolve=tuple(limits["resolve"]),
                       ignore_https_errors=limits["ignore_https_errors"],
                       include_subdomains=limits["include_subdomains"],
                       page_timeout=limits["page_timeout"], total_timeout=limits["time_budget"],
                       phases=phases)


def job_options(options: ScanOptions) -> dict[str, Any]:
    """The options a job stores (and a scheduled rescan repeats)."""
    return {"max_pages": options.max_pages, "max_depth": options.max_depth,
            "concurrency": options.concurrency, "resolve": list(options.resolve),
            "ignore_https_errors": options.ignore_https_errors,
            "include_subdomains": options.include_subdomains, "page_timeout": options.page_timeout,
            "total_timeout": options.total_timeout, "phases": list(options.phases)}


def _enqueue(site_key: str, urls: tuple[str, ...], options: ScanOptions) -> None:
    app = make_app()
    job = enqueue_scan(app, get_queue(app), site_key, urls, job_options(options), trigger="queue")
    click.echo(job.id)
    click.echo(f"queued job {job.id}: {len(job.urls)} origin(s) of site {site_key}; follow it with "
               f"`consentkit jobs show {job.id}` (a `consentkit worker` runs it)", err=True)


def _plain(url: str, options: ScanOptions, quiet: bool, console: Console) -> dict[str, Any]:
    """A scan that is not stored: the report, on the terminal."""
    try:
        report = _with_progress(lambda progress: run_scan(url, options, progress,
                                                          classifier=default_classifier()), quiet)
    except (scan_errors.ScanError, BrowserNotFound) as exc:
        if isinstance(exc, scan_errors.ScanTerminated):
            click.echo(str(exc), err=True)
            raise SystemExit(TERMINATED_EXIT) from None
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("scan interrupted; the browser was closed", err=True)
        raise SystemExit(INTERRUPTED_EXIT) from None
    render_report(report, console)
    return report


def _scan_for_site(site_key: str, urls: tuple[str, ...], options: ScanOptions, console: Console,
                   quiet: bool) -> list[dict[str, Any]]:
    """Scan here, as a job this process runs and beats for (so a killed scan does not stay
    "running"); each origin's report is shown as soon as it is stored."""
    app = make_app()
    queue, me = get_queue(app), process_id()
    with get_db(app).session() as session:
        site = sites.get_site(session, site_key)
        job = create_job(session, site, urls_to_scan(site, urls), job_options(options),
                         trigger="cli", running_in=me)
    stop = queue.running.add(job.id)
    heartbeat = Heartbeat(app, queue, me, reaper=False).start()
    reports: list[dict[str, Any]] = []

    def end(error: str) -> None:
        with get_db(app).session() as session:
            finish(session, job.id, me, error=error)

    try:
        with terminated_as_exception(lambda: end("terminated (SIGTERM)")):
            result = _with_progress(lambda progress: scan_site(
                app, site_key, job.urls, options, job_id=job.id, progress=progress, stop=stop,
                on_report=lambda _url, report: (reports.append(report), render_report(report, console))),
                quiet)
    except scan_errors.ScanCancelled:
        raise click.ClickException(f"job {job.id} was cancelled (`consentkit jobs cancel`)") from None
    except KeyboardInterrupt:
        end("interrupted")
        click.echo("scan interrupted; the browser was closed", err=True)
        raise SystemExit(INTERRUPTED_EXIT) from None
    finally:
        heartbeat.stop()
        queue.running.remove(job.id)
    end(failure(result))
    _print_stored(result, console)
    if result.failed:
        raise click.ClickException("; ".join(f"{o.error}" for o in result.failed))
    return reports


def _print_stored(result: SiteScanResult, console: Console) -> None:
    for origin in result.origins:
        if origin.error:
            continue
        line = f"stored scan {origin.scan_id} for site {result.site_key}; revision {origin.revision}"
        if origin.bumped:
            line += " (inventory changed: visitors will be asked again)"
        console.print(Text(line))
        console.print(Text(_diff_line(origin)))
    for channel, error in result.notify_failed.items():
        console.print(Text(f"warning: the {channel} notification was not sent: {error}"))


def _diff_line(origin: OriginResult) -> str:
    diff = origin.diff or {}
    if diff.get("previous_scan_id") is None:
        return f"  first scan of {origin.url}: {len(diff.get('new') or [])} items"
    return f"  since scan {diff['previous_scan_id']}: {scan_diff.summary(diff)}"


@contextlib.contextmanager
def terminated_as_exception(on_terminate: Any) -> Iterator[None]:
    """SIGTERM raises ScanTerminated while the command runs (inside the scan itself, the scanner's
    own handler cancels the crawl and closes the browser first); `on_terminate()` then marks the
    scan failed, and the command exits 143."""

    def raise_terminated(signum: int, frame: Any) -> None:
        raise scan_errors.ScanTerminated()

    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    except scan_errors.ScanTerminated as exc:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up
        on_terminate()
        click.echo(str(exc), err=True)
        raise SystemExit(TERMINATED_EXIT) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _with_progress(run: Any, quiet: bool) -> Any:
    console = Console(stderr=True)
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} pages"),
               TextColumn("{task.fields[cookies]} cookies"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task("scanning", total=1, cookies=0)

        def update(done: int, queued: int, cookies: int) -> None:
            bar.update(task, completed=done, total=done + queued, cookies=cookies)

        return run(update)
