"""The application factory: `create_app()` is what gunicorn, the CLI and the tests call."""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import areas, config, db, jobs, web_errors


def create_app(test_config: dict[str, Any] | None = None,
               instance_path: str | None = None) -> Flask:
    """Build the app from layered configuration; each area registers itself with `init_app`."""
    app = Flask(
        "consentkit",
        instance_path=instance_path or config.instance_path_from_env(),
        instance_relative_config=True,
        static_folder=None,
    )
    config.load_config(app, test_config)
    db.init_app(app)
    jobs.init_app(app)
    web_errors.init_app(app)
    _register_areas(app)
    return app


def _register_areas(app: Flask) -> None:
    """Blueprints per area: the public API, the admin UI and the declaration pages."""
    for init in areas.INITIALISERS:
        init(app)
