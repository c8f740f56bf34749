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
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import UnknownSite
from ..models import OPTIONAL_CATEGORIES, ConsentRecord, Site, SiteRevision, utcnow
from . import queries, receipts
from .receipts import InvalidReceipt, ReceiptKeys
from .writer import ConsentWriter

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
    gpc_policy: str
    api_key_hash: str | None


# Built once: the hot path reuses the statements (and SQLAlchemy's compiled cache) on every request,
# and runs them on the session's connection, skipping the ORM's per-statement machinery.
_SITES = Site.__table__.c
_SITE_BY_KEY = select(_SITES.id, _SITES.key, _SITES.origins, _SITES.allow_subdomains, _SITES.categories,
                      _SITES.languages, _SITES.ip_mode, _SITES.revision, _SITES.cookie_name,
                      _SITES.cookie_domain, _SITES.consent_lifetime_days, _SITES.updated_at,
                      _SITES.gpc_policy, _SITES.api_key_hash).where(_SITES.key == bindparam("key"))
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
                    row.updated_at, row.gpc_policy, row.api_key_hash)


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
    receipt: str | None = None
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """A committed record: its consent ID (a new one if the server started one), number and receipt."""

    consent_id: str
    seq: int
    recorded_at: datetime
    receipt: str
    new_id: bool


def record(writer: ConsentWriter, site: SiteView, consent: Consent, *, seq: int, revision_hash: str,
           client_ip: str | None, user_agent: str) -> datetime:
    """Write one record as number `seq` of its consent ID; returns the time it was recorded at,
    once it is committed. Raises IntegrityError when that number is taken (see `append`)."""
    now = utcnow()
    choices = consent.choices
    writer.append((site.id, consent.consent_id, seq, now,
                   *(choices.get(c) for c in OPTIONAL_CATEGORIES), consent.method, consent.revision,
                   revision_hash, consent.language, consent.page_url, consent.banner_version,
                   clean_user_agent(user_agent), consent.gpc, client_ip, record_key(consent.record_id)))
    return now


def record_key(record_id: str | None) -> str | None:
    """What is stored of the banner's record ID: enough to recognise a retry, nothing to replay."""
    return hashlib.sha256(record_id.encode()).hexdigest()[:32] if record_id else None


def append(db: Database, site: SiteView, consent: Consent, *, revision_hash: str, client_ip: str | None,
           user_agent: str) -> Recorded:
    """Append a visitor's choice to their history and return its receipt, once it is committed.

    A history grows only from the browser that holds its latest receipt: the record goes in as
    number n + 1 when `consent.receipt` is this site's receipt of record n of the same ID, else
    as number 1. The unique (site, consent ID, number) index refuses the number when it is taken
    (an ID that has records and no receipt, an old receipt, an ID another browser uses). Then
    the record is kept all the same, as the first record of a new consent ID that the server
    picks, and the banner takes that ID: nothing a visitor chose is lost, and nobody adds to
    another visitor's history. One exception: a retry of a record that was committed while its
    answer got lost gets the stored record's receipt back. It is recognised by the banner's random
    `record_id` (sent again with the same receipt as the first time), or, for a client that sends
    none, by the same receipt and the same content; never by content alone, since a first record's
    content can be guessed by anyone who knows a consent ID.
    """
    writer, keys = db.consent_writer, db.receipt_keys
    seq = _next_seq(keys, site, consent)
    arguments = {"revision_hash": revision_hash, "client_ip": client_ip, "user_agent": user_agent}
    new_id = False
    try:
        recorded_at = record(writer, site, consent, seq=seq, **arguments)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        stored = _same_record(db.engine, site, consent, seq)
        if stored is not None:
            return _recorded(keys, site, consent, seq, stored, revision_hash, new_id=False)
        consent = replace(consent, consent_id=str(uuid.uuid4()), receipt=None)
        seq, new_id = 1, True
        recorded_at = record(writer, site, consent, seq=seq, **arguments)
    return _recorded(keys, site, consent, seq, recorded_at, revision_hash, new_id)


