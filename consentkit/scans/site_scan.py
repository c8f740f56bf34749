"""Scan a site's origins and store each scan: the one path behind `consentkit scan --site`, the
admin's "scan now" and the demo (both through a job on the queue) and the worker.

Each origin is scanned on its own and stored as soon as it is done, with its diff from the
previous scan of that origin; it replaces only that origin's part of the inventory, and the
site's revision rises only when what visitors are told changed. An origin that cannot be scanned
is recorded as failed with its reason and the others go on. A notification goes out at the end
when anything new was found (consentkit.scans.notify).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from scanner.browser import BrowserNotFound
from scanner.crawl import check_start_url
from scanner.errors import ScanCancelled, ScanError, ScanTerminated
from scanner.run import ScanOptions
from scanner.run import scan as run_scan

from .. import api
from ..db import get_db
from ..errors import ConsentKitError, InvalidSiteSettings
from ..kb.classifier import default_classifier
from ..models import Job, Scan, Site
from ..sites import registry as sites
from . import diff as scan_diff
from . import notify
from .inventory import origin_of, origin_rank, site_overrides
from .store import begin_scan, fail_scan, record_progress, store_scan

# Options a job may carry to the scanner (the `consentkit scan` options of the same names).
OPTION_NAMES = ("max_pages", "max_depth", "concurrency", "resolve", "ignore_https_errors",
                "include_subdomains", "page_timeout", "total_timeout", "phases")
# Scan page progress: (pages done, pages queued, cookies so far) of the origin being scanned.
PageProgress = Callable[[int, int, int], None]


class OriginNotInSite(ConsentKitError):
    """A URL to scan for a site is on none of the site's origins."""

    def __init__(self, url: str, site: Site) -> None:
        origin = origin_of(url) or url
        super().__init__(
            f"{url} is not on an origin of site {site.key} ({', '.join(site.origins) or 'none'}); "
            f"add it with `consentkit site edit {site.key} --add-origin {origin}`, or scan one of those")


@dataclass
class OriginResult:
    """One origin's scan: its stored row and diff, or why it failed."""

    url: str
    scan_id: int | None = None
    report: dict[str, Any] | None = None
    diff: dict[str, Any] | None = None
    error: str | None = None
    revision: int | None = None
    bumped: bool = False


@dataclass
class SiteScanResult:
    site_key: str
    origins: list[OriginResult] = field(default_factory=list)
    revision: int = 0
    bumped: bool = False
    notify_failed: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[OriginResult]:
        return [o for o in self.origins if o.error]

    @property
    def scan_ids(self) -> list[int]:
        return [o.scan_id for o in self.origins if o.scan_id is not None and not o.error]


class SiteClassifier:
    """consentkit's classifier with the site's own overrides: what the scanner is given, so the
    stored report (its violations above all) already follows the owner's classification."""

    def __init__(self, overrides: list[Any], site_host: str | None) -> None:
        self.base, self.overrides, self.site_host = default_classifier(), overrides, site_host

    def classify(self, name: str, domain: str | None = None, setter: str | None = None,
                 kind: str = "cookie") -> Any:
        return self.base.classify(name, domain=domain, setter=setter, kind=kind,
                                  overrides=self.overrides, site_host=self.site_host)

    def classify_host(self, host: str) -> Any:
        return self.base.classify_host(host)


def urls_to_scan(site: Site, urls: Sequence[str] = ()) -> list[str]:
    """The URLs given (each on one of the site's origins), or the start page of every origin."""
    if not urls:
        if not site.origins:
            raise InvalidSiteSettings(f"site {site.key} has no origin to scan; add one with "
                                      f"`consentkit site edit {site.key} --add-origin https://…`")
        return [origin + "/" for origin in site.origins]
    for url in urls:
        check_start_url(url)
        if origin_rank(site, origin_of(url)) is None:
            raise OriginNotInSite(url, site)
    return list(dict.fromkeys(urls))


def scan_options(options: dict[str, Any]) -> ScanOptions:
    """A job's stored options as the scanner's; unknown names are ignored."""
    known = {name: options[name] for name in OPTION_NAMES if options.get(name) is not None}
    if "resolve" in known:
        known["resolve"] = tuple(known["resolve"])
    if "phases" in known:
        known["phases"] = tuple(known["phases"])
    return ScanOptions(**known)


