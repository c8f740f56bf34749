"""The consent log: store a visitor's choice, show a consent ID its history, purge what retention allows.

Library functions only (no Flask): the API, the admin UI and the CLI call them with a session.
The hot path: the site's settings (`SiteViews`, else `load_site`: one indexed SELECT of the few
columns the API uses) and the revision's hash (`RevisionHashes`) from process caches, then
`record`, which hands the row to the process's `ConsentWriter` (one INSERT and commit, shared by
concurrent requests).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session

from .consent_writer import ConsentWriter
from .errors import UnknownSite
from .models import OPTIONAL_CATEGORIES, ConsentRecord, Site, SiteRevision, utcnow

USER_AGENT_MAX = 256


@dataclass(frozen=True, slots=True)
class SiteView:
    """The settings of a site that the public API needs, read in one query per request."""

    id: int
    key: str
    origins: tuple[str, ...]
    allow_subdomains: bool
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    ip_mode: str
    revision: int
    cookie_name: str
    cookie_domain: str | None
    lifetime_days: int
    updated_at: datetime


# Built once: the hot path reuses the statements (and SQLAlchemy's compiled cache) on every request,
# and runs them on the session's connection, skipping the ORM's per-statement machinery.
_SITES = Site.__table__.c
_SITE_BY_KEY = select(_SITES.id, _SITES.key, _SITES.origins, _SITES.allow_subdomains, _SITES.categories,
                      _SITES.languages, _SITES.ip_mode, _SITES.revision, _SITES.cookie_name,
                      _SITES.cookie_domain, _SITES.consent_lifetime_days, _SITES.updated_at
                      ).where(_SITES.key == bindparam("key"))
_REVISIONS = SiteRevision.__table__.c
_REVISION_HASH = select(_REVISIONS.content_hash).where(
    _REVISIONS.site_id == bindparam("site_id"), _REVISIONS.revision == bindparam("revision"))


def load_site(conn: Connection, key: str) -> SiteView:
    """The site with this key as a `SiteView`; raises `UnknownSite`. With a Session, pass
    `session.connection()`."""
    row = conn.execute(_SITE_BY_KEY, {"key": key}).first()
    if row is None:
        raise UnknownSite(key)
    return SiteView(row.id, row.key, tuple(row.origins or ()), bool(row.allow_subdomains),
                    tuple(row.categories or ()), tuple(row.languages or ()), row.ip_mode,
                    row.revision, row.cookie_name, row.cookie_domain, row.consent_lifetime_days,
                    row.updated_at)


class SiteViews:
    """Site settings for the consent POST, kept `ttl` seconds in the process to spare a SELECT.

    Callers re-read (`fresh=True`) before refusing anything, so an origin added, a revision
    published or a site deleted takes effect at once; only a loosening is delayed, by at most `ttl`
    seconds (an origin removed, a change of IP mode). `ttl=0` reads the database every time.
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._views: dict[str, tuple[float, SiteView]] = {}

    def get(self, connect: Callable[[], Connection], key: str, *,
            fresh: bool = False) -> tuple[SiteView, bool]:
        """The site's view and whether it came from the cache (so a refusal should re-read first).

        `connect` is called only on a miss, so a cached site costs no pooled connection.
        """
        now = time.monotonic()
        cached = None if fresh or self.ttl <= 0 else self._views.get(key)
        if cached is not None and cached[0] > now:
            return cached[1], True
        view = load_site(connect(), key)
        if self.ttl > 0:
            if len(self._views) > 10_000:
                self._views.clear()
            self._views[key] = (now + self.ttl, view)
        return view, False

    def forget(self, key: str) -> None:
        self._views.pop(key, None)


class RevisionHashes:
    """Content hashes of site revisions, cached in the process.

    A stored revision never changes, so caching it is safe across processes; the key includes the
    random site key so a reused row id can never return another site's hash.
    """

    def __init__(self, size: int = 4096) -> None:
        self._hashes: dict[tuple[int, str, int], str] = {}
        self._size = size
        self._lock = threading.Lock()

    def get(self, connect: Callable[[], Connection], site: SiteView, revision: int) -> str | None:
        """The hash of `revision` of `site`, or None when that revision was never stored; `connect`
        is called only on a miss."""
        cache_key = (site.id, site.key, revision)
        digest = self._hashes.get(cache_key)
        if digest is not None:
            return digest
        digest = connect().execute(_REVISION_HASH, {"site_id": site.id, "revision": revision}).scalar()
        if digest is not None:
            with self._lock:
                if len(self._hashes) >= self._size:
                    self._hashes.clear()
                self._hashes[cache_key] = digest
        return digest