def _next_seq(keys: ReceiptKeys, site: SiteView, consent: Consent) -> int:
    """n + 1 for a valid receipt of record n of this very consent ID, else 1."""
    if not consent.receipt:
        return 1
    try:
        claims = keys.verify(site.id, site.key, consent.receipt)
    except InvalidReceipt:
        return 1
    return claims.seq + 1 if claims.consent_id == consent.consent_id else 1


def _recorded(keys: ReceiptKeys, site: SiteView, consent: Consent, seq: int, recorded_at: datetime,
              revision_hash: str, new_id: bool) -> Recorded:
    claims = receipts.claims_for(site.key, consent.consent_id, seq, recorded_at, consent.choices,
                                 consent.method, consent.revision, revision_hash, consent.language,
                                 consent.gpc)
    return Recorded(consent.consent_id, seq, recorded_at, keys.sign(site.id, claims), new_id)


_RECORDS = ConsentRecord.__table__.c
_SAME_RECORD = select(_RECORDS.created_at, *(_RECORDS[c] for c in OPTIONAL_CATEGORIES), _RECORDS.method,
                      _RECORDS.revision, _RECORDS.language, _RECORDS.page_url, _RECORDS.banner_version,
                      _RECORDS.gpc, _RECORDS.record_key).where(_RECORDS.site_id == bindparam("site_id"),
                                          _RECORDS.consent_id == bindparam("consent_id"),
                                          _RECORDS.seq == bindparam("seq"))


def _same_record(engine: Engine, site: SiteView, consent: Consent, seq: int) -> datetime | None:
    """When record `seq` of the ID is this very record sent again, the time it was stored."""
    with engine.connect() as conn:
        row = conn.execute(_SAME_RECORD, {"site_id": site.id, "consent_id": consent.consent_id,
                                          "seq": seq}).first()
    if row is None:
        return None
    if row.record_key is not None or consent.record_id is not None:
        return row.created_at if row.record_key == record_key(consent.record_id) else None
    if seq == 1:
        return None  # no receipt and no record ID: nothing shows this is the same browser
    same = (all(getattr(row, c) == consent.choices.get(c) for c in OPTIONAL_CATEGORIES)
            and (row.method, row.revision, row.language, row.page_url, row.banner_version, row.gpc)
            == (consent.method, consent.revision, consent.language, consent.page_url,
                consent.banner_version, consent.gpc))
    return row.created_at if same else None


def is_unique_violation(exc: IntegrityError) -> bool:
    """A taken (site, consent ID, number), as opposed to a foreign key to a deleted site."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == "23505"
    return "UNIQUE" in str(exc.orig)


def clean_user_agent(value: str) -> str:
    """Drop control characters (PostgreSQL refuses NUL) and keep the first 256 characters."""
    value = value[:USER_AGENT_MAX * 2]
    if value.isprintable():  # every real browser's: one C call instead of a loop per character
        return value[:USER_AGENT_MAX]
    return "".join(ch for ch in value if ch.isprintable())[:USER_AGENT_MAX]


def compare_with_log(session: Session, site_id: int, claims: receipts.Claims) -> tuple[str, list[str]]:
    """What the log holds for a verified receipt: ("match", []), ("differs", [fields]) or ("absent", [])
    when the record is gone (purged by retention, or the site's log was reset)."""
    rows = queries.consent_history(session, site_id, claims.consent_id, seq=claims.seq)
    if not rows:
        return "absent", []
    row = rows[0]
    stored = receipts.claims_for(claims.site, row.consent_id, row.seq, row.created_at,
                                 {c: getattr(row, c) for c in OPTIONAL_CATEGORIES
                                  if getattr(row, c) is not None},
                                 row.method, row.revision, row.revision_hash, row.language, row.gpc)
    wanted, found = claims.payload(), stored.payload()
    differences = sorted(name for name in wanted if wanted[name] != found[name])
    return ("differs", differences) if differences else ("match", [])


def history_as_dicts(rows: list[ConsentRecord]) -> list[dict[str, Any]]:
    """A consent ID's records (`queries.consent_history`) as the history API shows them."""
    return [{
        "seq": row.seq, "recorded_at": iso_utc(row.created_at),
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


__all__ = ["Consent", "Recorded", "RevisionHashes", "SiteView", "SiteViews", "UnknownSite", "append",
           "history_as_dicts", "load_site", "minimise_ip", "purge_older_than", "record"]
