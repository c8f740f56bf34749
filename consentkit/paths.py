"""Where the package's assets live, in a wheel and in a source checkout.

The wheel carries `static/` and `banner/` inside `consentkit/` (see pyproject's force-include);
an editable install leaves them at the repository root. Every lookup goes through here.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """Return the folder `name` ("static" or "banner") wherever this install keeps it."""
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


def static_dir() -> Path:
    return asset_dir("static")


def banner_dir() -> Path:
    return asset_dir("banner")
