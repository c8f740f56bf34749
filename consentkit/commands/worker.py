"""`consentkit worker`: run queued scans, scheduled rescans and notification retries."""

from __future__ import annotations

import logging

import click

from .. import migrate
from ..jobs.queue import describe
from ..jobs.worker import Worker, default_concurrency
from .common import friendly_errors, make_app
from .db import data_locations


@click.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=default_concurrency,
              show_default="what fits in memory (a scan peaks at about 1.2 GB), at most 2 per core",
              help="Scans run at once by this worker.")
@click.option("--no-schedule", is_flag=True,
              help="Do not queue scheduled rescans from this worker (another one does).")
@click.option("--no-migrate", is_flag=True, help="Do not apply database migrations first.")
@friendly_errors
def worker(concurrency: int, no_schedule: bool, no_migrate: bool) -> None:
    """Run jobs from the queue until SIGTERM or Ctrl-C: scans, scheduled rescans, notifications.

    Start one per machine; all share the queue (CONSENTKIT_QUEUE_URL=redis://… across machines,
    else the SQLite queue in the instance folder). Scans under way when it stops go back on the
    queue; a job whose worker died is retried once by another worker, then failed.
    """
    app = make_app()
    if not no_migrate:
        migrate.upgrade(app.config["DATABASE_URL"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    click.echo(f"consentkit worker: {concurrency} scans at once; queue: {describe(app)}", err=True)
    for name, value in data_locations(app):
        click.echo(f"{name}: {value}", err=True)
    Worker(app, concurrency, schedule=not no_schedule).run(
        ready=lambda w: click.echo(f"worker {w.id} ready", err=True))
    click.echo("worker stopped", err=True)
