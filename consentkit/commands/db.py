"""`consentkit db upgrade|check|current`."""

from __future__ import annotations

import click

from .. import migrate
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


def _safe(url: str) -> str:
    """The URL without a password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
