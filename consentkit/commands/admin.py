"""`consentkit admin create-user`."""

from __future__ import annotations

import click

from .. import users
from .common import friendly_errors, session_scope


@click.group()
def admin() -> None:
    """Manage the users who sign in to /admin."""


@admin.command("create-user")
@click.argument("username")
@click.password_option(help="Prompted for when not given (at least 10 characters).")
@friendly_errors
def create_user(username: str, password: str) -> None:
    """Create an admin user; the password is stored as a scrypt hash."""
    with session_scope() as session:
        users.create_user(session, username, password)
    click.echo(f"created admin user {username!r}; sign in at /admin/")
