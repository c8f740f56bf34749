"""`consentkit demo`: the whole product on one machine, offline, in one command."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from ..db import get_db
from ..demo.hosts import DemoHosts
from ..demo.server import BackgroundServer, HostDispatcher
from ..demo.setup import ensure_browser, set_up
from ..demo.shop import create_shop
from ..jobs import get_queue
from ..jobs.records import get_job, job_scans
from ..jobs.runner import enqueue_scan
from ..jobs.worker import Worker
from ..models import Job
from .common import friendly_errors
from .scan import render_report


@click.command()
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535),
              help="Port for the demo shop, its vendors and the consent server.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the demo database here (default: a temporary folder removed at exit).")
@click.option("--no-serve", is_flag=True, help="Set up and scan, then exit (for tests and CI).")
@click.option("--max-pages", default=20, show_default=True, type=click.IntRange(1, 200))
@friendly_errors
def demo(port: int, data_dir: Path | None, no_serve: bool, max_pages: int) -> None:
    """Start a demo Norwegian web shop with the banner, scan it, and serve everything locally.

    Creates the demo site and an admin user (password printed once), scans the shop with the real
    scanner, prints the inventory and any consent violations, then serves the shop, its
    declaration, the admin UI and the consent log until Ctrl-C.
    """
    started = time.monotonic()
    console = Console(highlight=False)
    if data_dir is None:
        with tempfile.TemporaryDirectory(prefix="consentkit-demo-") as tmp:
            _run(Path(tmp), port, no_serve, max_pages, console, started)
    else:
        _run(data_dir.resolve(), port, no_serve, max_pages, console, started)


def _run(data_dir: Path, port: int, no_serve: bool, max_pages: int, console: Console,
         started: float) -> None:
    ensure_browser(console.print)
    hosts = DemoHosts(port=port)
    setup = set_up(data_dir, hosts)
    shop = create_shop(hosts, setup.site_key)
    dispatcher = HostDispatcher(setup.app, shop, (hosts.shop, *hosts.vendor_hosts()))
    try:
        server = BackgroundServer(dispatcher, port).start()
    except OSError as exc:
        raise click.ClickException(f"port {port} is busy ({exc.strerror}); try --port") from exc
    # The demo's own worker, in this process: the first scan and the admin's "scan now" run on it.
    worker = Worker(setup.app, concurrency=1).start()
    try:
        _scan(setup, max_pages, console)
        _print_urls(setup, console, time.monotonic() - started)
        if not no_serve:
            _serve_until_interrupted(console)
    finally:
        worker.stop()
        server.stop()


def _scan(setup, max_pages: int, console: Console) -> None:
    """Queue a scan of the shop and wait for the in-process worker to store it, so the banner and
    the declaration know what it found."""
    app = setup.app
    options = {"max_pages": max_pages, "concurrency": 2, "resolve": setup.hosts.resolve_rules()}
    job = enqueue_scan(app, get_queue(app), setup.site_key, (), options, trigger="demo")
    console.print(f"Scanning {setup.hosts.shop_url} (job {job.id}) …")
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} pages"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=1)
        while (row := _job(app, job.id)).status in ("queued", "running"):
            done = (row.progress or {}).get("pages_done", 0)
            bar.update(task, completed=done, total=done + (row.progress or {}).get("pages_queued", 0) or 1)
            time.sleep(0.3)
    with get_db(app).session() as session:
        scans = job_scans(session, job.id)
    if row.status != "done" or not scans or scans[-1].report is None:
        raise click.ClickException(f"the demo scan failed: {row.error or 'no report'}")
    render_report(scans[-1].report, console)
    console.print(f"Stored scan {scans[-1].id}; the banner and the declaration now list what it found.")


def _job(app, job_id: int) -> Job:
    with get_db(app).session() as session:
        return get_job(session, job_id)


def _print_urls(setup, console: Console, seconds: float) -> None:
    hosts, key = setup.hosts, setup.site_key
    lines = [
        ("Demo shop", hosts.shop_url),
        ("Declaration (nb)", hosts.url(hosts.consent, f"/v1/sites/{key}/declaration?lang=nb")),
        ("Declaration (en)", hosts.url(hosts.consent, f"/v1/sites/{key}/declaration?lang=en")),
        ("Admin UI", hosts.url(hosts.consent, "/admin/")),
        ("Consent log", hosts.url(hosts.consent, f"/admin/sites/{key}/consents")),
    ]
    console.print()
    for label, url in lines:
        console.print(f"  {label:<17} {url}")
    console.print(f"  {'Admin sign-in':<17} user [bold]admin[/], password [bold]{setup.admin_password}[/]"
                  " (shown once)")
    console.print(f"  {'Data folder':<17} {setup.data_dir}")
    console.print(f"  (*.localhost names reach this machine in Chromium, Chrome, Edge and Firefox; "
                  f"the admin UI also answers at http://127.0.0.1:{hosts.port}/admin/)")
    console.print(f"\nready in {seconds:.1f} s")


def _serve_until_interrupted(console: Console) -> None:
    console.print("Serving; press Ctrl-C to stop.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("\nstopped")
