"""A start page that never finishes does not abort the scan: what it set by the page timeout is
recorded, the page is marked `timed_out`, and the rest of the site is crawled."""

from __future__ import annotations

import pytest

from scanner.run import ScanOptions, scan
from tests.sites import serve, stuck

pytestmark = pytest.mark.browser
PAGE_TIMEOUT = 5


def run(url: str) -> dict:
    with serve(stuck.app()) as server:
        return scan(url, ScanOptions(resolve=server.resolve(stuck.HOSTS), ignore_https_errors=True,
                                     page_timeout=PAGE_TIMEOUT, phases=("before",)))


@pytest.fixture(scope="module")
def trickling():
    return run(stuck.STUCK)


@pytest.fixture(scope="module")
def silent():
    return run(stuck.SILENT)


def pages(report) -> dict[str, dict]:
    return {page["url"]: page for page in report["pages"]}


def test_a_start_page_cut_by_the_timeout_is_marked_and_the_crawl_goes_on(trickling):
    start = pages(trickling)[stuck.STUCK]
    assert start["timed_out"] is True and start["status"] == 200
    assert start["error"] == f"timeout after {PAGE_TIMEOUT}s"
    assert {f"{stuck.STUCK}a/", f"{stuck.STUCK}b/"} <= set(pages(trickling))  # its links were followed


def test_what_the_cut_page_set_is_kept(trickling):
    cookies = {c["name"]: c for c in trickling["cookies"]}
    assert cookies["stuck_start"]["first_seen_url"] == stuck.STUCK  # from the response's headers
    assert cookies["stuck_js"]["first_seen_url"] == stuck.STUCK  # from its half-parsed HTML
    assert "inner_ok" in cookies


def test_a_start_page_that_never_answers_leaves_the_sitemap(silent):
    start = pages(silent)[stuck.SILENT]
    assert start["timed_out"] is True and start["status"] is None
    assert pages(silent)[f"{stuck.SILENT}a/"]["status"] == 200
    assert pages(silent)[f"{stuck.SILENT}b/"]["status"] == 200
    assert "inner_ok" in {c["name"] for c in silent["cookies"]}
