"""Finding and launching Chromium, in one place for the scanner, the demo and the tests.

Order: $CONSENTKIT_BROWSER, then Playwright's own Chromium if installed, then a system Chromium.
The flags keep Chromium from making background connections (updates, sync, safe browsing), which
would both leak the scan and slow it down on a closed network. Chromium 156 also gives every
window of a headless browser its own omnibox popup, a WebUI page in a renderer process of its
own: ~30 MB per scanner tab for a popup nobody opens, so those two features are off (Playwright's
own `--disable-features` list is kept; Chromium merges the two).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup",
]

SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

INSTALL_HINT = (
    "no Chromium found: install one with `python -m playwright install chromium` "
    "or your system's package (`sudo apt-get install chromium`), "
    "or point CONSENTKIT_BROWSER at a Chromium binary"
)


class BrowserNotFound(RuntimeError):
    """No usable Chromium: the message says how to install one."""


def playwright_chromium() -> str | None:
    """Playwright's bundled Chromium, if `playwright install chromium` has been run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache/ms-playwright")
    if not root.is_dir() or not any(root.glob("chromium*")):
        return None
    try:
        with sync_playwright() as pw:
            path = pw.chromium.executable_path
    except Exception:  # noqa: BLE001 - a broken Playwright install means: look elsewhere
        return None
    return path if path and Path(path).is_file() else None


def find_browser() -> str:
    """Path of the Chromium to launch, or BrowserNotFound with install instructions."""
    explicit = os.environ.get("CONSENTKIT_BROWSER")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise BrowserNotFound(f"CONSENTKIT_BROWSER={explicit} is not an executable file")
    bundled = playwright_chromium()
    if bundled:
        return bundled
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(INSTALL_HINT)


def launch_options(extra_args: list[str] | None = None) -> dict:
    """Keyword arguments for `playwright.chromium.launch()`."""
    return {"executable_path": find_browser(), "args": [*LAUNCH_ARGS, *(extra_args or [])],
            "headless": True}
