"""`consentkit db upgrade|current|path`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy.engine import make_url

from .. import migrate
from ..config import SECRET_FILE
from ..jobs.queue import describe
from .common import friendly_errors, make_app


@click.group()
def db() -> None:
    """Create or upgrade the database schema."""


@db.command()
@friendly_errors
def upgrade() -> None:
    """Apply all migrations to the configured database (creates a new SQLite file if needed)."""
    app = make_app()
    url = app.config["DATABASE_URL"]
    migrate.upgrade(url)
    click.echo(f"database at {_safe(url)} is at revision {migrate.current(url)}")


@db.command()
@friendly_errors
def current() -> None:
    """Print the database's migration revision."""
    url = make_app().config["DATABASE_URL"]
    click.echo(migrate.current(url) or "empty (run `consentkit db upgrade`)")


@db.command()
@friendly_errors
def path() -> None:
    """Print where this installation keeps its data: instance folder, database, secret key.

    The instance folder is CONSENTKIT_INSTANCE_PATH, else your user data folder (never the
    virtualenv, so recreating it loses nothing). Back up the database and the secret key.
    """
    for name, value in data_locations(make_app()):
        click.echo(f"{name:>16}: {value}")


def data_locations(app: Flask) -> list[tuple[str, str]]:
    """(what, where) for each place that holds data, as `db path` and `serve` print them."""
    secret_file = Path(app.instance_path) / SECRET_FILE
    from_file = secret_file.exists() and secret_file.read_text().strip() == app.config["SECRET_KEY"]
    secret = str(secret_file) if from_file else "set by CONSENTKIT_SECRET_KEY or config.py"
    return [("instance folder", app.instance_path), ("database", _safe(app.config["DATABASE_URL"])),
            ("secret key", secret), ("job queue", describe(app))]


def _safe(url: str) -> str:
    """The URL without a password, for printing."""
    return make_url(url).render_as_string(hide_password=True)
