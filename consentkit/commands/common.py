"""What every subcommand shares: the app, a database session, and errors turned into exit codes.

Exit codes: 0 success, 1 runtime failure (a ClickException), 2 usage error (click's own).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from ..app import create_app
from ..db import get_db
from ..errors import ConsentKitError

F = TypeVar("F", bound=Callable[..., Any])


def make_app() -> Flask:
    """The app for a CLI command: the one a test runner passed in `obj`, or a new one."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    if root is not None and isinstance(root.obj, Flask):
        return root.obj
    try:
        app = create_app()
    except ConsentKitError as exc:
        raise click.ClickException(str(exc)) from exc
    if root is not None:
        root.obj = app
    return app


@contextmanager
def session_scope() -> Iterator[Session]:
    """A committed-on-success session inside the app context."""
    app = make_app()
    with app.app_context(), get_db(app).session() as session:
        yield session


def friendly_errors(func: F) -> F:
    """Turn library exceptions into one-line errors with exit code 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConsentKitError as exc:
            raise click.ClickException(str(exc)) from exc
        except (OperationalError, ProgrammingError) as exc:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            hint = ""
            if "no such table" in first or "does not exist" in first:
                hint = " (run `consentkit db upgrade` first)"
            raise click.ClickException(f"database error: {first}{hint}") from exc

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