@dataclass(frozen=True, slots=True)
class Consent:
    """A validated consent POST body (see `consentkit.api.validation`)."""

    consent_id: str
    choices: dict[str, bool]
    method: str
    revision: int
    language: str
    page_url: str
    banner_version: str
    gpc: bool


def record(writer: ConsentWriter, site: SiteView, consent: Consent, *, revision_hash: str,
           client_ip: str | None, user_agent: str) -> datetime:
    """Append one consent record; returns the server time it was recorded at, once it is committed.

    The caller answers 201 only after this returns, so an acknowledged record is on disk. The
    writer commits it together with whatever other threads of the process are recording.
    """
    now = utcnow()
    choices = consent.choices
    writer.append((site.id, consent.consent_id, now, *(choices.get(c) for c in OPTIONAL_CATEGORIES),
                   consent.method, consent.revision, revision_hash, consent.language,
                   consent.page_url, consent.banner_version, clean_user_agent(user_agent),
                   consent.gpc, client_ip))
    return now


def clean_user_agent(value: str) -> str:
    """Drop control characters (PostgreSQL refuses NUL) and keep the first 256 characters."""
    value = value[:USER_AGENT_MAX * 2]
    if value.isprintable():  # every real browser's: one C call instead of a loop per character
        return value[:USER_AGENT_MAX]
    return "".join(ch for ch in value if ch.isprintable())[:USER_AGENT_MAX]


def history(session: Session, site_id: int, consent_id: str) -> list[dict[str, Any]]:
    """Every record of one consent ID, oldest first; the same indexed query for known and unknown IDs."""
    rows = session.execute(
        select(ConsentRecord.created_at, ConsentRecord.functional, ConsentRecord.analytics,
               ConsentRecord.marketing, ConsentRecord.method, ConsentRecord.revision,
               ConsentRecord.revision_hash, ConsentRecord.language, ConsentRecord.page_url,
               ConsentRecord.banner_version, ConsentRecord.gpc)
        .where(ConsentRecord.site_id == site_id, ConsentRecord.consent_id == consent_id)
        .order_by(ConsentRecord.created_at, ConsentRecord.id).limit(1000)).all()
    return [{
        "recorded_at": iso_utc(row.created_at),
        "choices": {c: getattr(row, c) for c in OPTIONAL_CATEGORIES if getattr(row, c) is not None},
        "method": row.method, "revision": row.revision, "revision_hash": row.revision_hash,
        "language": row.language, "page_url": row.page_url,
        "banner_version": row.banner_version, "gpc": row.gpc,
    } for row in rows]


def iso_utc(moment: datetime) -> str:
    """Stored times are naive UTC; the API writes them with a Z and millisecond precision."""
    return moment.isoformat(timespec="milliseconds") + "Z"


def minimise_ip(address: str | None, mode: str, secret: str) -> str | None:
    """The client IP as the site keeps it: "truncate" (/24 or /48), "hash" (keyed HMAC) or "none".

    No mode stores the raw address: truncation keeps the network for abuse analysis, the keyed hash
    lets records from one address be linked without revealing it (and cannot be reversed by
    hashing all 2^32 IPv4 addresses without the app's secret).
    """
    if mode == "none" or not address:
        return None
    if mode == "truncate" and _is_ipv4(address):  # the common case, without ipaddress's objects
        return address.rpartition(".")[0] + ".0/24"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if mode == "hash":
        return hmac.new(secret.encode(), ip.packed, hashlib.sha256).hexdigest()
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _is_ipv4(address: str) -> bool:
    """A dotted quad exactly as ipaddress accepts it (inet_pton is as strict, and much faster)."""
    try:
        socket.inet_pton(socket.AF_INET, address)
    except OSError:
        return False
    return True


def purge_older_than(session: Session, site: Site | SiteView, cutoff: datetime) -> int:
    """Delete the site's records created before `cutoff` (naive UTC); returns how many went.

    Called by `consentkit consents purge`; the caller commits. Deletes in one statement that the
    (site_id, created_at) index serves.
    """
    result = session.execute(delete(ConsentRecord).where(
        ConsentRecord.site_id == site.id, ConsentRecord.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


__all__ = ["Consent", "RevisionHashes", "SiteView", "SiteViews", "UnknownSite", "history", "load_site",
           "minimise_ip", "purge_older_than", "record"]
