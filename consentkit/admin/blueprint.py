"""The `admin` blueprint object, apart from its views so that every view module can import it."""

from __future__ import annotations

from flask import Blueprint

from ..paths import static_dir

bp = Blueprint("admin", __name__, url_prefix="/admin",
               static_folder=str(static_dir() / "admin"), static_url_path="/static")

# Endpoints a signed-out visitor may reach; everything else under /admin redirects to sign-in.
PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.static"})