def scan_site(app: Flask, site_key: str, urls: Sequence[str], options: ScanOptions, *,
              job_id: int | None = None, progress: PageProgress | None = None,
              on_report: Callable[[str, dict[str, Any]], None] | None = None,
              stop: threading.Event | None = None, notify_owner: bool = True) -> SiteScanResult:
    """Scan `urls` (from `urls_to_scan`) one after the other and store each for the site.

    Raises ScanCancelled (`stop` was set), ScanTerminated (SIGTERM) or KeyboardInterrupt after
    marking the scan under way failed with that reason; other scan errors fail only their origin.
    """
    db = get_db(app)
    result = SiteScanResult(site_key)
    for index, url in enumerate(urls):
        with db.session() as session:
            site = sites.get_site(session, site_key)
            overrides = site_overrides(session, site)
            scan_id = begin_scan(session, site, url, job_id).id
        writer = ProgressWriter(app, scan_id, job_id, url, index, len(urls), progress)
        outcome = OriginResult(url, scan_id)
        result.origins.append(outcome)
        try:
            report = _scan_one(url, options, writer, overrides, stop)
        except (ScanCancelled, ScanTerminated):
            raise
        except (ScanError, BrowserNotFound) as exc:
            outcome.error = str(exc)
            writer.fail(outcome.error)
            continue
        outcome.report = report
        if on_report is not None:
            on_report(url, report)
        with db.session() as session:
            site = sites.get_site(session, site_key)
            stored, bumped = store_scan(session, site, report, session.get(Scan, scan_id))
            outcome.diff, outcome.bumped, outcome.revision = stored.diff, bumped, site.revision
            result.bumped = result.bumped or bumped
            result.revision = site.revision
    api.forget_site(app, site_key)  # this process's banner cache: the new inventory at once
    if notify_owner and any(scan_diff.is_notable(o.diff) for o in result.origins):
        with db.session() as session:
            site = sites.get_site(session, site_key)
            result.notify_failed = notify.deliver(app, session, site, result.scan_ids)
    return result


def _scan_one(url: str, options: ScanOptions, writer: ProgressWriter, overrides: list[Any],
              stop: threading.Event | None) -> dict[str, Any]:
    """The scanner itself; an interruption is recorded on the scan row with its reason."""
    classifier = SiteClassifier(overrides, urlsplit(url).hostname)
    try:
        return run_scan(url, options, writer, classifier=classifier, stop=stop)
    except ScanCancelled:
        writer.fail(getattr(stop, "reason", None) or "cancelled")
        raise
    except ScanTerminated:
        writer.fail("terminated (SIGTERM)")
        raise
    except KeyboardInterrupt:
        writer.fail("interrupted")
        raise
    except (ScanError, BrowserNotFound):
        raise
    except Exception as exc:  # a bug must not leave the row "running"
        writer.fail(f"scanner error: {exc!r}")
        raise


def _fail(app: Flask, scan_id: int, error: str) -> None:
    with get_db(app).session() as session:
        fail_scan(session, scan_id, error)


class ProgressWriter:
    """The scanner's progress callback: written to the scan row (and the job's, if any) at most
    once a second, since it arrives on every page; also passed on to the caller's own callback."""

    def __init__(self, app: Flask, scan_id: int, job_id: int | None, url: str, index: int, total: int,
                 also: PageProgress | None) -> None:
        self.app, self.scan_id, self.job_id, self.also = app, scan_id, job_id, also
        self.where = {"url": url, "origin": index + 1, "origins": total}
        self.written = 0.0

    def __call__(self, done: int, queued: int, cookies: int) -> None:
        if self.also is not None:
            self.also(done, queued, cookies)
        now = time.monotonic()
        if now - self.written < 1.0:
            return
        self.written = now
        with get_db(self.app).session() as session:
            record_progress(session, self.scan_id, done, queued)
            job = session.get(Job, self.job_id) if self.job_id else None
            if job is not None:
                job.progress = {**self.where, "pages_done": done, "pages_queued": queued}

    def fail(self, reason: str) -> None:
        _fail(self.app, self.scan_id, reason)
