"""`GET /healthz`: answers once the app can reach its database (for load balancers and tests)."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from .db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    get_session().execute(text("SELECT 1"))
    return jsonify(status="ok")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
