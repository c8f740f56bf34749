"""The `api` blueprint object, apart from `__init__` so route modules import it without a cycle."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/v1")
