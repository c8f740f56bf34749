"""The scanner survives hostile and broken sites, and never lets a cookie name reach the terminal raw."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from consentkit.commands.scan import render_report
from scanner.run import ScanOptions, scan
from tests.sites import hostile, serve

pytestmark = pytest.mark.browser
PAGE_TIMEOUT = 15  # the default; the hanging pages hang longer (hostile.HANG_SECONDS)


@pytest.fixture(scope="module")
def report():
    with serve(hostile.app()) as server:
        options = ScanOptions(resolve=server.resolve(hostile.HOSTS), ignore_https_errors=True,
                              page_timeout=PAGE_TIMEOUT, phase_pages=1)
        return scan(hostile.START, options)


def pages(report):
    return {p["url"].removeprefix(hostile.SITE): p for p in report["pages"] if p["phase"] == "before"}


def test_every_linked_page_is_recorded(report):
    assert {"/", *hostile.LINKS} <= set(pages(report))


def test_pages_that_never_finish_are_recorded(report):
    found = pages(report)
    assert found["/never"]["error"] == f"timeout after {PAGE_TIMEOUT}s"
    assert found["/never"]["timed_out"] is True and found["/never"]["status"] is None
    assert found["/loop"]["timed_out"] is False
    assert found["/slow-load"]["status"] == 200  # the load event never fired; the page still counted
    assert any(c["name"] == "slow_ok" for c in report["cookies"])


def test_redirect_loop_download_and_error_pages(report):
    found = pages(report)
    assert found["/loop"]["error"] == "net::ERR_TOO_MANY_REDIRECTS"
    assert found["/download"]["error"] == "download (cancelled)"
    assert (found["/missing"]["status"], found["/broken"]["status"]) == (404, 500)


@pytest.mark.parametrize("name, page", [("loop_seen", "/loop"), ("download_seen", "/download"),
                                        ("big_seen", "/big")])
def test_cookies_set_by_failed_navigations_are_kept(report, name, page):
    """A redirect loop, a download and a 50 MB page fail as pages, but their responses set cookies."""
    cookies = {c["name"]: c for c in report["cookies"]}
    assert cookies[name]["first_seen_url"] == hostile.SITE + page
    assert cookies[name]["set_by"].startswith(hostile.SITE + page.rstrip("/"))


def test_big_page_is_bounded(report):
    assert "/big" in pages(report)  # loaded or timed out, but the scan went on


def test_dialogs_and_popups_do_not_block(report):
    names = {c["name"] for c in report["cookies"]}
    assert {"after_dialogs", "opened_popup"} <= names
    assert "/popup-target" not in pages(report)  # the popup was closed, not crawled


def test_calendar_is_capped_per_path(report):
    calendar = [url for url in pages(report) if url.startswith("/calendar")]
    assert len(calendar) == 3


def test_two_hundred_cookies(report):
    names = {c["name"] for c in report["cookies"]}
    assert sum(n.startswith(("http_", "js_")) for n in names) == 150
    crowd = [c for c in report["cookies"] if c["name"].startswith("crowd_")]
    assert len(crowd) == 50 and all(c["party"] == "third" for c in crowd)


def test_html_in_cookie_names_kept_verbatim_in_json(report):
    cookies = {c["name"]: c for c in json.loads(json.dumps(report))["cookies"]}
    assert cookies["<script>alert(1)</script>"]["value"] == hostile.EVIL_VALUE
    assert cookies["[bold red]boom[/bold red]"]["value"] == hostile.EVIL_VALUE
    assert '"><svg onload' in cookies  # document.cookie splits at the first "=", as browsers do


def test_markup_in_cookie_names_escaped_in_terminal(report):
    out = io.StringIO()
    render_report(report, Console(file=out, width=400, color_system="truecolor", force_terminal=True))
    text = out.getvalue()
    assert "[bold red]boom[/bold red]" in text  # shown literally, not interpreted as rich markup
    assert "<script>alert(1)</script>" in text
