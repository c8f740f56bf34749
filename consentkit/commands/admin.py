"""`consentkit admin create-user|list-users|set-role|set-password|delete-user`."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from ..accounts import users
from ..models import ROLES
from .common import friendly_errors, print_json, session_scope


@click.group()
def admin() -> None:
    """Manage the users who sign in to /admin."""


ROLE_HELP = "owner: may change everything; viewer: reads the admin, cannot change or export."


@admin.command("create-user")
@click.argument("username")
@click.password_option(help=f"Prompted for when not given (at least {users.MIN_PASSWORD} characters).")
@click.option("--role", type=click.Choice(ROLES), default="owner", show_default=True, help=ROLE_HELP)
@friendly_errors
def create_user(username: str, password: str, role: str) -> None:
    """Create an admin user; the password is stored as a scrypt hash."""
    with session_scope() as session:
        users.create_user(session, username, password, role)
    click.echo(f"created admin user {username!r} ({role}); sign in at /admin/")


@admin.command("set-role")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help=ROLE_HELP)
@friendly_errors
def set_role(username: str, role: str) -> None:
    """Make a user an owner or a viewer (the last owner cannot become a viewer)."""
    with session_scope() as session:
        users.set_role(session, username, role)
    click.echo(f"{username!r} is now {role}")


@admin.command("list-users")
@click.option("--json", "as_json", is_flag=True)
@click.option("--role", type=click.Choice(ROLES), default=None, help="Only users with this role.")
@friendly_errors
def list_users(as_json: bool, role: str | None) -> None:
    """List the admin users, their role, when they last signed in and how many sessions they have open."""
    with session_scope() as session:
        rows = [{"username": user.username, "role": user.role, "created_at": user.created_at,
                 "last_login_at": user.last_login_at, "sessions": sessions}
                for user, sessions in users.list_users(session) if role in (None, user.role)]
    if as_json:
        print_json(rows)
        return
    table = Table("username", "role", "created (UTC)", "last sign-in (UTC)", "open sessions")
    for row in rows:
        last = row["last_login_at"]
        table.add_row(row["username"], row["role"], f"{row['created_at']:%Y-%m-%d %H:%M}",
                      f"{last:%Y-%m-%d %H:%M}" if last else "never", str(row["sessions"]))
    Console().print(table)


@admin.command("set-password")
@click.argument("username")
@click.password_option(help=f"Prompted for when not given (at least {users.MIN_PASSWORD} characters).")
@friendly_errors
def set_password(username: str, password: str) -> None:
    """Give a user a new password; every session they have open ends."""
    with session_scope() as session:
        ended = users.set_password(session, username, password)
    click.echo(f"new password set for {username!r}; {ended} open session(s) ended")


@admin.command("delete-user")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly_errors
def delete_user(username: str, yes: bool) -> None:
    """Remove an admin user and end their sessions."""
    if not yes:
        click.confirm(f"Delete admin user {username!r}?", abort=True)
    with session_scope() as session:
        users.delete_user(session, username)
    click.echo(f"deleted admin user {username!r}")
