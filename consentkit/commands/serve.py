"""`consentkit serve`: the production server (gunicorn) with migrations applied first."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from .. import migrate, public_url
from ..db import get_db
from .common import friendly_errors, make_app
from .db import data_locations


def default_workers() -> int:
    """Two sync workers per CPU core, at most 8: while one waits for the database's commit (a round
    trip and a disk flush on PostgreSQL) the other has the core. On 2 cores, 4 workers served 25%
    more consent POSTs on PostgreSQL than 2 did, and the same on SQLite (bench/bench_consent.py)."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=default_workers, type=click.IntRange(1, 64),
              show_default="2 per CPU core, at most 8",
              help="gunicorn worker processes (stateless; add machines for more traffic).")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker; more lets PostgreSQL commits of one worker overlap.")
@click.option("--no-migrate", is_flag=True, help="Do not apply database migrations first.")
@friendly_errors
def serve(host: str, port: int, workers: int, threads: int, no_migrate: bool) -> None:
    """Serve the banner, the consent API, the declaration and the admin UI."""
    app = make_app()
    if not no_migrate:
        migrate.upgrade(app.config["DATABASE_URL"])
    for line in startup_lines(app, host, port):
        click.echo(line, err=True)
    GunicornServer(app, {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                         "accesslog": None, "graceful_timeout": 5, "timeout": 60}).run()


def startup_lines(app: Flask, host: str, port: int) -> list[str]:
    """Where the server listens, the address snippets use (with a warning when they differ), and
    where the data lives."""
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    listening = f"http://{shown_host}:{port}"
    lines = [f"consentkit serving on {listening}/ (admin: {listening}/admin/)"]
    configured = public_url.configured(app)
    if configured is None:
        lines.append(f"snippets and links use the address each request comes to; set "
                     f"CONSENTKIT_PUBLIC_URL to the public one (`site add` prints {public_url.DEFAULT})")
    else:
        lines.append(f"snippets use CONSENTKIT_PUBLIC_URL = {configured}")
        if not _same_address(configured, host, port):
            lines.append(f"warning: CONSENTKIT_PUBLIC_URL ({configured}) is not the address this server "
                         f"listens on ({listening}); banners will post there, so it must reach this "
                         "server (through your proxy)")
    lines += [f"{name}: {value}" for name, value in data_locations(app)]
    return lines


def _same_address(url: str, host: str, port: int) -> bool:
    parts = urlsplit(url)
    local = {"127.0.0.1", "localhost", "::1"} if host in ("127.0.0.1", "localhost", "0.0.0.0", "::") \
        else {host}
    default = 443 if parts.scheme == "https" else 80
    return (parts.hostname or "") in local and (parts.port or default) == port


class GunicornServer(BaseApplication):
    """gunicorn with an app object we built, rather than an import string."""

    def __init__(self, app: Any, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_fork", self._post_fork)

    def _post_fork(self, _server: Any, _worker: Any) -> None:
        """Each worker opens its own database connections; none cross a fork."""
        get_db(self.application).dispose(close=False)

    def load(self) -> Any:
        return self.application
