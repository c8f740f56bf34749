"""Fixtures of the banner tests: the real `consentkit serve`, the pages that embed the banner, Chromium.

See `banner_support` for how pages, configs and real sites fit together.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from banner_support import Pages, Visit

from consentkit.app import create_app
from consentkit.db import get_db
from scanner.browser import launch_options
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def consent_server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`consentkit serve` for the module, on its own SQLite file, as a new user runs it."""
    folder = tmp_path_factory.mktemp("banner-server")
    shutil.copy(sqlite_template, folder / "consentkit.db")
    server = LiveServer(f"sqlite:///{folder / 'consentkit.db'}", folder / "instance", public_url=None).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pages(consent_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    srv = Pages()
    srv.consent_origin = consent_server.url
    srv.app = create_app({"TESTING": True, "SECRET_KEY": "banner-tests",
                          "DATABASE_URL": consent_server.env["CONSENTKIT_DATABASE_URL"]},
                         instance_path=str(tmp_path_factory.mktemp("banner-app")))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        get_db(srv.app).dispose()


@pytest.fixture(autouse=True)
def fresh_site(request: pytest.FixtureRequest) -> None:
    """Each test starts with a site of its own (so its records are its own) and the base config."""
    if "pages" in request.fixturenames:
        request.getfixturevalue("pages").use_site()


@pytest.fixture(scope="module")
def chromium(playwright):
    browser = playwright.chromium.launch(
        **launch_options(extra_args=["--host-resolver-rules=MAP *.test 127.0.0.1"]))
    yield browser
    browser.close()


@pytest.fixture
def visit(chromium, pages) -> Iterator[Visit]:
    v = Visit(chromium, pages)
    try:
        yield v
        assert v.unexpected_errors() == [], "console errors"
    finally:
        v.context.close()


